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

// practiceSessionsTable and practiceSessionSubjectsTable are the tables for keyed writes.
var (
	practiceSessionsTable = NewRowTable("rm_practice_sessions", 1, "appointment_id", "therapist_id",
		"service_type_id", "starts_at", "minutes", "status", "fee_minor", "fee_currency")
	practiceSessionSubjectsTable = NewInsertOnlyTable("rm_practice_session_subjects", 1, "appointment_id", "client_id")
)

// Apply implements Projector.
func (p PracticeReports) Apply(ctx context.Context, tx Tx, e *eventstore.RecordedEvent) error {
	if e.Type == subjectErasedType {
		subject, err := erasedSubject(e)
		if err != nil {
			return err
		}
		tx.ExecByClient("rm_practice_session_subjects", `DELETE FROM rm_practice_sessions s USING rm_practice_session_subjects x
			WHERE s.generation = $1 AND x.generation = $1 AND x.appointment_id = s.appointment_id
			  AND x.client_id = $2`, tx.Generation, subject)
		deleteRows(tx, subject, "rm_practice_session_subjects")
		return nil
	}
	if !appointmentEvents[e.Type] {
		return nil
	}
	ev, erased, err := decodeScheduling(ctx, tx, p.Keys, e)
	if err != nil || erased {
		return err
	}
	t := practiceSessionsTable
	switch ev := ev.(type) {
	case scheduling.AppointmentBooked:
		status := scheduling.StatusBooked
		if ev.PendingApproval {
			status = scheduling.StatusPendingApproval
		}
		id := toUUID(ev.AppointmentID)
		if err := tx.Put(t, id, toUUID(ev.TherapistID), toUUID(ev.ServiceTypeID), ev.Start,
			minutes(ev.Start, ev.End), string(status), (*int64)(nil), (*string)(nil)); err != nil {
			return err
		}
		return tx.Put(practiceSessionSubjectsTable, id, toUUID(ev.ClientID))
	case scheduling.AppointmentApproved:
		return setAppointment(tx, t, ev.AppointmentID, Set{"status", "booked"})
	case scheduling.AppointmentDeclined:
		return setAppointment(tx, t, ev.AppointmentID, Set{"status", "declined"})
	case scheduling.AppointmentRescheduled:
		return setAppointment(tx, t, ev.AppointmentID, Set{"starts_at", ev.Start}, Set{"minutes", minutes(ev.Start, ev.End)})
	case scheduling.AppointmentCancelled:
		amount, currency := fee(ev.Fee)
		return setAppointment(tx, t, ev.AppointmentID, Set{"status", string(cancelledStatus(ev))},
			Set{"fee_minor", amount}, Set{"fee_currency", currency})
	case scheduling.AppointmentCompleted:
		return setAppointment(tx, t, ev.AppointmentID, Set{"status", "completed"})
	case scheduling.AppointmentNoShow:
		amount, currency := fee(ev.Fee)
		return setAppointment(tx, t, ev.AppointmentID, Set{"status", "no_show"}, Set{"fee_minor", amount},
			Set{"fee_currency", currency})
	}
	return nil
}
