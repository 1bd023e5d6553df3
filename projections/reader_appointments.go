package projections

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/caseledger/caseledger/domain"
)

// Appointment is an appointment as the appointments read model holds it, with the location and
// video link opened.
type Appointment struct {
	AppointmentID domain.ID
	TherapistID   domain.ID
	ClientID      domain.ID
	ServiceTypeID domain.ID
	SeriesID      domain.ID
	Start, End    time.Time
	Status        string
	BookedBy      string
	Location      string
	VideoLink     string
	// FeeMinor and FeeCurrency are the late-cancellation or no-show fee, if any.
	FeeMinor    int64
	FeeCurrency string
}

// Appointments returns the appointments the actor may see (a therapist: their own; the DPO: all)
// that start in [from, to), sorted by start (then id).
func (r *Reader) Appointments(ctx context.Context, actor domain.Actor, from, to time.Time) ([]Appointment, error) {
	if !from.Before(to) {
		return nil, domain.Invalid("period", "from must be before to")
	}
	var out []Appointment
	err := r.read(ctx, actor, readQuery{what: "appointments", sql: `SELECT appointment_id, therapist_id, client_id,
		service_type_id, series_id, starts_at, ends_at, status, booked_by, location_sealed, video_link_sealed,
		fee_minor, fee_currency FROM rm_appointments WHERE starts_at >= $1 AND starts_at < $2`, args: []any{from, to},
		row: func(rows pgx.Rows) error {
			var (
				a                     Appointment
				id, therapist, cl, st uuid.UUID
				series                *uuid.UUID
				location, link        []byte
				feeMinor              *int64
				feeCurrency           *string
			)
			if err := rows.Scan(&id, &therapist, &cl, &st, &series, &a.Start, &a.End, &a.Status, &a.BookedBy,
				&location, &link, &feeMinor, &feeCurrency); err != nil {
				return err
			}
			a.AppointmentID, a.TherapistID, a.ClientID, a.ServiceTypeID = domain.ID(id), domain.ID(therapist), domain.ID(cl), domain.ID(st)
			if series != nil {
				a.SeriesID = domain.ID(*series)
			}
			if feeMinor != nil && feeCurrency != nil {
				a.FeeMinor, a.FeeCurrency = *feeMinor, *feeCurrency
			}
			var err error
			if a.Location, err = r.openText(ctx, cl, "rm_appointments", id, "location_sealed", location); err != nil {
				return err
			}
			if a.VideoLink, err = r.openText(ctx, cl, "rm_appointments", id, "video_link_sealed", link); err != nil {
				return err
			}
			out = append(out, a)
			return nil
		}})
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Start.Equal(out[j].Start) {
			return out[i].Start.Before(out[j].Start)
		}
		return out[i].AppointmentID.String() < out[j].AppointmentID.String()
	})
	return out, err
}

// openText opens a sealed text column of a row; a NULL column is "".
func (r *Reader) openText(ctx context.Context, subject uuid.UUID, table string, row uuid.UUID, column string, sealed []byte) (string, error) {
	if sealed == nil {
		return "", nil
	}
	plain, err := r.keys.OpenValue(ctx, subject, sealed, fieldAD(table, row, column))
	if err != nil {
		return "", fmt.Errorf("projections: open %s.%s of %s: %w", table, column, row, err)
	}
	return string(plain), nil
}
