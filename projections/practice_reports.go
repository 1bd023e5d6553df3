package projections

import (
	"context"

	"github.com/caseledger/caseledger/domain/scheduling"
	"github.com/caseledger/caseledger/eventstore"
)

// PracticeReports projects what practice managers see: one rm_practice_sessions row per
// appointment with its therapist, service type, start, length, status and fee, and no client id or
// clinical content. The client an appointment belongs to is kept in rm_practice_session_subjects,
// which no request role can read, so that SubjectErased can delete the client's rows.
type PracticeReports struct {
	Keys Keys
}

// Name implements Projector.
func (PracticeReports) Name() string { return "practice_reports" }

// Tables implements Projector.
func (PracticeReports) Tables() []string {
	return []string{"rm_practice_sessions", "rm_practice_session_subjects"}
}

// Apply implements Projector.
func (p PracticeReports) Apply(ctx context.Context, tx Tx, e eventstore.RecordedEvent) error {
	if e.Type == subjectErasedType {
		subject, err := erasedSubject(e)
		if err != nil {
			return err
		}
		tx.Exec(`DELETE FROM rm_practice_sessions s USING rm_practice_session_subjects x
			WHERE s.generation = $1 AND x.generation = $1 AND x.appointment_id = s.appointment_id
			  AND x.client_id = $2`, tx.Generation, subject)
		deleteRows(tx, subject, "rm_practice_session_subjects")
		return nil
	}
	if !appointmentEvents[e.Type] {
		return nil
	}
	ev, erased, err := decodeScheduling(ctx, p.Keys, e)
	if err != nil || erased {
		return err
	}
	g := tx.Generation
	switch ev := ev.(type) {
	case scheduling.AppointmentBooked:
		status := scheduling.StatusBooked
		if ev.PendingApproval {
			status = scheduling.StatusPendingApproval
		}
		// One statement writes both rows (a data-modifying WITH runs whether or not it is read).
		tx.Exec(`WITH session AS (INSERT INTO rm_practice_sessions (generation, appointment_id, therapist_id,
			service_type_id, starts_at, minutes, status) VALUES ($1, $2, $3, $4, $5, $6, $7))
			INSERT INTO rm_practice_session_subjects (generation, appointment_id, client_id)
			VALUES ($1, $2, $8)`,
			g, toUUID(ev.AppointmentID), toUUID(ev.TherapistID), toUUID(ev.ServiceTypeID), ev.Start,
			minutes(ev.Start, ev.End), string(status), toUUID(ev.ClientID))
	case scheduling.AppointmentApproved:
		updateAppointment(tx, "rm_practice_sessions", ev.AppointmentID, `status = 'booked'`)
	case scheduling.AppointmentDeclined:
		updateAppointment(tx, "rm_practice_sessions", ev.AppointmentID, `status = 'declined'`)
	case scheduling.AppointmentRescheduled:
		updateAppointment(tx, "rm_practice_sessions", ev.AppointmentID, `starts_at = $3, minutes = $4`, ev.Start, minutes(ev.Start, ev.End))
	case scheduling.AppointmentCancelled:
		status := scheduling.StatusCancelled
		if ev.Late {
			status = scheduling.StatusLateCancelled
		}
		amount, currency := fee(ev.Fee)
		updateAppointment(tx, "rm_practice_sessions", ev.AppointmentID, `status = $3, fee_minor = $4, fee_currency = $5`, string(status), amount, currency)
	case scheduling.AppointmentCompleted:
		updateAppointment(tx, "rm_practice_sessions", ev.AppointmentID, `status = 'completed'`)
	case scheduling.AppointmentNoShow:
		amount, currency := fee(ev.Fee)
		updateAppointment(tx, "rm_practice_sessions", ev.AppointmentID, `status = 'no_show', fee_minor = $3, fee_currency = $4`, amount, currency)
	}
	return nil
}
