package commands

import (
	"context"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/practice"
)

// ReadmitClient starts a new episode of treatment, on a date, for a discharged client who returns.
type ReadmitClient struct {
	ClientID  domain.ID
	StartedOn time.Time
}

// ReadmitClientHandler handles ReadmitClient. It is safe for concurrent use.
type ReadmitClientHandler struct{ d Deps }

// NewReadmitClientHandler returns a handler over d.
func NewReadmitClientHandler(d Deps) *ReadmitClientHandler { return &ReadmitClientHandler{d: d} }

// Handle appends ClientReadmitted (client.Client.Readmit): only the holding therapist may, the
// client must be discharged and have no erasure request pending. Retention then counts from the
// next discharge.
func (h *ReadmitClientHandler) Handle(ctx context.Context, actor domain.Actor, cmd ReadmitClient) error {
	return changeClient(ctx, h.d, actor, cmd.ClientID, func(c *client.Client, _ *practice.Practice) (domain.Event, error) {
		return c.Readmit(actor, cmd.StartedOn, h.d.Clock.Now())
	})
}
