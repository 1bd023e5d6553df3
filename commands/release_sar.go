package commands

import (
	"context"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/sar"
)

// ReleaseSAR records that a reviewed request's export was given to the requester. Digest is the
// hex SHA-256 of the released JSON export and Formats the formats given ("json", "html", "fhir").
// On defaults to today in the request's time zone.
type ReleaseSAR struct {
	RequestID domain.ID
	Formats   []string
	Digest    string
	On        sar.Date
}

// ReleaseSARHandler handles ReleaseSAR. It is safe for concurrent use.
type ReleaseSARHandler struct{ d Deps }

// NewReleaseSARHandler returns a handler over d.
func NewReleaseSARHandler(d Deps) *ReleaseSARHandler { return &ReleaseSARHandler{d: d} }

// Handle appends SARReleased, recording whether the release was late. Only the DPO may; the
// request must be reviewed and its identity verified.
func (h *ReleaseSARHandler) Handle(ctx context.Context, actor domain.Actor, cmd ReleaseSAR) error {
	return changeSAR(ctx, h.d, actor, cmd.RequestID, "release", client.DPO, func(r *sar.Request, _ *client.Client) (domain.Event, error) {
		on, err := requestDay(h.d, cmd.On, r)
		if err != nil {
			return nil, err
		}
		return r.Release(on, cmd.Formats, cmd.Digest, h.d.Clock.Now().UTC())
	})
}
