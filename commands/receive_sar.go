package commands

import (
	"context"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/sar"
	"github.com/caseledger/caseledger/eventstore"
)

// ReceiveSAR records a subject access request (UK GDPR Art. 15, HIPAA 164.524) from a client.
// Regime, when set, overrides the practice's regime for this request; the practice's rules
// (SetSARRules; default UK GDPR in UTC) give the rest. ReceivedOn defaults to today in the
// practice's time zone. Identity is sar.IdentityVerified when the requester's identity is already
// known (the client through the signed-in portal), else sar.IdentityPending: under UK GDPR the
// statutory clock then starts only when identity is verified.
type ReceiveSAR struct {
	RequestID        domain.ID
	ClientID         domain.ID
	ReceivedOn       sar.Date
	Channel          sar.Channel
	Identity         sar.Identity
	ByRepresentative bool
	Regime           sar.Regime
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
	rules, err := LoadSARRules(ctx, h.d, c.PracticeID())
	if err != nil {
		return err
	}
	if cmd.Regime != "" {
		rules.Regime = cmd.Regime
	}
	received, err := sarDay(h.d, cmd.ReceivedOn, rules.TimeZone)
	if err != nil {
		return err
	}
	_, ev, err := sar.Receive(cmd.RequestID, cmd.ClientID, received, cmd.Channel, cmd.Identity, cmd.ByRepresentative, rules, h.d.Clock.Now().UTC())
	if err != nil {
		return err
	}
	_, err = appendEvents(ctx, h.d, SARStream(cmd.RequestID), eventstore.NoStream(), Envelope{Actor: actor, Subject: cmd.ClientID}, ev)
	if err != nil && sarWrongVersion(err) {
		return domain.Conflict("sar_exists", "subject access request "+cmd.RequestID.String()+" exists")
	}
	return err
}
