package client

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/practice"
)

// TransferBasis is why a record moved to another therapist.
type TransferBasis string

// The transfer bases.
const (
	// TransferByConsent: the client consented to the move (ConsentMethod and ConsentedAt say how
	// and when).
	TransferByConsent TransferBasis = "client_consent"
	// TransferByDPO: the DPO decided, with a stated reason.
	TransferByDPO TransferBasis = "dpo_decision"
)

// Transfer is a request to move a record to another therapist.
type Transfer struct {
	To    domain.ID
	Basis TransferBasis
	// ConsentMethod and ConsentedAt record the client's consent (TransferByConsent). A client
	// moving their own record through the portal consents by doing so.
	ConsentMethod SigningMethod
	ConsentedAt   time.Time
	// Reason is required for TransferByDPO.
	Reason string
}

// TransferRecord moves the record to t.To, a therapist of practice p. With the client's consent
// the holder, an admin or the client may move it (the DPO too); on a DPO decision only the DPO.
// An archived record can only be moved by the DPO. Afterwards the previous holder has no access.
func (c *Client) TransferRecord(actor domain.Actor, p *practice.Practice, t Transfer, at time.Time) (domain.Event, error) {
	parties := DPO
	if t.Basis == TransferByConsent && !c.holder.IsZero() {
		parties |= Holder | Admin | Self
	}
	if err := c.Authorise(actor, "transfer_record", parties); err != nil {
		return nil, err
	}
	ev := RecordTransferred{From: c.holder, To: t.To, Basis: t.Basis, At: at.UTC()}
	switch t.Basis {
	case TransferByConsent:
		if actor.Role == domain.RoleClient {
			t.ConsentMethod, t.ConsentedAt = SignedPortal, at
		}
		if err := checkMethod(actor, t.ConsentMethod); err != nil {
			return nil, err
		}
		if t.ConsentedAt.IsZero() || t.ConsentedAt.After(at) {
			return nil, domain.Invalid("consented_at", "must not be in the future")
		}
		ev.ConsentMethod, ev.ConsentedAt = t.ConsentMethod, t.ConsentedAt.UTC()
	case TransferByDPO:
		reason, err := checkReason(t.Reason)
		if err != nil {
			return nil, err
		}
		ev.Reason = reason
	default:
		return nil, domain.Invalid("basis", "must be client_consent or dpo_decision")
	}
	if !p.HasStaff(t.To, domain.RoleTherapist) {
		return nil, domain.NotFound("therapist", t.To)
	}
	if t.To == c.holder {
		return nil, domain.Conflict("already_holder", "therapist "+t.To.String()+" already holds the record")
	}
	c.Apply(ev)
	return ev, nil
}

// Archive takes the record from its holder without giving it to anyone, for a therapist who
// leaves. The DPO or an admin may; reason is required.
func (c *Client) Archive(actor domain.Actor, reason string, at time.Time) (domain.Event, error) {
	if err := c.Authorise(actor, "archive_record", DPO|Admin); err != nil {
		return nil, err
	}
	if c.holder.IsZero() {
		return nil, domain.Conflict("record_archived", "the record of client "+c.id.String()+" is archived")
	}
	reason, err := checkReason(reason)
	if err != nil {
		return nil, err
	}
	ev := RecordArchived{From: c.holder, Reason: reason, At: at.UTC()}
	c.Apply(ev)
	return ev, nil
}

// checkReason trims a required free-text reason of at most 2000 bytes.
func checkReason(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 2000 || !utf8.ValidString(s) {
		return "", domain.Invalid("reason", "is required, UTF-8 of at most 2000 bytes")
	}
	return s, nil
}
