package api

import (
	"net/http"
	"time"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
)

// registerUserRequest is the body of POST /users.
type registerUserRequest struct {
	ID       domain.ID   `json:"id,omitzero"`
	Email    string      `json:"email"`
	Password string      `json:"password"`
	Role     domain.Role `json:"role"`
}

// idResponse names a created entity.
type idResponse struct {
	ID domain.ID `json:"id"`
}

// registerUser handles POST /users (admin).
func (s *server) registerUser(r *http.Request, a domain.Actor, req registerUserRequest) (idResponse, error) {
	id, err := commands.NewRegisterUserHandler(s.ident).Handle(r.Context(), a, commands.RegisterUser{
		UserID: req.ID, Role: req.Role, Email: req.Email, Password: req.Password,
	})
	return idResponse{ID: id}, err
}

// roleRequest is the body of PUT /users/{id}/role.
type roleRequest struct {
	Role domain.Role `json:"role"`
}

// changeUserRole handles PUT /users/{id}/role (admin). The user's sessions and tokens end, so the
// new role applies from their next sign-in.
func (s *server) changeUserRole(r *http.Request, a domain.Actor, req roleRequest) (none, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return none{}, err
	}
	if err := commands.NewChangeUserRoleHandler(s.ident).Handle(r.Context(), a, commands.ChangeUserRole{UserID: id, Role: req.Role}); err != nil {
		return none{}, err
	}
	return none{}, s.creds.revokeUser(r.Context(), id)
}

// statusRequest is the body of PUT /users/{id}/status.
type statusRequest struct {
	Disabled bool `json:"disabled"`
}

// setUserStatus handles PUT /users/{id}/status (admin). Disabling ends the user's sessions and
// tokens.
func (s *server) setUserStatus(r *http.Request, a domain.Actor, req statusRequest) (none, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return none{}, err
	}
	if err := commands.NewSetUserDisabledHandler(s.ident).Handle(r.Context(), a, commands.SetUserDisabled{UserID: id, Disabled: req.Disabled}); err != nil {
		return none{}, err
	}
	if !req.Disabled {
		return none{}, nil
	}
	return none{}, s.creds.revokeUser(r.Context(), id)
}

// passwordRequest is the body of PUT /me/password.
type passwordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// changePassword handles PUT /me/password: on success every session and token of the user ends
// except this session.
func (s *server) changePassword(r *http.Request, a domain.Actor, req passwordRequest) (none, error) {
	if err := commands.NewChangePasswordHandler(s.ident).Handle(r.Context(), a, commands.ChangePassword{Current: req.CurrentPassword, New: req.NewPassword}); err != nil {
		return none{}, err
	}
	return none{}, s.creds.revokeOthers(r.Context(), a.UserID, principalFrom(r.Context()).session.hash)
}

// userView is an account as admins (and the user themself) see it.
type userView struct {
	ID                domain.ID   `json:"id"`
	Role              domain.Role `json:"role"`
	Email             string      `json:"email"`
	Disabled          bool        `json:"disabled"`
	LockedUntil       time.Time   `json:"locked_until,omitzero"`
	TOTPEnabled       bool        `json:"totp_enabled"`
	RecoveryCodesLeft int         `json:"recovery_codes_left"`
}

type userListResponse struct {
	Users []userView `json:"users"`
}

func viewOf(u commands.UserSummary, now time.Time) userView {
	v := userView{ID: u.ID, Role: u.Role, Email: u.Email, Disabled: u.Disabled, TOTPEnabled: u.TOTPEnabled, RecoveryCodesLeft: u.RecoveryLeft}
	if u.LockedUntil.After(now) {
		v.LockedUntil = u.LockedUntil
	}
	return v
}

// listUsers handles GET /users (admin).
func (s *server) listUsers(r *http.Request, a domain.Actor) (userListResponse, error) {
	us, err := commands.NewListUsersHandler(s.ident, emailDirectory{pool: s.cfg.Pool}).All(r.Context(), a)
	out := userListResponse{Users: []userView{}}
	for _, u := range us {
		out.Users = append(out.Users, viewOf(u, s.clock.Now()))
	}
	return out, err
}

// getUser handles GET /users/{id} (an admin, or the user themself).
func (s *server) getUser(r *http.Request, a domain.Actor) (userView, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return userView{}, err
	}
	u, err := commands.NewListUsersHandler(s.ident, emailDirectory{pool: s.cfg.Pool}).One(r.Context(), a, id)
	return viewOf(u, s.clock.Now()), err
}

// resetTOTP handles DELETE /users/{id}/totp (admin): the user's second factor and recovery codes
// are removed and their sessions and tokens end.
func (s *server) resetTOTP(r *http.Request, a domain.Actor) (none, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return none{}, err
	}
	if err := commands.NewResetUserTOTPHandler(s.ident).Handle(r.Context(), a, id); err != nil {
		return none{}, err
	}
	return none{}, s.creds.revokeUser(r.Context(), id)
}
