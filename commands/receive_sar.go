package commands

import (
	"context"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/sar"
	"github.com/caseledger/caseledger/eventstore"
)

// ReceiveSAR records a subject access request (UK GDPR Art. 15, HIPAA 164.524) from a client.
// ReceivedOn defaults to today (UTC). Identity is sar.IdentityVerified when the requester's
// identity is already known (the client through the signed-in portal), else sar.IdentityPending:
// the statutory clock then starts only when identity is verified.
type ReceiveSAR struct {
	RequestID        domain.ID
	ClientID         domain.ID
	ReceivedOn       sar.Date
	Channel          sar.Channel
	Identity         sar.Identity
	ByRepresentative bool
}

// ReceiveSARHandler handles ReceiveSAR. It is safe for concurrent use.
type ReceiveSARHandler struct{ d Deps }

// NewReceiveSARHandler returns a handler over d.
func NewReceiveSARHandler(d Deps) *ReceiveSARHandler { return &ReceiveSARHandler{d: d} }

// Handle opens the request's stream "sar-<request id>". The DPO records requests from any
// channel; a client records their own through the portal, where identity counts as verified by
// the sign-in. Other roles get KindForbidden, another client KindNotFound, and an erased client
// KindErased. A request id already used is KindConflict "sar_exists".
func (h *ReceiveSARHandler) Handle(ctx context.Context, actor domain.Actor, cmd ReceiveSAR) error {
	c, _, err := LoadClient(ctx, h.d, cmd.ClientID)
	if err != nil {
		return err
	}
	if err := authoriseSAR(c, actor, "receive", client.DPO|client.Self); err != nil {
		return err
	}
	if actor.Role == domain.RoleClient {
		cmd.Channel, cmd.Identity, cmd.ByRepresentative = sar.ChannelPortal, sar.IdentityVerified, false
	}
	_, ev, err := sar.Receive(cmd.RequestID, cmd.ClientID, sarToday(h.d, cmd.ReceivedOn), cmd.Channel, cmd.Identity, cmd.ByRepresentative, h.d.Clock.Now().UTC())
	if err != nil {
		return err
	}
	_, err = appendEvents(ctx, h.d, SARStream(cmd.RequestID), eventstore.NoStream(), Envelope{Actor: actor, Subject: cmd.ClientID}, ev)
	if err != nil && sarWrongVersion(err) {
		return domain.Conflict("sar_exists", "subject access request "+cmd.RequestID.String()+" exists")
	}
	return err
}
