package client

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/practice"
)

// Exemption is the UK GDPR Art. 17(3) ground on which an erasure request is refused.
type Exemption string

// The Art. 17(3) exemptions, (a) to (e).
const (
	ExemptFreedomOfExpression Exemption = "freedom_of_expression" // (a)
	ExemptLegalObligation     Exemption = "legal_obligation"      // (b)
	ExemptPublicHealth        Exemption = "public_health"         // (c), with Art. 9(2)(h) and (i)
	ExemptArchiving           Exemption = "archiving_research"    // (d)
	ExemptLegalClaims         Exemption = "legal_claims"          // (e)
)

// Valid reports whether e is one of the exemptions.
func (e Exemption) Valid() bool {
	switch e {
	case ExemptFreedomOfExpression, ExemptLegalObligation, ExemptPublicHealth, ExemptArchiving, ExemptLegalClaims:
		return true
	}
	return false
}

// ErasureStatus is where an erasure request stands.
type ErasureStatus string

// The erasure statuses.
const (
	ErasureOpen     ErasureStatus = "open"
	ErasureApproval ErasureStatus = "approved"
	ErasureRefusal  ErasureStatus = "refused"
	ErasureDeferral ErasureStatus = "deferred"
)

// ErasureRequest is a request to erase the client and the DPO's decision on it.
type ErasureRequest struct {
	ID          domain.ID
	Status      ErasureStatus
	RequestedBy domain.Role
	RequestedAt time.Time
	Grounds     string // why erasure was asked for, "" when not said
	DecidedAt   time.Time
	Exemption   Exemption
	Explanation string    // the DPO's explanation of a refusal
	Until       time.Time // for a deferral
}

func (c *Client) applyErasure(ev domain.Event) {
	switch e := ev.(type) {
	case ErasureRequested:
		c.erasures[e.RequestID] = &ErasureRequest{ID: e.RequestID, Status: ErasureOpen, RequestedBy: e.By, RequestedAt: e.At, Grounds: e.Grounds}
		c.erasureIDs = append(c.erasureIDs, e.RequestID)
	case ErasureApproved:
		if r := c.erasures[e.RequestID]; r != nil {
			r.Status, r.DecidedAt = ErasureApproval, e.At
		}
	case ErasureRefused:
		if r := c.erasures[e.RequestID]; r != nil {
			r.Status, r.DecidedAt, r.Exemption, r.Explanation = ErasureRefusal, e.At, e.Exemption, e.Explanation
		}
	case ErasureDeferred:
		if r := c.erasures[e.RequestID]; r != nil {
			r.Status, r.DecidedAt, r.Until = ErasureDeferral, e.At, e.Until
		}
	}
}

// ErasureRequests returns the client's erasure requests in the order they were made.
func (c *Client) ErasureRequests() []ErasureRequest {
	out := make([]ErasureRequest, 0, len(c.erasureIDs))
	for _, id := range c.erasureIDs {
		out = append(out, *c.erasures[id])
	}
	return out
}

// RequestErasure records a request to erase the client. The client or the DPO may ask; only one
// request may be open at a time (code "erasure_request_open").
func (c *Client) RequestErasure(actor domain.Actor, id domain.ID, grounds string, at time.Time) (domain.Event, error) {
	if err := c.Authorise(actor, "request_erasure", Self|DPO); err != nil {
		return nil, err
	}
	if id.IsZero() {
		return nil, domain.Invalid("request_id", "is required")
	}
	if _, ok := c.erasures[id]; ok {
		return nil, domain.Conflict("erasure_request_exists", "erasure request "+id.String()+" exists")
	}
	for _, r := range c.erasures {
		if r.Status == ErasureOpen || r.Status == ErasureApproval {
			return nil, domain.Conflict("erasure_request_open", "client "+c.id.String()+" has an open or approved erasure request")
		}
	}
	grounds = strings.TrimSpace(grounds)
	if len(grounds) > 4000 || !utf8.ValidString(grounds) {
		return nil, domain.Invalid("grounds", "must be UTF-8 of at most 4000 bytes")
	}
	ev := ErasureRequested{RequestID: id, By: actor.Role, Grounds: grounds, At: at.UTC()}
	c.Apply(ev)
	return ev, nil
}

// decidable returns the request the DPO may decide: open, or deferred (a deferral can later be
// approved or refused).
func (c *Client) decidable(actor domain.Actor, action string, id domain.ID) (*ErasureRequest, error) {
	if err := c.Authorise(actor, action, DPO); err != nil {
		return nil, err
	}
	r := c.erasures[id]
	if r == nil {
		return nil, domain.NotFound("erasure_request", id)
	}
	if r.Status != ErasureOpen && r.Status != ErasureDeferral {
		return nil, domain.Conflict("erasure_decided", "erasure request "+id.String()+" is already "+string(r.Status))
	}
	return r, nil
}

// ApproveErasure approves the request; the caller then shreds the client's key. Only the DPO may.
func (c *Client) ApproveErasure(actor domain.Actor, id domain.ID, at time.Time) (domain.Event, error) {
	if _, err := c.decidable(actor, "approve_erasure", id); err != nil {
		return nil, err
	}
	ev := ErasureApproved{RequestID: id, At: at.UTC()}
	c.Apply(ev)
	return ev, nil
}

// RefuseErasure refuses the request under an Art. 17(3) exemption. Only the DPO may.
func (c *Client) RefuseErasure(actor domain.Actor, id domain.ID, exemption Exemption, explanation string, at time.Time) (domain.Event, error) {
	if _, err := c.decidable(actor, "refuse_erasure", id); err != nil {
		return nil, err
	}
	if !exemption.Valid() {
		return nil, domain.Invalid("exemption", "is not an Art. 17(3) exemption")
	}
	explanation = strings.TrimSpace(explanation)
	if len(explanation) > 4000 || !utf8.ValidString(explanation) {
		return nil, domain.Invalid("explanation", "must be UTF-8 of at most 4000 bytes")
	}
	ev := ErasureRefused{RequestID: id, Exemption: exemption, Explanation: explanation, At: at.UTC()}
	c.Apply(ev)
	return ev, nil
}

// DeferErasure defers the request to the end of the retention period under retention, which must
// be known: the client must be discharged (code "treatment_ongoing") and the period not already
// over (code "retention_over": approve instead). Only the DPO may.
func (c *Client) DeferErasure(actor domain.Actor, id domain.ID, retention practice.Retention, at time.Time) (domain.Event, error) {
	if _, err := c.decidable(actor, "defer_erasure", id); err != nil {
		return nil, err
	}
	until, ok := c.RetentionEnds(retention)
	if !ok {
		return nil, domain.Conflict("treatment_ongoing", "client "+c.id.String()+" is not discharged: retention has not started")
	}
	if !until.After(at) {
		return nil, domain.Conflict("retention_over", "the retention period of client "+c.id.String()+" is over")
	}
	ev := ErasureDeferred{RequestID: id, Until: until, At: at.UTC()}
	c.Apply(ev)
	return ev, nil
}
