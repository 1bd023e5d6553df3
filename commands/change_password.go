package commands

import (
	"context"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/identity"
)

// ChangePassword replaces the signed-in user's password; the current one must be given.
type ChangePassword struct {
	Current string
	New     string
}

// ChangePasswordHandler handles ChangePassword. It is safe for concurrent use.
type ChangePasswordHandler struct{ d IdentityDeps }

// NewChangePasswordHandler returns a handler over d.
func NewChangePasswordHandler(d IdentityDeps) *ChangePasswordHandler {
	return &ChangePasswordHandler{d: d}
}

// Handle checks the current password (a wrong one counts as a failed sign-in, so guessing through
// this route meets the same lockout), applies the password policy to the new one, and appends
// UserPasswordChanged. The caller ends the user's other sessions.
func (h *ChangePasswordHandler) Handle(ctx context.Context, actor domain.Actor, cmd ChangePassword) error {
	u, _, err := LoadUser(ctx, h.d.Deps, actor.UserID)
	if err != nil {
		return err
	}
	if !u.Exists() {
		return domain.NotFound("user", actor.UserID)
	}
	if err := identity.CheckPassword(cmd.New, u.Email()); err != nil {
		return err
	}
	hash, err := h.d.Hasher.Hash(cmd.New)
	if err != nil {
		return err
	}
	checked, ok := false, false
	_, err = decideUser(ctx, h.d.Deps, actor, actor.UserID, func(u *identity.User, now time.Time) ([]domain.Event, error) {
		if evs, err := u.Gate(now, h.d.Policy); err != nil {
			return evs, err
		}
		if !checked {
			checked, ok = true, h.d.Hasher.Verify(cmd.Current, u.PasswordHash())
		}
		if !ok {
			evs, _ := u.SignIn(now, h.d.Policy, domain.ID{}, identity.Proof{})
			return evs, identity.ErrInvalidCredentials
		}
		return u.ChangePassword(actor.UserID, hash, now)
	})
	return err
}
