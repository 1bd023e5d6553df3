package commands

import (
	"context"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/sar"
)

// RefuseSAR refuses a manifestly unfounded or excessive request, with an explanation for the
// requester. On defaults to today.
type RefuseSAR struct {
	RequestID domain.ID
	Reason    sar.RefusalReason
	Detail    string
	On        sar.Date
}

// RefuseSARHandler handles RefuseSAR. It is safe for concurrent use.
type RefuseSARHandler struct{ d Deps }

// NewRefuseSARHandler returns a handler over d.
func NewRefuseSARHandler(d Deps) *RefuseSARHandler { return &RefuseSARHandler{d: d} }

// Handle appends SARRefused. Only the DPO may.
func (h *RefuseSARHandler) Handle(ctx context.Context, actor domain.Actor, cmd RefuseSAR) error {
	return changeSAR(ctx, h.d, actor, cmd.RequestID, "refuse", client.DPO, func(r *sar.Request, _ *client.Client) (domain.Event, error) {
		on, err := requestDay(h.d, cmd.On, r)
		if err != nil {
			return nil, err
		}
		return r.Refuse(cmd.Reason, cmd.Detail, on, h.d.Clock.Now().UTC())
	})
}
