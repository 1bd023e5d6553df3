package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pquerna/otp/totp"

	"github.com/caseledger/caseledger/api"
	"github.com/caseledger/caseledger/api/apitest"
	"github.com/caseledger/caseledger/api/web"
	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/identity"
)

// password is every seeded user's password.
const password = "correct horse battery staple 42"

// dayClock runs at the speed of real time from 00:00 UTC of the real day the test started, plus
// whatever the test skips ahead: an appointment at noon today is always in the future, and the
// browser (in UTC) shows it under today.
type dayClock struct {
	mu      sync.Mutex
	started time.Time
	base    time.Time
}

func newDayClock() *dayClock {
	now := time.Now().UTC()
	return &dayClock{started: now, base: now.Truncate(24 * time.Hour)}
}

func (c *dayClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base.Add(time.Since(c.started))
}

// Skip moves the clock ahead by d.
func (c *dayClock) Skip(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.base = c.base.Add(d)
}

// stack is the real system over a fresh database: PostgreSQL event store, keyring, running
// projections, the API at /api/v1 and the web UI at "/", served over HTTPS on 127.0.0.1.
type stack struct {
	srv    *httptest.Server
	clock  *dayClock
	admin  *pgxpool.Pool // the database owner, for checking what was written
	ident  commands.IdentityDeps
	policy identity.Policy
}

func newStack(tb testing.TB) *stack {
	tb.Helper()
	st := apitest.New(tb)
	clock := newDayClock()
	policy := identity.DefaultPolicy()
	cfg := st.Config(clock, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	cfg.Policy = policy
	apiHandler, err := api.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/api/v1/", apiHandler)
	mux.Handle("/", web.Handler())
	srv := httptest.NewTLSServer(mux)
	tb.Cleanup(srv.Close)
	return &stack{srv: srv, clock: clock, policy: policy, admin: st.Admin, ident: st.Identity(clock, policy)}
}

// user registers a user through the RegisterUser command, acting as the system.
func (s *stack) user(tb testing.TB, role domain.Role, email string, id ...domain.ID) domain.ID {
	tb.Helper()
	return apitest.User(tb, s.ident, role, email, password, id...)
}

// enrolTOTP turns on a second factor for a user through the EnrolTOTP command and returns a
// function that makes the current code. The clock then skips past the confirming code's step,
// which may not be used again.
func (s *stack) enrolTOTP(tb testing.TB, actor domain.Actor) func() string {
	tb.Helper()
	h := commands.NewEnrolTOTPHandler(s.ident)
	e, err := h.Start(context.Background(), actor)
	if err != nil {
		tb.Fatal(err)
	}
	code := func() string {
		c, err := totp.GenerateCode(e.Secret, s.clock.Now())
		if err != nil {
			tb.Fatal(err)
		}
		return c
	}
	if _, err := h.Confirm(context.Background(), actor, code()); err != nil {
		tb.Fatal(err)
	}
	s.clock.Skip(30 * time.Second)
	return code
}

// session is a signed-in API caller used to seed data over HTTP (the handlers run the real
// commands).
type session struct {
	s      *stack
	cookie *http.Cookie
	csrf   string
}

// signIn signs in over the API, with extra request fields in pairs ("totp_code", code); it fails
// the test unless the answer is 201.
func (s *stack) signIn(tb testing.TB, email string, extra ...string) *session {
	tb.Helper()
	out := &session{s: s}
	var body struct {
		CSRF string `json:"csrf_token"`
	}
	req := map[string]string{"email": email, "password": password}
	for i := 0; i+1 < len(extra); i += 2 {
		req[extra[i]] = extra[i+1]
	}
	res := out.do(tb, "POST", "/api/v1/sessions", req, http.StatusCreated, &body)
	for _, c := range res.Cookies() {
		if c.Name == "__Host-caseledger_session" {
			out.cookie = c
		}
	}
	out.csrf = body.CSRF
	return out
}

// do sends a JSON request and decodes the answer into out (when non-nil); it fails the test
// unless the status is want.
func (c *session) do(tb testing.TB, method, path string, body any, want int, out any) *http.Response {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		j, err := json.Marshal(body)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.s.srv.URL+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.cookie != nil {
		req.AddCookie(c.cookie)
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	res, err := c.s.srv.Client().Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	if res.StatusCode != want {
		tb.Fatalf("%s %s: got %d %s, want %d", method, path, res.StatusCode, raw, want)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			tb.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
		}
	}
	return res
}
