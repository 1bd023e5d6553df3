package commands

import (
	"context"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/sar"
)

// SARIdentity stops or restarts a request's statutory clock. Verified false records that the DPO
// asked for proof of identity or clarification (the clock stops on On); Verified true records that
// identity was verified by Method (the clock starts or restarts on On). On defaults to today in
// the request's time zone.
type SARIdentity struct {
	RequestID domain.ID
	Verified  bool
	Method    string
	Reason    string
	On        sar.Date
}

// SARIdentityHandler handles SARIdentity. It is safe for concurrent use.
type SARIdentityHandler struct{ d Deps }

// NewSARIdentityHandler returns a handler over d.
func NewSARIdentityHandler(d Deps) *SARIdentityHandler { return &SARIdentityHandler{d: d} }

// Handle appends SARIdentityRequested or SARIdentityVerified. Only the DPO may.
func (h *SARIdentityHandler) Handle(ctx context.Context, actor domain.Actor, cmd SARIdentity) error {
	at := h.d.Clock.Now().UTC()
	return changeSAR(ctx, h.d, actor, cmd.RequestID, "identity", client.DPO, func(r *sar.Request, _ *client.Client) (domain.Event, error) {
		on, err := requestDay(h.d, cmd.On, r)
		if err != nil {
			return nil, err
		}
		if cmd.Verified {
			return r.VerifyIdentity(on, cmd.Method, at)
		}
		return r.RequestIdentity(on, cmd.Reason, at)
	})
}
