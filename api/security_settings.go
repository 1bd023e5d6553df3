package api

import (
	"net/http"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
)

// securitySettingsRequest is the body of PUT /security-settings.
type securitySettingsRequest struct {
	RequireStaffTOTP bool `json:"require_staff_totp"`
}

// securitySettingsResponse is the practice's recorded security settings.
type securitySettingsResponse struct {
	RequireStaffTOTP bool `json:"require_staff_totp"`
}

// getSecuritySettings handles GET /security-settings.
func (s *server) getSecuritySettings(r *http.Request, _ domain.Actor) (securitySettingsResponse, error) {
	st, _, err := commands.LoadSecuritySettings(r.Context(), s.deps())
	return securitySettingsResponse{RequireStaffTOTP: st.RequireStaffTOTP()}, err
}

// setSecuritySettings handles PUT /security-settings (admin): the choice is an event naming the
// admin.
func (s *server) setSecuritySettings(r *http.Request, a domain.Actor, req securitySettingsRequest) (none, error) {
	return none{}, commands.NewSetStaffTOTPRequirementHandler(s.deps()).Handle(r.Context(), a, req.RequireStaffTOTP)
}
