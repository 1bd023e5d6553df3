package projections

import (
	"context"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/eventstore"
)

// Audit projects the audit trail: one PII-free rm_audit_trail row per event of the log (who, in
// which role, did what, to which record and data subject, when), numbered in log order, plus which
// therapist holds each subject's record (rm_audit_caseload) so that a therapist can ask who
// accessed their clients. For RecordAccessed it also keeps the kind and id of what was read. It
// keeps its trail after erasure (ids only), but forgets who held an erased subject's record and
// what exactly was accessed: those came from sealed payloads a rebuild can no longer open, and
// rebuilt and incremental read models must agree.
type Audit struct {
	Keys Keys
}

// Name implements Projector.
func (Audit) Name() string { return "audit" }

// Tables implements Projector.
func (Audit) Tables() []string { return []string{"rm_audit_trail", "rm_audit_caseload"} }

// Apply implements Projector.
func (p Audit) Apply(ctx context.Context, tx Tx, e *eventstore.RecordedEvent) error {
	var what *string
	var accessed *uuid.UUID
	subject := e.Subject
	switch e.Type {
	case subjectErasedType:
		var err error
		if subject, err = erasedSubject(e); err != nil {
			return err
		}
		tx.Exec(`DELETE FROM rm_audit_caseload WHERE generation = $1 AND subject_id = $2`, tx.Generation, subject)
		tx.ExecByClient("rm_audit_trail", `UPDATE rm_audit_trail SET accessed_what = NULL, accessed_id = NULL
			WHERE generation = $1 AND subject_id = $2`, tx.Generation, subject)
	case "RecordAccessed", "ClientRegistered", "RecordTransferred", "RecordArchived":
		ev, _, err := decodeClient(ctx, tx, p.Keys, e)
		if err != nil {
			return err
		}
		switch ev := ev.(type) { // nil when the subject was erased
		case client.RecordAccessed:
			what, accessed = &ev.What, nullID(toUUID(ev.ID))
		case client.ClientRegistered:
			err = tx.Upsert(auditCaseloadTable, toUUID(ev.ClientID), nullID(toUUID(ev.TherapistID)))
		case client.RecordTransferred:
			err = tx.Upsert(auditCaseloadTable, e.Subject, nullID(toUUID(ev.To)))
		case client.RecordArchived:
			err = tx.Upsert(auditCaseloadTable, e.Subject, (*uuid.UUID)(nil))
		}
		if err != nil {
			return err
		}
	}
	var subjectID *uuid.UUID
	switch {
	case subject == uuid.Nil:
	case subject == e.Subject:
		subjectID = &e.Subject // the event's own field: nothing to copy
	default:
		subjectID = &subject
	}
	return tx.Put(auditTrailTable, tx.Seq, &e.ID, (*string)(&e.StreamID), &e.Type, &e.OccurredAt, &e.RecordedAt,
		&e.Actor.UserID, &e.Actor.Role, subjectID, what, accessed)
}

// auditTrailTable and auditCaseloadTable are the tables for keyed writes. rm_audit_caseload says
// which therapist (NULL: nobody) holds each subject's record.
var (
	auditTrailTable = NewInsertOnlyTable("rm_audit_trail", 1, "seq", "event_id", "stream_id", "event_type",
		"occurred_at", "recorded_at", "actor_id", "actor_role", "subject_id", "accessed_what", "accessed_id")
	auditCaseloadTable = NewRowTable("rm_audit_caseload", 1, "subject_id", "therapist_id")
)
