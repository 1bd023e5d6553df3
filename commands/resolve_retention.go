package commands

import (
	"context"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/sar"
)

// ResolveRetention records the DPO's outcome for a client's queued retention review: keep the
// record until ReviewOn (e.g. a legal hold), or that erasure was requested (ErasureRequestID: the
// erasure workflow takes over).
type ResolveRetention struct {
	ClientID         domain.ID
	Outcome          sar.RetentionOutcome
	ErasureRequestID domain.ID
	ReviewOn         sar.Date
}

// ResolveRetentionHandler handles ResolveRetention. It is safe for concurrent use.
type ResolveRetentionHandler struct{ d Deps }

// NewResolveRetentionHandler returns a handler over d.
func NewResolveRetentionHandler(d Deps) *ResolveRetentionHandler {
	return &ResolveRetentionHandler{d: d}
}

// Handle appends RetentionReviewResolved. Only the DPO may; a client with nothing queued is
// KindConflict "retention_not_queued".
func (h *ResolveRetentionHandler) Handle(ctx context.Context, actor domain.Actor, cmd ResolveRetention) error {
	if actor.Role != domain.RoleDPO || actor.UserID.IsZero() {
		return domain.Forbidden("resolve_retention_forbidden", "only the DPO decides on retention")
	}
	l, err := loadStream(ctx, h.d, RetentionStream(cmd.ClientID), sar.DecodeRetention)
	if err != nil {
		return err
	}
	now := h.d.Clock.Now().UTC()
	ev, err := sar.ReplayRetention(cmd.ClientID, l.Events).Resolve(RetentionRecordKind, cmd.Outcome, cmd.ErasureRequestID, cmd.ReviewOn, sar.DateOf(now), actor.UserID, now)
	if err != nil {
		return err
	}
	_, err = appendEvents(ctx, h.d, RetentionStream(cmd.ClientID), l.Expected(), Envelope{Actor: actor}, ev)
	return concurrentChange(err)
}
