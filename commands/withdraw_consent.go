package commands

import (
	"context"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/practice"
)

// WithdrawConsent withdraws a client's consent to treatment for a service type.
type WithdrawConsent struct {
	ClientID      domain.ID
	ServiceTypeID domain.ID
}

// WithdrawConsentHandler handles WithdrawConsent. It is safe for concurrent use.
type WithdrawConsentHandler struct{ d Deps }

// NewWithdrawConsentHandler returns a handler over d.
func NewWithdrawConsentHandler(d Deps) *WithdrawConsentHandler {
	return &WithdrawConsentHandler{d: d}
}

// Handle appends ConsentWithdrawn. The client or the holding therapist may; withdrawing a consent
// never given is a KindConflict error ("consent_not_given").
func (h *WithdrawConsentHandler) Handle(ctx context.Context, actor domain.Actor, cmd WithdrawConsent) error {
	return changeClient(ctx, h.d, actor, cmd.ClientID, func(c *client.Client, _ *practice.Practice) (domain.Event, error) {
		return c.WithdrawConsent(actor, cmd.ServiceTypeID, h.d.Clock.Now())
	})
}
