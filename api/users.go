package api

import (
	"net/http"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
)

// registerUserRequest is the body of POST /users.
type registerUserRequest struct {
	ID       domain.ID   `json:"id,omitempty"`
	Email    string      `json:"email"`
	Password string      `json:"password"`
	Role     domain.Role `json:"role"`
}

// idResponse names a created entity.
type idResponse struct {
	ID domain.ID `json:"id"`
}

// registerUser handles POST /users (admin).
func (s *server) registerUser(w http.ResponseWriter, r *http.Request) error {
	var req registerUserRequest
	if err := decodeBody(w, r, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	id, err := commands.NewRegisterUserHandler(s.ident).Handle(r.Context(), actorFrom(r.Context()), commands.RegisterUser{
		UserID: req.ID, Role: req.Role, Email: req.Email, Password: req.Password,
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, idResponse{ID: id})
}

// roleRequest is the body of PUT /users/{id}/role.
type roleRequest struct {
	Role domain.Role `json:"role"`
}

// changeUserRole handles PUT /users/{id}/role (admin). The user's sessions and tokens end, so the
// new role applies from their next sign-in.
func (s *server) changeUserRole(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req roleRequest
	if err := decodeBody(w, r, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	if err := commands.NewChangeUserRoleHandler(s.ident).Handle(r.Context(), actorFrom(r.Context()), commands.ChangeUserRole{UserID: id, Role: req.Role}); err != nil {
		return err
	}
	if err := s.creds.revokeUser(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// statusRequest is the body of PUT /users/{id}/status.
type statusRequest struct {
	Disabled bool `json:"disabled"`
}

// setUserStatus handles PUT /users/{id}/status (admin). Disabling ends the user's sessions and
// tokens.
func (s *server) setUserStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req statusRequest
	if err := decodeBody(w, r, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	if err := commands.NewSetUserDisabledHandler(s.ident).Handle(r.Context(), actorFrom(r.Context()), commands.SetUserDisabled{UserID: id, Disabled: req.Disabled}); err != nil {
		return err
	}
	if req.Disabled {
		if err := s.creds.revokeUser(r.Context(), id); err != nil {
			return err
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// passwordRequest is the body of PUT /me/password.
type passwordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// changePassword handles PUT /me/password: on success every session and token of the user ends
// except this session.
func (s *server) changePassword(w http.ResponseWriter, r *http.Request) error {
	var req passwordRequest
	if err := decodeBody(w, r, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	p := principalFrom(r.Context())
	if err := commands.NewChangePasswordHandler(s.ident).Handle(r.Context(), p.actor, commands.ChangePassword{Current: req.CurrentPassword, New: req.NewPassword}); err != nil {
		return err
	}
	if err := s.creds.revokeOthers(r.Context(), p.actor.UserID, p.session.hash); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// securitySettingsRequest is the body of PUT /security-settings.
type securitySettingsRequest struct {
	RequireStaffTOTP bool `json:"require_staff_totp"`
}

// securitySettingsResponse is the practice's recorded security settings.
type securitySettingsResponse struct {
	RequireStaffTOTP bool `json:"require_staff_totp"`
}
