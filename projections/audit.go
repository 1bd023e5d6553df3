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
func (p Audit) Apply(ctx context.Context, tx Tx, e eventstore.RecordedEvent) error {
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
		tx.Exec(`UPDATE rm_audit_trail SET accessed_what = NULL, accessed_id = NULL
			WHERE generation = $1 AND subject_id = $2`, tx.Generation, subject)
	case "RecordAccessed", "ClientRegistered", "RecordTransferred", "RecordArchived":
		ev, _, err := decodeClient(ctx, p.Keys, e)
		if err != nil {
			return err
		}
		switch ev := ev.(type) { // nil when the subject was erased
		case client.RecordAccessed:
			what, accessed = &ev.What, nullID(toUUID(ev.ID))
		case client.ClientRegistered:
			holder(tx, toUUID(ev.ClientID), toUUID(ev.TherapistID))
		case client.RecordTransferred:
			holder(tx, e.Subject, toUUID(ev.To))
		case client.RecordArchived:
			holder(tx, e.Subject, uuid.Nil)
		}
	}
	tx.Insert("rm_audit_trail", auditColumns, tx.Generation, tx.Seq, e.ID, string(e.StreamID), e.Type, e.OccurredAt, e.RecordedAt,
		e.Actor.UserID, e.Actor.Role, nullID(subject), what, accessed)
	return nil
}

const auditColumns = `generation, seq, event_id, stream_id, event_type, occurred_at, recorded_at,
	actor_id, actor_role, subject_id, accessed_what, accessed_id`

// holder records that therapist (nobody when uuid.Nil) holds subject's record.
func holder(tx Tx, subject, therapist uuid.UUID) {
	tx.Exec(`INSERT INTO rm_audit_caseload (generation, subject_id, therapist_id)
		VALUES ($1, $2, $3) ON CONFLICT (generation, subject_id) DO UPDATE SET therapist_id = EXCLUDED.therapist_id`,
		tx.Generation, subject, nullID(therapist))
}
