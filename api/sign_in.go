package api

import (
	"net/http"
	"time"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
)

// signInRequest is the body of POST /sessions.
type signInRequest struct {
	Email        string `json:"email"`
	Password     string `json:"password"`
	TOTPCode     string `json:"totp_code,omitempty"`
	RecoveryCode string `json:"recovery_code,omitempty"`
}

// sessionResponse describes a new session. CSRFToken must accompany every unsafe request made with
// the session cookie, in the X-CSRF-Token header.
type sessionResponse struct {
	UserID        domain.ID   `json:"user_id"`
	Role          domain.Role `json:"role"`
	CSRFToken     string      `json:"csrf_token"`
	MustEnrolTOTP bool        `json:"must_enrol_totp"`
	IdleTimeout   int         `json:"idle_timeout_seconds"`
	ExpiresAt     time.Time   `json:"expires_at"`
}

// signIn handles POST /sessions: per-address limit, then the SignIn command, then a new session
// cookie. A user who must enrol TOTP gets a session that can only do that.
func (s *server) signIn(w http.ResponseWriter, r *http.Request) error {
	if err := s.limiter.allow(r, s.clock.Now()); err != nil {
		return err
	}
	var req signInRequest
	if err := decodeBody(w, r, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	out, err := commands.NewSignInHandler(s.ident).Handle(r.Context(), commands.SignIn{
		Email: req.Email, Password: req.Password, TOTPCode: req.TOTPCode, RecoveryCode: req.RecoveryCode,
	})
	if err != nil {
		_, code, _ := statusFor(err)
		s.metrics.signIns.WithLabelValues(code).Inc()
		return err
	}
	s.metrics.signIns.WithLabelValues("ok").Inc()
	stage := stageFull
	if out.MustEnrolTOTP {
		stage = stageEnrolTOTP
	}
	now := s.clock.Now()
	actor := domain.Actor{UserID: out.UserID, Role: out.Role}
	// A session this browser held before ends: signing in always starts a fresh one.
	if old, err := r.Cookie(sessionCookie); err == nil && old.Value != "" {
		if err := s.creds.deleteSession(r.Context(), hashSecret(old.Value)); err != nil {
			return err
		}
	}
	secret, csrf, err := s.creds.createSession(r.Context(), out.SessionID, actor, stage, now)
	if err != nil {
		return err
	}
	infoFrom(r.Context()).principal = &principal{actor: actor}
	setSessionCookie(w, secret)
	return writeJSON(w, http.StatusCreated, sessionResponse{
		UserID: out.UserID, Role: out.Role, CSRFToken: csrf, MustEnrolTOTP: out.MustEnrolTOTP,
		IdleTimeout: int(s.cfg.Policy.IdleTimeout / time.Second),
		ExpiresAt:   now.Add(s.cfg.Policy.SessionLifetime).UTC(),
	})
}

// signOut handles DELETE /sessions/current.
func (s *server) signOut(w http.ResponseWriter, r *http.Request) error {
	if err := s.creds.deleteSession(r.Context(), principalFrom(r.Context()).session.hash); err != nil {
		return err
	}
	clearSessionCookie(w)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// meResponse is who the caller is.
type meResponse struct {
	UserID domain.ID   `json:"user_id"`
	Role   domain.Role `json:"role"`
	Via    string      `json:"via"`
	Stage  string      `json:"stage,omitempty"`
}

// me handles GET /me.
func (s *server) me(r *http.Request, _ domain.Actor) (meResponse, error) {
	p := principalFrom(r.Context())
	out := meResponse{UserID: p.actor.UserID, Role: p.actor.Role, Via: "token"}
	if p.session != nil {
		out.Via, out.Stage = "session", p.session.stage
	}
	return out, nil
}
