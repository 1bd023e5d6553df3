package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/caseledger/caseledger/domain"
)

// Session stages: a full session, or one that may only enrol a second factor.
const (
	stageFull      = "full"
	stageEnrolTOTP = "enrol_totp"
)

// tokenPrefix marks Caseledger bearer tokens, so secret scanners can find leaked ones.
const tokenPrefix = "clt_"

// session is a row of api_sessions.
type session struct {
	hash      []byte
	id        domain.ID
	actor     domain.Actor
	stage     string
	csrfHash  []byte
	createdAt time.Time
	lastSeen  time.Time
}

// credentialStore keeps sessions and bearer tokens, by the SHA-256 of their secrets only. The
// secrets themselves live in the browser or the integration. Safe for concurrent use.
type credentialStore struct{ pool *pgxpool.Pool }

// newSecret returns 32 random bytes, base64url-encoded, and their SHA-256.
func newSecret() (string, []byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("secret: %w", err)
	}
	s := base64.RawURLEncoding.EncodeToString(b)
	return s, hashSecret(s), nil
}

func hashSecret(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// createSession stores a new session for actor and returns its secret and CSRF token.
func (c credentialStore) createSession(ctx context.Context, id domain.ID, actor domain.Actor, stage string, now time.Time) (secret, csrf string, err error) {
	secret, hash, err := newSecret()
	if err != nil {
		return "", "", err
	}
	csrf, csrfHash, err := newSecret()
	if err != nil {
		return "", "", err
	}
	_, err = c.pool.Exec(ctx, `INSERT INTO api_sessions (secret_hash, session_id, user_id, role, stage, csrf_hash, created_at, last_seen_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, hash, uuid.UUID(id), uuid.UUID(actor.UserID), string(actor.Role), stage, csrfHash, now)
	if err != nil {
		return "", "", fmt.Errorf("create session %s: %w", id, err)
	}
	return secret, csrf, nil
}

// sessionUse is one request's use of a session: when it happens, the session policy it is held
// to, and the CSRF proof it brings.
type sessionUse struct {
	now            time.Time
	idle, lifetime time.Duration
	// unsafe is set for a method that changes state; csrfHash is then the SHA-256 of the
	// X-CSRF-Token the request sent, or nil when it sent none or came from a foreign Origin.
	unsafe   bool
	csrfHash []byte
}

// useSession looks up the session whose secret is secret and settles its expiry and activity in
// one statement, one round trip, on the row as it was before the request:
//   - an unknown secret (never issued, signed out, revoked) is errUnauthenticated;
//   - a session idle for u.idle or older than u.lifetime is deleted and errSessionExpired;
//   - otherwise last_seen_at becomes u.now when it is touchEvery or more behind (so a busy session
//     costs a write every touchEvery, not one per request), unless the request is unsafe and its
//     CSRF token does not match: a refused request never keeps a session alive.
//
// Nothing is cached: revoking or deleting the row ends the session on the very next request. The
// caller still checks the CSRF token itself (checkCSRF, in constant time) before acting.
func (c credentialStore) useSession(ctx context.Context, secret string, u sessionUse) (session, error) {
	s := session{hash: hashSecret(secret)}
	var id, user uuid.UUID
	var role string
	var expired bool
	err := c.pool.QueryRow(ctx, `WITH s AS (
			SELECT session_id, user_id, role, stage, csrf_hash, created_at, last_seen_at,
			       last_seen_at <= $2 OR created_at <= $3 AS expired
			  FROM api_sessions WHERE secret_hash = $1
		), ended AS (
			DELETE FROM api_sessions WHERE secret_hash = $1 AND (last_seen_at <= $2 OR created_at <= $3)
		), touched AS (
			UPDATE api_sessions SET last_seen_at = $5
			 WHERE secret_hash = $1 AND last_seen_at > $2 AND created_at > $3 AND last_seen_at <= $4
			   AND (NOT $6 OR csrf_hash = $7)
		)
		SELECT session_id, user_id, role, stage, csrf_hash, created_at, last_seen_at, expired FROM s`,
		s.hash, u.now.Add(-u.idle), u.now.Add(-u.lifetime), u.now.Add(-touchEvery), u.now, u.unsafe, u.csrfHash).
		Scan(&id, &user, &role, &s.stage, &s.csrfHash, &s.createdAt, &s.lastSeen, &expired)
	if errors.Is(err, pgx.ErrNoRows) {
		return session{}, errUnauthenticated
	}
	if err != nil {
		return session{}, fmt.Errorf("read session: %w", err)
	}
	if expired {
		return session{}, errSessionExpired
	}
	s.id, s.actor = domain.ID(id), domain.Actor{UserID: domain.ID(user), Role: domain.Role(role)}
	return s, nil
}

// setStage moves a session to stage.
func (c credentialStore) setStage(ctx context.Context, hash []byte, stage string) error {
	if _, err := c.pool.Exec(ctx, `UPDATE api_sessions SET stage = $2 WHERE secret_hash = $1`, hash, stage); err != nil {
		return fmt.Errorf("set session stage: %w", err)
	}
	return nil
}

// deleteSession ends one session.
func (c credentialStore) deleteSession(ctx context.Context, hash []byte) error {
	if _, err := c.pool.Exec(ctx, `DELETE FROM api_sessions WHERE secret_hash = $1`, hash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// revokeUser ends every session and bearer token of user, in one transaction.
func (c credentialStore) revokeUser(ctx context.Context, user domain.ID) error {
	return pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM api_sessions WHERE user_id = $1`, uuid.UUID(user)); err != nil {
			return fmt.Errorf("revoke sessions of %s: %w", user, err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM api_tokens WHERE user_id = $1`, uuid.UUID(user)); err != nil {
			return fmt.Errorf("revoke tokens of %s: %w", user, err)
		}
		return nil
	})
}

// revokeOthers ends every session and bearer token of user except the session keep.
func (c credentialStore) revokeOthers(ctx context.Context, user domain.ID, keep []byte) error {
	return pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM api_sessions WHERE user_id = $1 AND secret_hash <> $2`, uuid.UUID(user), keep); err != nil {
			return fmt.Errorf("revoke other sessions of %s: %w", user, err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM api_tokens WHERE user_id = $1`, uuid.UUID(user)); err != nil {
			return fmt.Errorf("revoke tokens of %s: %w", user, err)
		}
		return nil
	})
}

// createToken stores a bearer token for actor valid until expires and returns it; only its hash is
// kept.
func (c credentialStore) createToken(ctx context.Context, id domain.ID, actor domain.Actor, now, expires time.Time) (string, error) {
	secret, _, err := newSecret()
	if err != nil {
		return "", err
	}
	token := tokenPrefix + secret
	_, err = c.pool.Exec(ctx, `INSERT INTO api_tokens (token_hash, token_id, user_id, role, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		hashSecret(token), uuid.UUID(id), uuid.UUID(actor.UserID), string(actor.Role), now, expires)
	if err != nil {
		return "", fmt.Errorf("create token %s: %w", id, err)
	}
	return token, nil
}

// token returns the actor and expiry of a bearer token, or errUnauthenticated.
func (c credentialStore) token(ctx context.Context, token string) (domain.ID, domain.Actor, time.Time, error) {
	if !strings.HasPrefix(token, tokenPrefix) {
		return domain.ID{}, domain.Actor{}, time.Time{}, errUnauthenticated
	}
	var id, user uuid.UUID
	var role string
	var expires time.Time
	err := c.pool.QueryRow(ctx, `SELECT token_id, user_id, role, expires_at FROM api_tokens WHERE token_hash = $1`, hashSecret(token)).
		Scan(&id, &user, &role, &expires)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.ID{}, domain.Actor{}, time.Time{}, errUnauthenticated
	}
	if err != nil {
		return domain.ID{}, domain.Actor{}, time.Time{}, fmt.Errorf("read token: %w", err)
	}
	return domain.ID(id), domain.Actor{UserID: domain.ID(user), Role: domain.Role(role)}, expires, nil
}

// deleteToken revokes user's token id; a token of another user is not found.
func (c credentialStore) deleteToken(ctx context.Context, user, id domain.ID) error {
	tag, err := c.pool.Exec(ctx, `DELETE FROM api_tokens WHERE token_id = $1 AND user_id = $2`, uuid.UUID(id), uuid.UUID(user))
	if err != nil {
		return fmt.Errorf("delete token %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return domain.NotFound("token", id)
	}
	return nil
}

var (
	errUnauthenticated = apiError(domain.KindInvalid, "unauthenticated", "sign in, or send a valid bearer token")
	errSessionExpired  = apiError(domain.KindInvalid, "session_expired", "the session ended after inactivity or its lifetime; sign in again")
)
