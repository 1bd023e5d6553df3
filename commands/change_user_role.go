package commands

import (
	"context"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/identity"
)

// ChangeUserRole moves a user to another role.
type ChangeUserRole struct {
	UserID domain.ID
	Role   domain.Role
}

// ChangeUserRoleHandler handles ChangeUserRole. It is safe for concurrent use.
type ChangeUserRoleHandler struct{ d IdentityDeps }

// NewChangeUserRoleHandler returns a handler over d.
func NewChangeUserRoleHandler(d IdentityDeps) *ChangeUserRoleHandler {
	return &ChangeUserRoleHandler{d: d}
}

// Handle appends UserRoleChanged by an admin (see identity.User.ChangeRole for the rules). A missing
// user gives KindNotFound "user_not_found". The caller ends the user's sessions, so the new role
// applies from the next sign-in.
func (h *ChangeUserRoleHandler) Handle(ctx context.Context, actor domain.Actor, cmd ChangeUserRole) error {
	_, err := decideUser(ctx, h.d.Deps, actor, cmd.UserID, func(u *identity.User, now time.Time) ([]domain.Event, error) {
		return u.ChangeRole(actor, cmd.UserID, cmd.Role, now)
	})
	return err
}

// SetUserDisabled disables (Disabled true) or re-enables a user account.
type SetUserDisabled struct {
	UserID   domain.ID
	Disabled bool
}

// SetUserDisabledHandler handles SetUserDisabled. It is safe for concurrent use.
type SetUserDisabledHandler struct{ d IdentityDeps }

// NewSetUserDisabledHandler returns a handler over d.
func NewSetUserDisabledHandler(d IdentityDeps) *SetUserDisabledHandler {
	return &SetUserDisabledHandler{d: d}
}

// Handle appends UserDisabled or UserEnabled by an admin (see identity.User.SetDisabled). The
// caller ends the user's sessions when disabling.
func (h *SetUserDisabledHandler) Handle(ctx context.Context, actor domain.Actor, cmd SetUserDisabled) error {
	_, err := decideUser(ctx, h.d.Deps, actor, cmd.UserID, func(u *identity.User, now time.Time) ([]domain.Event, error) {
		return u.SetDisabled(actor, cmd.UserID, cmd.Disabled, now)
	})
	return err
}

// ResetUserTOTPHandler removes a user's second factor, by an admin. It is safe for concurrent use.
type ResetUserTOTPHandler struct{ d IdentityDeps }

// NewResetUserTOTPHandler returns a handler over d.
func NewResetUserTOTPHandler(d IdentityDeps) *ResetUserTOTPHandler {
	return &ResetUserTOTPHandler{d: d}
}

// Handle appends UserTOTPReset (see identity.User.ResetTOTP). The caller ends the user's sessions.
func (h *ResetUserTOTPHandler) Handle(ctx context.Context, actor domain.Actor, user domain.ID) error {
	_, err := decideUser(ctx, h.d.Deps, actor, user, func(u *identity.User, now time.Time) ([]domain.Event, error) {
		return u.ResetTOTP(actor, user, now)
	})
	return err
}
