package api

import (
	"net/http"

	"github.com/caseledger/caseledger/commands"
)

// totpStartResponse is a new TOTP secret to put in an authenticator app, shown once.
type totpStartResponse struct {
	Secret     string `json:"secret"`
	OTPAuthURL string `json:"otpauth_url"`
}

// startTOTP handles POST /me/totp.
func (s *server) startTOTP(w http.ResponseWriter, r *http.Request) error {
	e, err := commands.NewEnrolTOTPHandler(s.ident).Start(r.Context(), actorFrom(r.Context()))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, totpStartResponse{Secret: e.Secret, OTPAuthURL: e.URL})
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
func (s *server) confirmTOTP(w http.ResponseWriter, r *http.Request) error {
	var req totpConfirmRequest
	if err := decodeBody(w, r, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	codes, err := commands.NewEnrolTOTPHandler(s.ident).Confirm(r.Context(), actorFrom(r.Context()), req.Code)
	if err != nil {
		return err
	}
	if p := principalFrom(r.Context()); p.session.stage != stageFull {
		if err := s.creds.setStage(r.Context(), p.session.hash, stageFull); err != nil {
			return err
		}
	}
	return writeJSON(w, http.StatusOK, totpConfirmResponse{RecoveryCodes: codes})
}
