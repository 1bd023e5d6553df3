package api

import (
	"context"
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/caseledger/caseledger/domain"
)

// Cookie and header names. The __Host- prefix makes browsers insist on Secure, Path=/ and no
// Domain attribute.
const (
	sessionCookie = "__Host-caseledger_session"
	csrfHeader    = "X-CSRF-Token"
)

// touchEvery bounds how often a session's last activity is written: idle expiry is exact to this.
const touchEvery = 15 * time.Second

// principal is who is calling: the actor, and how they proved it.
type principal struct {
	actor   domain.Actor
	session *session // nil for a bearer token
	tokenID domain.ID
}

type principalKey struct{}

func actorFrom(ctx context.Context) domain.Actor {
	if p, ok := ctx.Value(principalKey{}).(*principal); ok {
		return p.actor
	}
	return domain.Actor{}
}

func principalFrom(ctx context.Context) *principal {
	p, _ := ctx.Value(principalKey{}).(*principal)
	return p
}

// authenticate resolves the caller from a bearer token (Authorization: Bearer clt_...) or the
// session cookie, with one database round trip either way and nothing cached, so a revoked token
// or session fails on the next request. A session past its idle timeout or absolute lifetime is
// deleted and answered 401 "session_expired"; a live one records activity at most every
// touchEvery (credentialStore.useSession). Requests with a session cookie and an unsafe method
// must carry the session's CSRF token in X-CSRF-Token, and an Origin header, when present, must
// be this host's (403 "csrf_failed"). Bearer requests need no CSRF token: browsers never send them on their own.
func (s *server) authenticate(r *http.Request) (*principal, error) {
	ctx := r.Context()
	now := s.clock.Now()
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return nil, errUnauthenticated
		}
		id, actor, expires, err := s.creds.token(ctx, strings.TrimSpace(tok))
		if err != nil {
			return nil, err
		}
		if !now.Before(expires) {
			return nil, errUnauthenticated
		}
		return &principal{actor: actor, tokenID: id}, nil
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, errUnauthenticated
	}
	use := sessionUse{now: now, idle: s.cfg.Policy.IdleTimeout, lifetime: s.cfg.Policy.SessionLifetime, unsafe: unsafeMethod(r.Method)}
	if use.unsafe && sameOrigin(r) && r.Header.Get(csrfHeader) != "" {
		use.csrfHash = hashSecret(r.Header.Get(csrfHeader))
	}
	sess, err := s.creds.useSession(ctx, c.Value, use)
	if err != nil {
		return nil, err
	}
	if use.unsafe {
		if err := checkCSRF(r, sess.csrfHash); err != nil {
			return nil, err
		}
	}
	return &principal{actor: sess.actor, session: &sess}, nil
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

var errCSRF = apiError(domain.KindForbidden, "csrf_failed", "unsafe requests with a session cookie need the session's X-CSRF-Token header and a same-origin Origin")

// checkCSRF compares the X-CSRF-Token header with the session's token hash in constant time and
// refuses a cross-origin Origin header.
func checkCSRF(r *http.Request, want []byte) error {
	if !sameOrigin(r) {
		return errCSRF
	}
	got := r.Header.Get(csrfHeader)
	if got == "" || subtle.ConstantTimeCompare(hashSecret(got), want) != 1 {
		return errCSRF
	}
	return nil
}

// sameOrigin is false when the request carries an Origin header that is not this host.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

// setSessionCookie sends the session secret: Secure, HttpOnly, SameSite=Strict, host-only.
// It is a session cookie (no Max-Age): the server enforces expiry.
func setSessionCookie(w http.ResponseWriter, secret string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
}

// clearSessionCookie tells the browser to forget the session.
func clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode, MaxAge: -1})
}

// contextWithPrincipal returns ctx carrying the authenticated caller.
func contextWithPrincipal(ctx context.Context, p *principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}
