package api

import (
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/domain"
)

// tokenResponse is a new bearer token, shown once; only its hash is stored.
type tokenResponse struct {
	ID        domain.ID `json:"id"`
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// createToken handles POST /tokens: a bearer token acting as the signed-in staff user, in their
// current role, for the configured lifetime.
func (s *server) createToken(w http.ResponseWriter, r *http.Request) error {
	v7, err := uuid.NewV7()
	if err != nil {
		return err
	}
	now := s.clock.Now()
	expires := now.Add(s.cfg.TokenLifetime).UTC()
	tok, err := s.creds.createToken(r.Context(), domain.ID(v7), actorFrom(r.Context()), now, expires)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, tokenResponse{ID: domain.ID(v7), Token: tok, ExpiresAt: expires})
}

// deleteToken handles DELETE /tokens/{id}: the caller's own token only (another user's answers
// 404 "token_not_found").
func (s *server) deleteToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.creds.deleteToken(r.Context(), actorFrom(r.Context()).UserID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
