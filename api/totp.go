package api

import (
	"net/http"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
)

// totpStartResponse is a new TOTP secret to put in an authenticator app, shown once.
type totpStartResponse struct {
	Secret     string `json:"secret"`
	OTPAuthURL string `json:"otpauth_url"`
}

// startTOTP handles POST /me/totp.
func (s *server) startTOTP(r *http.Request, a domain.Actor) (totpStartResponse, error) {
	e, err := commands.NewEnrolTOTPHandler(s.ident).Start(r.Context(), a)
	return totpStartResponse{Secret: e.Secret, OTPAuthURL: e.URL}, err
}

// totpConfirmRequest is the body of POST /me/totp/confirm.
type totpConfirmRequest struct {
	Code string `json:"code"`
}

// totpConfirmResponse holds the recovery codes, shown once.
type totpConfirmResponse struct {
	RecoveryCodes []string `json:"recovery_codes"`
}

// confirmTOTP handles POST /me/totp/confirm. On success a session limited to enrolment becomes a
// full one.
func (s *server) confirmTOTP(r *http.Request, a domain.Actor, req totpConfirmRequest) (totpConfirmResponse, error) {
	codes, err := commands.NewEnrolTOTPHandler(s.ident).Confirm(r.Context(), a, req.Code)
	if err != nil {
		return totpConfirmResponse{}, err
	}
	if p := principalFrom(r.Context()); p.session.stage != stageFull {
		if err := s.creds.setStage(r.Context(), p.session.hash, stageFull); err != nil {
			return totpConfirmResponse{}, err
		}
	}
	return totpConfirmResponse{RecoveryCodes: codes}, nil
}

// regenerateRecoveryCodes handles POST /me/recovery-codes: new codes, proved by a fresh TOTP code.
func (s *server) regenerateRecoveryCodes(r *http.Request, a domain.Actor, req totpConfirmRequest) (totpConfirmResponse, error) {
	codes, err := commands.NewEnrolTOTPHandler(s.ident).RegenerateRecoveryCodes(r.Context(), a, req.Code)
	return totpConfirmResponse{RecoveryCodes: codes}, err
}
