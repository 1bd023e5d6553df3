package commands

import (
	"context"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/practice"
)

// RestrictProcessing restricts (Art. 18) or, with Lift set, lifts the restriction of processing
// of a client's data. Ground is one of the client.Restrict* constants (ignored when lifting).
type RestrictProcessing struct {
	ClientID domain.ID
	Ground   string
	Lift     bool
}

// RestrictProcessingHandler handles RestrictProcessing. It is safe for concurrent use.
type RestrictProcessingHandler struct{ d Deps }

// NewRestrictProcessingHandler returns a handler over d.
func NewRestrictProcessingHandler(d Deps) *RestrictProcessingHandler {
	return &RestrictProcessingHandler{d: d}
}

// Handle appends ProcessingRestricted or ProcessingRestrictionLifted. Only the DPO may. While
// restricted, the client cannot be booked (ConsentCheck) and no note can be written.
func (h *RestrictProcessingHandler) Handle(ctx context.Context, actor domain.Actor, cmd RestrictProcessing) error {
	return changeClient(ctx, h.d, actor, cmd.ClientID, func(c *client.Client, _ *practice.Practice) (domain.Event, error) {
		if cmd.Lift {
			return c.LiftRestriction(actor, h.d.Clock.Now())
		}
		return c.Restrict(actor, cmd.Ground, h.d.Clock.Now())
	})
}
