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
func (s *server) createToken(r *http.Request, a domain.Actor) (tokenResponse, error) {
	v7, err := uuid.NewV7()
	if err != nil {
		return tokenResponse{}, err
	}
	now := s.clock.Now()
	expires := now.Add(s.cfg.TokenLifetime).UTC()
	tok, err := s.creds.createToken(r.Context(), domain.ID(v7), a, now, expires)
	return tokenResponse{ID: domain.ID(v7), Token: tok, ExpiresAt: expires}, err
}

// deleteToken handles DELETE /tokens/{id}: the caller's own token only (another user's answers
// 404 "token_not_found").
func (s *server) deleteToken(r *http.Request, a domain.Actor) (none, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return none{}, err
	}
	return none{}, s.creds.deleteToken(r.Context(), a.UserID, id)
}
