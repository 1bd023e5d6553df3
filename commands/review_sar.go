package commands

import (
	"context"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/sar"
)

// ReviewSAR records a clinician's review of a request's export under the serious-harm test (DPA
// 2018 Sch. 3 Pt 2): the items to withhold or redact, each with its reason. An empty list
// releases everything.
type ReviewSAR struct {
	RequestID domain.ID
	Decisions []sar.ItemDecision
}

// ReviewSARHandler handles ReviewSAR. It is safe for concurrent use.
type ReviewSARHandler struct{ d Deps }

// NewReviewSARHandler returns a handler over d.
func NewReviewSARHandler(d Deps) *ReviewSARHandler { return &ReviewSARHandler{d: d} }

// Handle appends SARReviewed. Only the therapist who holds the client's record may review (the
// appropriate health professional); another therapist gets KindNotFound, other roles
// KindForbidden. A record nobody holds must be transferred to a therapist first.
func (h *ReviewSARHandler) Handle(ctx context.Context, actor domain.Actor, cmd ReviewSAR) error {
	return changeSAR(ctx, h.d, actor, cmd.RequestID, "review", client.Holder, func(r *sar.Request, _ *client.Client) (domain.Event, error) {
		return r.Review(actor.UserID, cmd.Decisions, h.d.Clock.Now().UTC())
	})
}
