package projections

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/sar"
)

// OpenErasureRequest is a data subject whose last erasure event is a request the DPO has not
// decided yet: when it was made and by when the DPO must answer (UK GDPR Art. 12(3): one calendar
// month, counted in UTC dates as for subject access requests: sar.Date.AddMonths).
type OpenErasureRequest struct {
	ClientID    domain.ID
	RequestedAt time.Time
	DueBy       sar.Date
}

// OpenErasureRequests returns the undecided erasure requests of the practice, oldest first, for
// the DPO (anyone else: KindForbidden "dpo_only"). It reads the audit trail: per data subject, the
// last of ErasureRequested, ErasureApproved, ErasureRefused, ErasureDeferred and SubjectErased is
// a request still open (a client has at most one open request). Like every read model it lags the
// log by the projection's lag.
func (r *Reader) OpenErasureRequests(ctx context.Context, actor domain.Actor) ([]OpenErasureRequest, error) {
	if actor.Role != domain.RoleDPO {
		return nil, domain.Forbidden("dpo_only", "only the data protection officer reads the erasure requests")
	}
	out := []OpenErasureRequest{}
	err := r.read(ctx, actor, readQuery{what: "erasure requests", sql: `SELECT subject_id, recorded_at FROM (
			SELECT DISTINCT ON (subject_id) subject_id, event_type, recorded_at
			  FROM rm_audit_trail
			 WHERE event_type IN ('ErasureRequested', 'ErasureApproved', 'ErasureRefused', 'ErasureDeferred', 'SubjectErased')
			   AND subject_id IS NOT NULL
			 ORDER BY subject_id, seq DESC) last
		WHERE event_type = 'ErasureRequested'
		ORDER BY recorded_at, subject_id`,
		row: func(rows pgx.Rows) error {
			var (
				id uuid.UUID
				o  OpenErasureRequest
			)
			if err := rows.Scan(&id, &o.RequestedAt); err != nil {
				return err
			}
			o.ClientID, o.RequestedAt = domain.ID(id), o.RequestedAt.UTC()
			o.DueBy = sar.DateOf(o.RequestedAt).AddMonths(1)
			out = append(out, o)
			return nil
		}})
	if err != nil {
		return nil, err
	}
	return out, nil
}
