package commands

import (
	"context"
	"errors"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/practice"
	"github.com/caseledger/caseledger/eventstore"
)

// RegisterClient registers a client under a therapist of a practice. ClientID may be preset (the
// zero ID means a fresh UUIDv7).
type RegisterClient struct {
	ClientID    domain.ID
	PracticeID  domain.ID
	TherapistID domain.ID
	RecordKind  practice.RecordKind
	Details     client.Details
}

// RegisterClientHandler handles RegisterClient. It is safe for concurrent use.
type RegisterClientHandler struct{ d Deps }

// NewRegisterClientHandler returns a handler over d.
func NewRegisterClientHandler(d Deps) *RegisterClientHandler { return &RegisterClientHandler{d: d} }

// Handle registers the client and returns its id. Authorisation and validation are
// client.Register's. The client id is first added to the therapist's caseload index, then
// ClientRegistered opens "client-<id>" sealed under the client's key; if that second append
// fails, the caseload holds an id with no client, which readers skip. A client id in use is a
// KindConflict error ("client_exists").
func (h *RegisterClientHandler) Handle(ctx context.Context, actor domain.Actor, cmd RegisterClient) (domain.ID, error) {
	p, _, err := LoadPractice(ctx, h.d, cmd.PracticeID)
	if err != nil {
		return domain.ID{}, err
	}
	id := cmd.ClientID
	if id.IsZero() {
		if id, err = newID(); err != nil {
			return domain.ID{}, err
		}
	}
	_, ev, err := client.Register(actor, p, id, cmd.TherapistID, cmd.RecordKind, cmd.Details, h.d.Clock.Now())
	if err != nil {
		return domain.ID{}, err
	}
	if err := addToCaseload(ctx, h.d, actor, cmd.TherapistID, id); err != nil {
		return domain.ID{}, err
	}
	_, err = appendEvents(ctx, h.d, ClientStream(id), eventstore.NoStream(), Envelope{Actor: actor, Subject: id}, ev)
	if errors.Is(err, eventstore.ErrWrongExpectedVersion) {
		return domain.ID{}, domain.Conflict("client_exists", "client "+id.String()+" exists")
	}
	if err != nil {
		return domain.ID{}, err
	}
	return id, nil
}
