package commands

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/identity"
	"github.com/caseledger/caseledger/eventstore"
)

// RegisterUser creates a user account. UserID may be preset (the zero ID means a fresh UUIDv7);
// for a client's portal account it is the client's id.
type RegisterUser struct {
	UserID   domain.ID
	Role     domain.Role
	Email    string
	Password string
}

// RegisterUserHandler handles RegisterUser. It is safe for concurrent use.
type RegisterUserHandler struct{ d IdentityDeps }

// NewRegisterUserHandler returns a handler over d.
func NewRegisterUserHandler(d IdentityDeps) *RegisterUserHandler { return &RegisterUserHandler{d: d} }

// Handle registers the user and returns its id. Only an admin, or the system (bootstrap and demo
// seeding), may register users (KindForbidden "admin_only"). The password must pass
// identity.CheckPassword; the email must be unused (KindConflict "email_taken"). The email is
// claimed in the directory by its blind-index token before the UserRegistered event is appended,
// and released again if the append fails, so two registrations of one email cannot both succeed.
func (h *RegisterUserHandler) Handle(ctx context.Context, actor domain.Actor, cmd RegisterUser) (domain.ID, error) {
	if actor.Role != domain.RoleAdmin && actor.Role != domain.RoleSystem {
		return domain.ID{}, domain.Forbidden("admin_only", "only an admin can register users")
	}
	if err := identity.CheckEmail(cmd.Email); err != nil {
		return domain.ID{}, err
	}
	if err := identity.CheckPassword(cmd.Password, cmd.Email); err != nil {
		return domain.ID{}, err
	}
	id := cmd.UserID
	if id.IsZero() {
		v7, err := uuid.NewV7()
		if err != nil {
			return domain.ID{}, err
		}
		id = domain.ID(v7)
	}
	hash, err := h.d.Hasher.Hash(cmd.Password)
	if err != nil {
		return domain.ID{}, err
	}
	evs, err := identity.FromHistory(nil).Register(id, cmd.Role, cmd.Email, hash, h.d.Clock.Now().UTC())
	if err != nil {
		return domain.ID{}, err
	}
	tok, err := h.d.emailToken(ctx, cmd.Email)
	if err != nil {
		return domain.ID{}, err
	}
	if err := h.d.Directory.Claim(ctx, tok, id); err != nil {
		return domain.ID{}, err
	}
	_, err = appendEvents(ctx, h.d.Deps, UserStream(id), eventstore.NoStream(), userEnvelope(actor, id), evs...)
	if err != nil {
		if rerr := h.d.Directory.Release(context.WithoutCancel(ctx), tok, id); rerr != nil {
			err = errors.Join(err, rerr)
		}
		if errors.Is(err, eventstore.ErrWrongExpectedVersion) {
			return domain.ID{}, domain.Conflict("user_exists", "user "+id.String()+" already exists")
		}
		return domain.ID{}, err
	}
	return id, nil
}
