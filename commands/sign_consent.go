package commands

import (
	"context"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/practice"
)

// SignConsent records a signature of a version of a service type's consent form.
type SignConsent struct {
	ClientID      domain.ID
	ServiceTypeID domain.ID
	Version       int
	Method        client.SigningMethod
	Signer        client.Signer
	GuardianName  string
	SignedAt      time.Time
}

// SignConsentHandler handles SignConsent. It is safe for concurrent use.
type SignConsentHandler struct{ d Deps }

// NewSignConsentHandler returns a handler over d.
func NewSignConsentHandler(d Deps) *SignConsentHandler { return &SignConsentHandler{d: d} }

// Handle appends ConsentSigned to the client's stream. The client signs through the portal; the
// holding therapist records in-person and scanned paper signatures (client.Client.SignConsent).
func (h *SignConsentHandler) Handle(ctx context.Context, actor domain.Actor, cmd SignConsent) error {
	return changeClient(ctx, h.d, actor, cmd.ClientID, func(c *client.Client, p *practice.Practice) (domain.Event, error) {
		return c.SignConsent(actor, p, cmd.ServiceTypeID, cmd.Version, cmd.Method, cmd.Signer, cmd.GuardianName, cmd.SignedAt, h.d.Clock.Now())
	})
}
