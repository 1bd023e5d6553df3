package client

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/caseledger/caseledger/domain"
)

// ThirdParty is someone the client agrees the practice may share with, such as their GP.
type ThirdParty struct {
	// Kind is a slug: "gp", "psychiatrist", "school", "employer", "solicitor", "insurer", "other".
	Kind         string `json:"kind"`
	Name         string `json:"name"`
	Organisation string `json:"organisation,omitempty"`
	Contact      string `json:"contact,omitempty"`
}

// SharingConsent is a consent to share with a third party.
type SharingConsent struct {
	ID        domain.ID
	Recipient ThirdParty
	Purpose   string
	Expires   time.Time
	SignedAt  time.Time
	Withdrawn bool
}

// Active reports whether s allows sharing at time at.
func (s SharingConsent) Active(at time.Time) bool {
	return !s.Withdrawn && !at.Before(s.SignedAt) && at.Before(s.Expires)
}

var thirdPartyKinds = map[string]bool{"gp": true, "psychiatrist": true, "school": true, "employer": true, "solicitor": true, "insurer": true, "other": true}

func (c *Client) applySharing(ev domain.Event) {
	switch e := ev.(type) {
	case SharingConsentGiven:
		c.sharing[e.ConsentID] = SharingConsent{ID: e.ConsentID, Recipient: e.Recipient, Purpose: e.Purpose, Expires: e.Expires, SignedAt: e.SignedAt}
	case SharingConsentWithdrawn:
		s := c.sharing[e.ConsentID]
		s.Withdrawn = true
		c.sharing[e.ConsentID] = s
	}
}

// SharingConsent returns the consent to share with the given id; ok is false when there is none.
func (c *Client) SharingConsent(id domain.ID) (SharingConsent, bool) {
	s, ok := c.sharing[id]
	return s, ok
}

// GiveSharingConsent records consent to share with recipient for purpose until expires; it is
// separate from consent to treatment. The client (portal) or the holder (in person, paper) may.
func (c *Client) GiveSharingConsent(actor domain.Actor, id domain.ID, recipient ThirdParty, purpose string, expires time.Time, method SigningMethod, signedAt, at time.Time) (domain.Event, error) {
	if err := c.Authorise(actor, "give_sharing_consent", Holder|Self); err != nil {
		return nil, err
	}
	if err := checkMethod(actor, method); err != nil {
		return nil, err
	}
	if id.IsZero() {
		return nil, domain.Invalid("consent_id", "is required")
	}
	if _, ok := c.sharing[id]; ok {
		return nil, domain.Conflict("sharing_consent_exists", "sharing consent "+id.String()+" exists")
	}
	if !thirdPartyKinds[recipient.Kind] {
		return nil, domain.Invalid("recipient.kind", "is not a third-party kind")
	}
	recipient.Name = strings.TrimSpace(recipient.Name)
	recipient.Organisation = strings.TrimSpace(recipient.Organisation)
	recipient.Contact = strings.TrimSpace(recipient.Contact)
	purpose = strings.TrimSpace(purpose)
	for field, s := range map[string]string{"recipient.name": recipient.Name, "purpose": purpose} {
		if s == "" {
			return nil, domain.Invalid(field, "is required")
		}
	}
	for field, s := range map[string]string{"recipient.name": recipient.Name, "recipient.organisation": recipient.Organisation, "recipient.contact": recipient.Contact, "purpose": purpose} {
		if len(s) > maxTextBytes*4 || !utf8.ValidString(s) {
			return nil, domain.Invalid(field, "must be UTF-8 of at most 1200 bytes")
		}
	}
	if signedAt.IsZero() || signedAt.After(at) {
		return nil, domain.Invalid("signed_at", "must not be in the future")
	}
	if !expires.After(at) {
		return nil, domain.Invalid("expires", "must be in the future")
	}
	ev := SharingConsentGiven{ConsentID: id, Recipient: recipient, Purpose: purpose, Expires: expires.UTC(), Method: method, SignedAt: signedAt.UTC(), At: at.UTC()}
	c.Apply(ev)
	return ev, nil
}

// WithdrawSharingConsent withdraws the consent to share with the given id. The client or the
// holder may.
func (c *Client) WithdrawSharingConsent(actor domain.Actor, id domain.ID, at time.Time) (domain.Event, error) {
	if err := c.Authorise(actor, "withdraw_sharing_consent", Holder|Self); err != nil {
		return nil, err
	}
	s, ok := c.sharing[id]
	if !ok {
		return nil, domain.NotFound("sharing_consent", id)
	}
	if s.Withdrawn {
		return nil, domain.Conflict("sharing_consent_withdrawn", "sharing consent "+id.String()+" is already withdrawn")
	}
	ev := SharingConsentWithdrawn{ConsentID: id, By: actor.Role, At: at.UTC()}
	c.Apply(ev)
	return ev, nil
}
