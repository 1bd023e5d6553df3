package commands

import (
	"context"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/practice"
)

// ConsentDecision is the outcome of a consent check.
type ConsentDecision struct {
	// Allowed is true when the service may go ahead: consent is valid, or the practice's rule is
	// practice.ConsentWarn.
	Allowed bool
	// Code is the consent status code when consent is not valid ("consent_missing",
	// "consent_outdated", "consent_withdrawn", "consent_template_missing"); "" when valid.
	Code string
	// Warning equals Code when the service is allowed without valid consent (rule "warn"): record
	// it with the booking. It is "" otherwise.
	Warning string
	// State is the client's consent state the decision was taken on.
	State client.ConsentState
}

// ConsentCheck decides whether a service of a type can go ahead for a client under the
// practice's consent rule. The scheduling commands call it before booking. It is safe for
// concurrent use.
type ConsentCheck struct{ d Deps }

// NewConsentCheck returns a consent check over d.
func NewConsentCheck(d Deps) *ConsentCheck { return &ConsentCheck{d: d} }

// Check loads the client and their practice and decides for a service of serviceType taking place
// at at. It does not authorise an actor: the caller has checked (with LoadClient and
// client.Client.Visible or HeldBy) that the actor may act on this client. Errors: a missing client
// is KindNotFound ("client_not_found"), an erased one KindErased; a service type the practice does
// not offer is KindNotFound ("service_type_not_found"); a client whose processing is restricted or
// whose record is archived cannot be booked whatever the rule: KindConflict
// ("processing_restricted", "record_archived"). A discharged client is checked like any other.
func (h *ConsentCheck) Check(ctx context.Context, clientID, serviceType domain.ID, at time.Time) (ConsentDecision, error) {
	c, _, err := LoadClient(ctx, h.d, clientID)
	if err != nil {
		return ConsentDecision{}, err
	}
	p, _, err := LoadPractice(ctx, h.d, c.PracticeID())
	if err != nil {
		return ConsentDecision{}, err
	}
	return DecideConsent(c, p, serviceType, at)
}

// DecideConsent is Check for a client and practice the caller has already loaded.
func DecideConsent(c *client.Client, p *practice.Practice, serviceType domain.ID, at time.Time) (ConsentDecision, error) {
	if _, ok := p.ServiceType(serviceType); !ok {
		return ConsentDecision{}, domain.NotFound("service_type", serviceType)
	}
	if err := c.RequireActive(); err != nil {
		return ConsentDecision{}, err
	}
	st := c.ConsentState(p, serviceType, at)
	if st.Status == client.StatusValid {
		return ConsentDecision{Allowed: true, State: st}, nil
	}
	d := ConsentDecision{Code: string(st.Status), State: st}
	if p.ConsentRule() == practice.ConsentWarn {
		d.Allowed, d.Warning = true, d.Code
	}
	return d, nil
}
