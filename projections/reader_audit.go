package projections

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/caseledger/caseledger/domain"
)

// AuditEntry is one fact of the audit trail: ids, types, roles and times, no personal data.
type AuditEntry struct {
	Seq        int64
	EventID    domain.ID
	StreamID   string
	EventType  string
	OccurredAt time.Time
	RecordedAt time.Time
	ActorID    domain.ID
	ActorRole  string
	SubjectID  domain.ID // zero when the event is about no data subject
	// AccessedWhat and AccessedID describe what a RecordAccessed event read.
	AccessedWhat string
	AccessedID   domain.ID
}

// AuditQuery selects audit entries recorded in [From, To), optionally only those about one data
// subject, by one user, or of one event type; at most Limit (1 to 10000, default 1000), oldest
// first. Which entries the actor sees is decided by the table's policy: the DPO and auditors see
// everything; a therapist sees what they did and what was done to the records they hold; anyone
// else sees what they did.
type AuditQuery struct {
	From, To  time.Time
	Subject   domain.ID
	Actor     domain.ID
	EventType string
	Limit     int
}

// Audit returns the audit entries matching q that the actor may see.
func (r *Reader) Audit(ctx context.Context, actor domain.Actor, q AuditQuery) ([]AuditEntry, error) {
	if !q.From.Before(q.To) {
		return nil, domain.Invalid("period", "from must be before to")
	}
	if q.Limit == 0 {
		q.Limit = 1000
	}
	if q.Limit < 0 || q.Limit > 10000 {
		return nil, domain.Invalid("limit", "must be 1 to 10000")
	}
	var out []AuditEntry
	err := r.read(ctx, actor, readQuery{what: "audit trail", sql: `SELECT seq, event_id, stream_id, event_type,
		occurred_at, recorded_at, actor_id, actor_role, subject_id, accessed_what, accessed_id
		FROM rm_audit_trail
		WHERE recorded_at >= $1 AND recorded_at < $2
		  AND ($3::uuid IS NULL OR subject_id = $3) AND ($4::uuid IS NULL OR actor_id = $4)
		  AND ($5 = '' OR event_type = $5)
		ORDER BY seq LIMIT $6`,
		args: []any{q.From, q.To, nullID(toUUID(q.Subject)), nullID(toUUID(q.Actor)), q.EventType, q.Limit},
		row: func(rows pgx.Rows) error {
			var (
				a                 AuditEntry
				id, actorID       uuid.UUID
				subject, accessed *uuid.UUID
				what              *string
			)
			if err := rows.Scan(&a.Seq, &id, &a.StreamID, &a.EventType, &a.OccurredAt, &a.RecordedAt,
				&actorID, &a.ActorRole, &subject, &what, &accessed); err != nil {
				return err
			}
			a.EventID, a.ActorID = domain.ID(id), domain.ID(actorID)
			if subject != nil {
				a.SubjectID = domain.ID(*subject)
			}
			if what != nil {
				a.AccessedWhat = *what
			}
			if accessed != nil {
				a.AccessedID = domain.ID(*accessed)
			}
			out = append(out, a)
			return nil
		}})
	return out, err
}
