package commands

import (
	"context"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/practice"
)

// RequestErasure records a request to erase a client (UK GDPR Art. 17). RequestID may be preset
// (zero: a fresh UUIDv7). Grounds is optional free text, sealed with the rest of the record.
type RequestErasure struct {
	ClientID  domain.ID
	RequestID domain.ID
	Grounds   string
}

// RequestErasureHandler handles RequestErasure. It is safe for concurrent use.
type RequestErasureHandler struct{ d Deps }

// NewRequestErasureHandler returns a handler over d.
func NewRequestErasureHandler(d Deps) *RequestErasureHandler { return &RequestErasureHandler{d: d} }

// Handle appends ErasureRequested and returns the request id. The client or the DPO may; nothing
// is erased until the DPO decides (DecideErasureHandler).
func (h *RequestErasureHandler) Handle(ctx context.Context, actor domain.Actor, cmd RequestErasure) (domain.ID, error) {
	id := cmd.RequestID
	if id.IsZero() {
		var err error
		if id, err = newID(); err != nil {
			return domain.ID{}, err
		}
	}
	err := changeClient(ctx, h.d, actor, cmd.ClientID, func(c *client.Client, _ *practice.Practice) (domain.Event, error) {
		return c.RequestErasure(actor, id, cmd.Grounds, h.d.Clock.Now())
	})
	if err != nil {
		return domain.ID{}, err
	}
	return id, nil
}
