package commands

import (
	"context"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/practice"
)

// GiveSharingConsent records consent to share with a named third party (such as the client's GP)
// for a purpose until Expires; separate from consent to treatment. ConsentID may be preset (zero:
// a fresh UUIDv7).
type GiveSharingConsent struct {
	ClientID  domain.ID
	ConsentID domain.ID
	Recipient client.ThirdParty
	Purpose   string
	Expires   time.Time
	Method    client.SigningMethod
	SignedAt  time.Time
}

// WithdrawSharingConsent withdraws a consent to share.
type WithdrawSharingConsent struct {
	ClientID  domain.ID
	ConsentID domain.ID
}

// SharingConsentHandler handles GiveSharingConsent and WithdrawSharingConsent. It is safe for
// concurrent use.
type SharingConsentHandler struct{ d Deps }

// NewSharingConsentHandler returns a handler over d.
func NewSharingConsentHandler(d Deps) *SharingConsentHandler { return &SharingConsentHandler{d: d} }

// Give appends SharingConsentGiven and returns the consent id. The client (portal) or the holding
// therapist (in person, paper) may.
func (h *SharingConsentHandler) Give(ctx context.Context, actor domain.Actor, cmd GiveSharingConsent) (domain.ID, error) {
	id := cmd.ConsentID
	if id.IsZero() {
		var err error
		if id, err = newID(); err != nil {
			return domain.ID{}, err
		}
	}
	err := changeClient(ctx, h.d, actor, cmd.ClientID, func(c *client.Client, _ *practice.Practice) (domain.Event, error) {
		return c.GiveSharingConsent(actor, id, cmd.Recipient, cmd.Purpose, cmd.Expires, cmd.Method, cmd.SignedAt, h.d.Clock.Now())
	})
	if err != nil {
		return domain.ID{}, err
	}
	return id, nil
}

// Withdraw appends SharingConsentWithdrawn. The client or the holding therapist may.
func (h *SharingConsentHandler) Withdraw(ctx context.Context, actor domain.Actor, cmd WithdrawSharingConsent) error {
	return changeClient(ctx, h.d, actor, cmd.ClientID, func(c *client.Client, _ *practice.Practice) (domain.Event, error) {
		return c.WithdrawSharingConsent(actor, cmd.ConsentID, h.d.Clock.Now())
	})
}
