package commands

import (
	"context"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/sar"
)

// ExtendSAR extends a request's deadline for a complex or repeated request, with the reason: by
// Months (at most two in total) under UK GDPR, by Days (at most 30, once, InWriting) under HIPAA.
// NotifiedOn (default today in the request's time zone) is when the requester was told, which
// must be before the unextended deadline.
type ExtendSAR struct {
	RequestID  domain.ID
	Months     int
	Days       int
	InWriting  bool
	Reason     string
	NotifiedOn sar.Date
}

// ExtendSARHandler handles ExtendSAR. It is safe for concurrent use.
type ExtendSARHandler struct{ d Deps }

// NewExtendSARHandler returns a handler over d.
func NewExtendSARHandler(d Deps) *ExtendSARHandler { return &ExtendSARHandler{d: d} }

// Handle appends SARExtended (see sar.Request.Extend for the rules of each regime). Only the
// DPO may.
func (h *ExtendSARHandler) Handle(ctx context.Context, actor domain.Actor, cmd ExtendSAR) error {
	return changeSAR(ctx, h.d, actor, cmd.RequestID, "extend", client.DPO, func(r *sar.Request, _ *client.Client) (domain.Event, error) {
		on, err := requestDay(h.d, cmd.NotifiedOn, r)
		if err != nil {
			return nil, err
		}
		return r.Extend(sar.Extension{Months: cmd.Months, Days: cmd.Days, Reason: cmd.Reason, NotifiedOn: on, InWriting: cmd.InWriting}, h.d.Clock.Now().UTC())
	})
}
