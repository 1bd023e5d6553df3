package commands

import (
	"context"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/sar"
)

// ExtendSAR extends a request's deadline by Months (at most two in total) for a complex or
// repeated request, with the reason; NotifiedOn (default today) is when the requester was told,
// which must be within the first month.
type ExtendSAR struct {
	RequestID  domain.ID
	Months     int
	Reason     string
	NotifiedOn sar.Date
}

// ExtendSARHandler handles ExtendSAR. It is safe for concurrent use.
type ExtendSARHandler struct{ d Deps }

// NewExtendSARHandler returns a handler over d.
func NewExtendSARHandler(d Deps) *ExtendSARHandler { return &ExtendSARHandler{d: d} }

// Handle appends SARExtended. Only the DPO may.
func (h *ExtendSARHandler) Handle(ctx context.Context, actor domain.Actor, cmd ExtendSAR) error {
	return changeSAR(ctx, h.d, actor, cmd.RequestID, "extend", client.DPO, func(r *sar.Request, _ *client.Client) (domain.Event, error) {
		return r.Extend(cmd.Months, cmd.Reason, sarToday(h.d, cmd.NotifiedOn), h.d.Clock.Now().UTC())
	})
}
