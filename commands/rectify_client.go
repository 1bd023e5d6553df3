package commands

import (
	"context"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/practice"
)

// RectifyClient replaces a client's details (UK GDPR Art. 16) with corrected ones.
type RectifyClient struct {
	ClientID domain.ID
	Details  client.Details
}

// RectifyClientHandler handles RectifyClient. It is safe for concurrent use.
type RectifyClientHandler struct{ d Deps }

// NewRectifyClientHandler returns a handler over d.
func NewRectifyClientHandler(d Deps) *RectifyClientHandler { return &RectifyClientHandler{d: d} }

// Handle appends ClientDetailsRectified naming the changed fields; the earlier details stay in the
// history. The holding therapist, the client and the DPO may.
func (h *RectifyClientHandler) Handle(ctx context.Context, actor domain.Actor, cmd RectifyClient) error {
	return changeClient(ctx, h.d, actor, cmd.ClientID, func(c *client.Client, _ *practice.Practice) (domain.Event, error) {
		return c.Rectify(actor, cmd.Details, h.d.Clock.Now())
	})
}
