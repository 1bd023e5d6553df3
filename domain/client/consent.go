package client

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/practice"
)

// SigningMethod is how a consent was given.
type SigningMethod string

// The signing methods.
const (
	SignedPortal       SigningMethod = "portal"
	SignedInPerson     SigningMethod = "in_person"
	SignedPaperScanned SigningMethod = "paper_scanned"
)

// Signer is who signed: the client or their guardian.
type Signer string

// The signers.
const (
	SignerClient   Signer = "client"
	SignerGuardian Signer = "guardian"
)

// ConsentStatus is the state of a client's consent to treatment for one service type.
type ConsentStatus string

// The consent statuses. Every status but StatusValid doubles as the stable code of a consent
// check that did not pass.
const (
	StatusValid ConsentStatus = "valid"
	// StatusMissing: the client never signed this service type's form.
	StatusMissing ConsentStatus = "consent_missing"
	// StatusOutdated: the client signed an older version than the one in force: re-consent needed.
	StatusOutdated ConsentStatus = "consent_outdated"
	// StatusWithdrawn: the client withdrew consent.
	StatusWithdrawn ConsentStatus = "consent_withdrawn"
	// StatusNoTemplate: the practice has no form in force for the service type, so nothing valid
	// can have been signed.
	StatusNoTemplate ConsentStatus = "consent_template_missing"
)

// ConsentState is a client's consent to treatment for one service type, at one time.
type ConsentState struct {
	Status ConsentStatus
	// SignedVersion is the version last signed (0: never); CurrentVersion the one in force (0: none).
	SignedVersion  int
	CurrentVersion int
	SignedAt       time.Time
}

type treatmentConsent struct {
	version   int
	signedAt  time.Time
	withdrawn bool
}

func (c *Client) applyConsent(ev domain.Event) {
	switch e := ev.(type) {
	case ConsentSigned:
		c.consents[e.ServiceTypeID] = treatmentConsent{version: e.Version, signedAt: e.SignedAt}
	case ConsentWithdrawn:
		tc := c.consents[e.ServiceTypeID]
		tc.withdrawn = true
		c.consents[e.ServiceTypeID] = tc
	}
}

// ConsentState derives the client's consent to serviceType at time at from the client's
// signatures and the version of the form p has in force at that time. Publishing a new version
// makes every older signature StatusOutdated from its effective date on.
func (c *Client) ConsentState(p *practice.Practice, serviceType domain.ID, at time.Time) ConsentState {
	tc, signed := c.consents[serviceType]
	st := ConsentState{SignedVersion: tc.version, SignedAt: tc.signedAt}
	current, ok := p.ConsentTemplate(serviceType, at)
	switch {
	case !ok:
		st.Status = StatusNoTemplate
		return st
	case !signed:
		st.Status = StatusMissing
	case tc.withdrawn:
		st.Status = StatusWithdrawn
	case tc.version < current.Version:
		st.Status = StatusOutdated
	default:
		st.Status = StatusValid
	}
	st.CurrentVersion = current.Version
	return st
}

// SignConsent records a signature of version of serviceType's consent form, signed at signedAt.
// The client signs through the portal (method portal); the holder records in-person and scanned
// paper signatures. A guardian's signature names the guardian. A version older than the one in
// force at signedAt cannot be signed (code "consent_version_outdated").
func (c *Client) SignConsent(actor domain.Actor, p *practice.Practice, serviceType domain.ID, version int, method SigningMethod, signer Signer, guardianName string, signedAt, at time.Time) (domain.Event, error) {
	if err := c.Authorise(actor, "sign_consent", Holder|Self); err != nil {
		return nil, err
	}
	if err := checkMethod(actor, method); err != nil {
		return nil, err
	}
	guardianName = strings.TrimSpace(guardianName)
	switch signer {
	case SignerClient:
		if guardianName != "" {
			return nil, domain.Invalid("guardian_name", "is only for a guardian's signature")
		}
	case SignerGuardian:
		if guardianName == "" || len(guardianName) > maxTextBytes || !utf8.ValidString(guardianName) {
			return nil, domain.Invalid("guardian_name", "is required for a guardian, at most 300 bytes")
		}
	default:
		return nil, domain.Invalid("signer", "must be client or guardian")
	}
	if signedAt.IsZero() || signedAt.After(at) {
		return nil, domain.Invalid("signed_at", "must not be in the future")
	}
	tpl, ok := p.ConsentTemplateVersion(serviceType, version)
	if !ok {
		return nil, domain.NotFound("consent_template", serviceType)
	}
	if cur, ok := p.ConsentTemplate(serviceType, signedAt); ok && cur.Version > version {
		return nil, domain.Conflict("consent_version_outdated", "a newer version of the consent form is in force")
	}
	ev := ConsentSigned{
		ServiceTypeID: serviceType, Version: version, ContentHash: tpl.ContentHash, Method: method,
		Signer: signer, GuardianName: guardianName, SignedAt: signedAt.UTC(), At: at.UTC(),
	}
	c.Apply(ev)
	return ev, nil
}

// WithdrawConsent withdraws consent to serviceType. The client or the holder may; there must be a
// consent to withdraw (code "consent_not_given").
func (c *Client) WithdrawConsent(actor domain.Actor, serviceType domain.ID, at time.Time) (domain.Event, error) {
	if err := c.Authorise(actor, "withdraw_consent", Holder|Self); err != nil {
		return nil, err
	}
	if tc, ok := c.consents[serviceType]; !ok || tc.withdrawn {
		return nil, domain.Conflict("consent_not_given", "no consent to withdraw for service type "+serviceType.String())
	}
	ev := ConsentWithdrawn{ServiceTypeID: serviceType, By: actor.Role, At: at.UTC()}
	c.Apply(ev)
	return ev, nil
}

// checkMethod allows the portal method only to the client and the other methods only to staff.
func checkMethod(actor domain.Actor, method SigningMethod) error {
	switch method {
	case SignedPortal:
		if actor.Role != domain.RoleClient {
			return domain.Invalid("method", "portal signatures come from the client")
		}
	case SignedInPerson, SignedPaperScanned:
		if actor.Role == domain.RoleClient {
			return domain.Invalid("method", "the client signs through the portal")
		}
	default:
		return domain.Invalid("method", "must be portal, in_person or paper_scanned")
	}
	return nil
}
