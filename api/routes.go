package api

import (
	"net/http"

	"github.com/caseledger/caseledger/domain"
)

// staff is every role but client.
var staff = []domain.Role{domain.RoleTherapist, domain.RolePracticeManager, domain.RoleDPO, domain.RoleAuditor, domain.RoleAdmin}

// routes lists every endpoint under /api/v1. api/openapi.json documents exactly these (a test
// holds them together).
func (s *server) routes() []route {
	var all []route
	for _, group := range [][]route{s.identityRoutes(), s.practiceRoutes(), s.clientRoutes(), s.noteRoutes(), s.emergencyRoutes(), s.schedulingRoutes(), s.readModelRoutes(), s.portalRoutes(), s.sarRoutes()} {
		all = append(all, group...)
	}
	return all
}

// identityRoutes are sign-in, sessions, second factors, tokens and user administration.
func (s *server) identityRoutes() []route {
	return []route{
		{method: "GET", path: "/openapi.json", public: true, handle: serveOpenAPI},

		{method: "POST", path: "/sessions", public: true, handle: s.signIn},
		{method: "DELETE", path: "/sessions/current", enrol: true, sessionOnly: true, handle: s.signOut},
		{method: "GET", path: "/me", enrol: true, handle: noBody(http.StatusOK, s.me)},
		{method: "PUT", path: "/me/password", sessionOnly: true, handle: withBody(s, http.StatusNoContent, s.changePassword)},
		{method: "POST", path: "/me/totp", enrol: true, sessionOnly: true, handle: noBody(http.StatusCreated, s.startTOTP)},
		{method: "POST", path: "/me/totp/confirm", enrol: true, sessionOnly: true, handle: withBody(s, http.StatusOK, s.confirmTOTP)},
		{method: "POST", path: "/me/recovery-codes", sessionOnly: true, handle: withBody(s, http.StatusOK, s.regenerateRecoveryCodes)},
		{method: "POST", path: "/tokens", sessionOnly: true, roles: staff, handle: noBody(http.StatusCreated, s.createToken)},
		{method: "DELETE", path: "/tokens/{id}", handle: noBody(http.StatusNoContent, s.deleteToken)},

		{method: "POST", path: "/users", roles: []domain.Role{domain.RoleAdmin}, handle: withBody(s, http.StatusCreated, s.registerUser)},
		{method: "GET", path: "/users", roles: []domain.Role{domain.RoleAdmin}, handle: noBody(http.StatusOK, s.listUsers)},
		{method: "GET", path: "/users/{id}", handle: noBody(http.StatusOK, s.getUser)},
		{method: "PUT", path: "/users/{id}/role", roles: []domain.Role{domain.RoleAdmin}, handle: withBody(s, http.StatusNoContent, s.changeUserRole)},
		{method: "PUT", path: "/users/{id}/status", roles: []domain.Role{domain.RoleAdmin}, handle: withBody(s, http.StatusNoContent, s.setUserStatus)},
		{method: "DELETE", path: "/users/{id}/totp", roles: []domain.Role{domain.RoleAdmin}, handle: noBody(http.StatusNoContent, s.resetTOTP)},
		{method: "GET", path: "/security-settings", roles: []domain.Role{domain.RoleAdmin, domain.RoleDPO, domain.RoleAuditor}, handle: noBody(http.StatusOK, s.getSecuritySettings)},
		{method: "PUT", path: "/security-settings", roles: []domain.Role{domain.RoleAdmin}, handle: withBody(s, http.StatusNoContent, s.setSecuritySettings)},
	}
}
