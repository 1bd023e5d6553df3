package commands

import (
	"context"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/practice"
)

// DischargeClient ends a client's treatment on a date, from which retention periods count.
type DischargeClient struct {
	ClientID domain.ID
	EndedOn  time.Time
}

// DischargeClientHandler handles DischargeClient. It is safe for concurrent use.
type DischargeClientHandler struct{ d Deps }

// NewDischargeClientHandler returns a handler over d.
func NewDischargeClientHandler(d Deps) *DischargeClientHandler {
	return &DischargeClientHandler{d: d}
}

// Handle appends ClientDischarged. Only the holding therapist may.
func (h *DischargeClientHandler) Handle(ctx context.Context, actor domain.Actor, cmd DischargeClient) error {
	return changeClient(ctx, h.d, actor, cmd.ClientID, func(c *client.Client, _ *practice.Practice) (domain.Event, error) {
		return c.Discharge(actor, cmd.EndedOn, h.d.Clock.Now())
	})
}
