package projections

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/scheduling"
	"github.com/caseledger/caseledger/eventstore"
)

// Appointments projects each therapist's appointments (rm_appointments): times, status, service
// type, fees, with the location and video link sealed under the client's key. A record transfer
// moves the client's appointments to the new therapist; SubjectErased deletes them.
type Appointments struct {
	Keys Keys
}

// Name implements Projector.
func (Appointments) Name() string { return "appointments" }

// Tables implements Projector.
func (Appointments) Tables() []string { return []string{"rm_appointments"} }

// appointmentEvents are the scheduling event types of an appointment stream.
var appointmentEvents = map[string]bool{
	"AppointmentBooked": true, "AppointmentApproved": true, "AppointmentDeclined": true,
	"AppointmentRescheduled": true, "AppointmentCancelled": true, "AppointmentCompleted": true,
	"AppointmentNoShow": true,
}

// Apply implements Projector.
func (p Appointments) Apply(ctx context.Context, tx Tx, e eventstore.RecordedEvent) error {
	switch {
	case e.Type == subjectErasedType:
		subject, err := erasedSubject(e)
		if err != nil {
			return err
		}
		deleteRows(tx, subject, "rm_appointments")
		return nil
	case e.Type == "RecordTransferred" || e.Type == "RecordArchived":
		return p.transfer(ctx, tx, e)
	case !appointmentEvents[e.Type]:
		return nil
	}
	ev, erased, err := decodeScheduling(ctx, p.Keys, e)
	if err != nil || erased {
		return err
	}
	g := tx.Generation
	switch ev := ev.(type) {
	case scheduling.AppointmentBooked:
		id := toUUID(ev.AppointmentID)
		loc, err := p.sealOptional(ctx, e.Subject, id, "location_sealed", ev.Location)
		if err != nil {
			return err
		}
		link, err := p.sealOptional(ctx, e.Subject, id, "video_link_sealed", ev.VideoLink)
		if err != nil {
			return err
		}
		status := scheduling.StatusBooked
		if ev.PendingApproval {
			status = scheduling.StatusPendingApproval
		}
		tx.Exec(`INSERT INTO rm_appointments (generation, appointment_id, therapist_id, client_id,
			service_type_id, series_id, starts_at, ends_at, status, booked_by, location_sealed,
			video_link_sealed, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			g, id, toUUID(ev.TherapistID), toUUID(ev.ClientID), toUUID(ev.ServiceTypeID),
			nullID(toUUID(ev.SeriesID)), ev.Start, ev.End, string(status), string(ev.BookedBy), loc, link, e.OccurredAt)
	case scheduling.AppointmentApproved:
		updateAppointment(tx, "rm_appointments", ev.AppointmentID, `status = 'booked', updated_at = $3`, e.OccurredAt)
	case scheduling.AppointmentDeclined:
		updateAppointment(tx, "rm_appointments", ev.AppointmentID, `status = 'declined', updated_at = $3`, e.OccurredAt)
	case scheduling.AppointmentRescheduled:
		updateAppointment(tx, "rm_appointments", ev.AppointmentID, `starts_at = $3, ends_at = $4, updated_at = $5`,
			ev.Start, ev.End, e.OccurredAt)
	case scheduling.AppointmentCancelled:
		status := scheduling.StatusCancelled
		if ev.Late {
			status = scheduling.StatusLateCancelled
		}
		amount, currency := fee(ev.Fee)
		updateAppointment(tx, "rm_appointments", ev.AppointmentID, `status = $3, fee_minor = $4, fee_currency = $5, updated_at = $6`,
			string(status), amount, currency, e.OccurredAt)
	case scheduling.AppointmentCompleted:
		updateAppointment(tx, "rm_appointments", ev.AppointmentID, `status = 'completed', updated_at = $3`, e.OccurredAt)
	case scheduling.AppointmentNoShow:
		amount, currency := fee(ev.Fee)
		updateAppointment(tx, "rm_appointments", ev.AppointmentID, `status = 'no_show', fee_minor = $3, fee_currency = $4, updated_at = $5`,
			amount, currency, e.OccurredAt)
	}
	return nil
}

// transfer moves the client's appointments to the therapist a RecordTransferred names. An
// archived record keeps its appointments with the last therapist until it is transferred.
func (p Appointments) transfer(ctx context.Context, tx Tx, e eventstore.RecordedEvent) error {
	if e.Type != "RecordTransferred" {
		return nil
	}
	ev, erased, err := decodeClient(ctx, p.Keys, e)
	if err != nil || erased {
		return err
	}
	to := ev.(client.RecordTransferred).To
	tx.Exec(`UPDATE rm_appointments SET therapist_id = $3 WHERE generation = $1 AND client_id = $2`,
		tx.Generation, e.Subject, toUUID(to))
	return nil
}

// sealOptional seals a non-empty text value of an rm_appointments row; "" stays NULL.
func (p Appointments) sealOptional(ctx context.Context, subject, row uuid.UUID, column, value string) ([]byte, error) {
	if value == "" {
		return nil, nil
	}
	return p.Keys.SealValue(ctx, subject, []byte(value), fieldAD("rm_appointments", row, column))
}

// updateAppointment queues set (whose parameters start at $3) on the row of appointment id in
// table, which must exist: every appointment event follows AppointmentBooked.
func updateAppointment(tx Tx, table string, id domain.ID, set string, args ...any) {
	tx.ExecOne(`UPDATE `+table+` SET `+set+` WHERE generation = $1 AND appointment_id = $2`,
		append([]any{tx.Generation, toUUID(id)}, args...)...)
}

// decodeScheduling opens and decodes a scheduling event; erased is true when its subject's key
// was shredded.
func decodeScheduling(ctx context.Context, keys Keys, e eventstore.RecordedEvent) (domain.Event, bool, error) {
	payload, erased, err := openEvent(ctx, keys, e)
	if err != nil || erased {
		return nil, erased, err
	}
	ev, err := scheduling.Decode(e.Type, e.SchemaVersion, payload)
	return ev, false, err
}

// decodeClient opens and decodes a client event; erased is true when its subject's key was
// shredded.
func decodeClient(ctx context.Context, keys Keys, e eventstore.RecordedEvent) (domain.Event, bool, error) {
	payload, erased, err := openEvent(ctx, keys, e)
	if err != nil || erased {
		return nil, erased, err
	}
	ev, err := client.Decode(e.Type, e.SchemaVersion, payload)
	return ev, false, err
}

// fee splits an optional fee into nullable columns.
func fee(m *scheduling.Money) (*int64, *string) {
	if m == nil {
		return nil, nil
	}
	return &m.AmountMinor, &m.Currency
}

// minutes is the length of [start, end) in whole minutes.
func minutes(start, end time.Time) int { return int(end.Sub(start) / time.Minute) }
