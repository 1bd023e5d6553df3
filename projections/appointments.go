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

// appointmentsTable is rm_appointments for keyed writes.
var appointmentsTable = NewRowTable("rm_appointments", 1, "appointment_id", "therapist_id", "client_id",
	"service_type_id", "series_id", "starts_at", "ends_at", "status", "booked_by", "location_sealed",
	"video_link_sealed", "fee_minor", "fee_currency", "updated_at")

// appointmentEvents are the scheduling event types of an appointment stream.
var appointmentEvents = map[string]bool{
	"AppointmentBooked": true, "AppointmentApproved": true, "AppointmentDeclined": true,
	"AppointmentRescheduled": true, "AppointmentCancelled": true, "AppointmentCompleted": true,
	"AppointmentNoShow": true,
}

// Apply implements Projector.
func (p Appointments) Apply(ctx context.Context, tx Tx, e *eventstore.RecordedEvent) error {
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
	ev, erased, err := decodeScheduling(ctx, tx, p.Keys, e)
	if err != nil || erased {
		return err
	}
	t := appointmentsTable
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
		return tx.Put(t, id, toUUID(ev.TherapistID), toUUID(ev.ClientID), toUUID(ev.ServiceTypeID),
			nullID(toUUID(ev.SeriesID)), ev.Start, ev.End, string(status), string(ev.BookedBy), loc, link,
			(*int64)(nil), (*string)(nil), e.OccurredAt)
	case scheduling.AppointmentApproved:
		return setAppointment(tx, t, ev.AppointmentID, Set{"status", "booked"}, Set{"updated_at", e.OccurredAt})
	case scheduling.AppointmentDeclined:
		return setAppointment(tx, t, ev.AppointmentID, Set{"status", "declined"}, Set{"updated_at", e.OccurredAt})
	case scheduling.AppointmentRescheduled:
		return setAppointment(tx, t, ev.AppointmentID, Set{"starts_at", ev.Start}, Set{"ends_at", ev.End},
			Set{"updated_at", e.OccurredAt})
	case scheduling.AppointmentCancelled:
		amount, currency := fee(ev.Fee)
		return setAppointment(tx, t, ev.AppointmentID, Set{"status", string(cancelledStatus(ev))},
			Set{"fee_minor", amount}, Set{"fee_currency", currency}, Set{"updated_at", e.OccurredAt})
	case scheduling.AppointmentCompleted:
		return setAppointment(tx, t, ev.AppointmentID, Set{"status", "completed"}, Set{"updated_at", e.OccurredAt})
	case scheduling.AppointmentNoShow:
		amount, currency := fee(ev.Fee)
		return setAppointment(tx, t, ev.AppointmentID, Set{"status", "no_show"}, Set{"fee_minor", amount},
			Set{"fee_currency", currency}, Set{"updated_at", e.OccurredAt})
	}
	return nil
}

// transfer moves the client's appointments to the therapist a RecordTransferred names. An
// archived record keeps its appointments with the last therapist until it is transferred.
func (p Appointments) transfer(ctx context.Context, tx Tx, e *eventstore.RecordedEvent) error {
	if e.Type != "RecordTransferred" {
		return nil
	}
	ev, erased, err := decodeClient(ctx, tx, p.Keys, e)
	if err != nil || erased {
		return err
	}
	to := ev.(client.RecordTransferred).To
	tx.ExecByClient("rm_appointments", `UPDATE rm_appointments SET therapist_id = $3 WHERE generation = $1 AND client_id = $2`,
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

// setAppointment queues set on the row of appointment id in table (keyed by appointment_id),
// which must exist: every appointment event follows AppointmentBooked.
func setAppointment(tx Tx, t *RowTable, id domain.ID, set ...Set) error {
	return tx.Update(t, []any{toUUID(id)}, set...)
}

// cancelledStatus is the status a cancellation leaves.
func cancelledStatus(ev scheduling.AppointmentCancelled) scheduling.Status {
	if ev.Late {
		return scheduling.StatusLateCancelled
	}
	return scheduling.StatusCancelled
}

// decodeScheduling opens and decodes a scheduling event; erased is true when its subject's key
// was shredded.
func decodeScheduling(ctx context.Context, tx Tx, keys Keys, e *eventstore.RecordedEvent) (domain.Event, bool, error) {
	return tx.decode(ctx, keys, e, scheduling.Decode)
}

// decodeClient opens and decodes a client event; erased is true when its subject's key was
// shredded.
func decodeClient(ctx context.Context, tx Tx, keys Keys, e *eventstore.RecordedEvent) (domain.Event, bool, error) {
	return tx.decode(ctx, keys, e, client.Decode)
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
