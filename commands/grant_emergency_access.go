package commands

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/identity"
	"github.com/caseledger/caseledger/eventstore"
)

// EmergencyGrants keeps the list of break-glass grants: what the DPO reviews, and what a read
// checks. It holds ids and times only; the reason is in the sealed event.
type EmergencyGrants interface {
	// Record stores a grant after its event was appended.
	Record(ctx context.Context, g identity.EmergencyAccessGranted) error
	// Active reports whether therapist holds a grant on client that is live at now.
	Active(ctx context.Context, therapist, client domain.ID, now time.Time) (bool, error)
}

// GrantEmergencyAccess is a therapist breaking the glass on a client's record, with a reason.
type GrantEmergencyAccess struct {
	ClientID domain.ID
	Reason   string
}

// GrantEmergencyAccessHandler handles GrantEmergencyAccess. It is safe for concurrent use.
type GrantEmergencyAccessHandler struct {
	d      Deps
	grants EmergencyGrants
	lasts  time.Duration
}

// NewGrantEmergencyAccessHandler returns a handler whose grants last for lasts.
func NewGrantEmergencyAccessHandler(d Deps, grants EmergencyGrants, lasts time.Duration) *GrantEmergencyAccessHandler {
	return &GrantEmergencyAccessHandler{d: d, grants: grants, lasts: lasts}
}

// EmergencyStream returns the stream of one grant: "emergency-<grant uuid>".
func EmergencyStream(grant domain.ID) eventstore.StreamID { return StreamFor("emergency", grant) }

// Handle checks the client exists (KindNotFound otherwise), decides the grant
// (identity.GrantEmergencyAccess), appends EmergencyAccessGranted to a stream of its own sealed
// under the client's key, then records it in the DPO's list. It returns the grant. The record
// itself is read afterwards with ReadClientRecord{Emergency: true}, which audits the read.
func (h *GrantEmergencyAccessHandler) Handle(ctx context.Context, actor domain.Actor, cmd GrantEmergencyAccess) (identity.EmergencyAccessGranted, error) {
	if _, _, err := LoadClient(ctx, h.d, cmd.ClientID); err != nil {
		return identity.EmergencyAccessGranted{}, err
	}
	v7, err := uuid.NewV7()
	if err != nil {
		return identity.EmergencyAccessGranted{}, err
	}
	now := h.d.Clock.Now().UTC()
	g, err := identity.GrantEmergencyAccess(actor, domain.ID(v7), cmd.ClientID, cmd.Reason, now.Add(h.lasts), now)
	if err != nil {
		return identity.EmergencyAccessGranted{}, err
	}
	if _, err := appendEvents(ctx, h.d, EmergencyStream(g.GrantID), eventstore.NoStream(), Envelope{Actor: actor, Subject: cmd.ClientID}, g); err != nil {
		return identity.EmergencyAccessGranted{}, err
	}
	if err := h.grants.Record(ctx, g); err != nil {
		return identity.EmergencyAccessGranted{}, fmt.Errorf("record grant %s: %w", g.GrantID, err)
	}
	return g, nil
}

// LoadEmergencyGrant reads a grant's event (with its reason) back. A missing grant is KindNotFound
// "emergency_grant_not_found"; a shredded client's grant is an error matching domain.ErrErased.
func LoadEmergencyGrant(ctx context.Context, d Deps, grant domain.ID) (identity.EmergencyAccessGranted, error) {
	l, err := loadStream(ctx, d, EmergencyStream(grant), identity.Decode)
	if err != nil {
		return identity.EmergencyAccessGranted{}, err
	}
	for _, e := range l.Events {
		if g, ok := e.(identity.EmergencyAccessGranted); ok {
			return g, nil
		}
	}
	return identity.EmergencyAccessGranted{}, domain.NotFound("emergency_grant", grant)
}
