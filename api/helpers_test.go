package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/caseledger/caseledger/api"
	"github.com/caseledger/caseledger/api/apitest"
	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/identity"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/pgstore"
	"github.com/caseledger/caseledger/keyring"
)

// testClock is a settable clock shared by the API and the commands.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// lockedBuffer collects the access log.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// env is one API over its own migrated database, served over real HTTP.
type env struct {
	srv    *httptest.Server
	clock  *testClock
	pool   *pgxpool.Pool
	admin  *pgxpool.Pool
	ident  commands.IdentityDeps
	store  *pgstore.Store
	keys   *keyring.Keyring
	logs   *lockedBuffer
	policy identity.Policy
	log    *faultyLog
	cfg    api.Config
}

// faultyLog is the real event log, except that appends of the event type in failType fail while
// it is set: for proving that a read whose audit event cannot be written returns nothing.
type faultyLog struct {
	commands.EventLog
	failType atomic.Value // string
}

func (f *faultyLog) Append(ctx context.Context, stream eventstore.StreamID, expected eventstore.ExpectedVersion, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	if t, _ := f.failType.Load().(string); t != "" {
		for _, e := range events {
			if e.Type == t {
				return eventstore.AppendResult{}, errors.New("injected append failure")
			}
		}
	}
	return f.EventLog.Append(ctx, stream, expected, events...)
}

const testPassword = "a long and unusual passphrase 7"

// newEnv builds an env; adjust may change the Config before New.
func newEnv(tb testing.TB, adjust ...func(*api.Config)) *env {
	tb.Helper()
	st := apitest.New(tb)
	clock := &testClock{t: time.Now().UTC().Truncate(time.Second)}
	logs := &lockedBuffer{}
	log := &faultyLog{EventLog: st.Store}
	cfg := st.Config(clock, slog.New(slog.NewJSONHandler(logs, nil)))
	cfg.Log = log
	for _, f := range adjust {
		f(&cfg)
	}
	h, err := api.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	policy := cfg.Policy
	if policy == (identity.Policy{}) {
		policy = identity.DefaultPolicy()
	}
	return &env{cfg: cfg, srv: srv, clock: clock, log: log, pool: st.Pool, admin: st.Admin, store: st.Store, keys: st.Keys,
		logs: logs, policy: policy, ident: st.Identity(clock, policy)}
}

// user registers a user as the system (bootstrap) and returns its id; id may preset it (a
// client's portal account has the client's id).
func (e *env) user(tb testing.TB, role domain.Role, email string, id ...domain.ID) domain.ID {
	tb.Helper()
	return apitest.User(tb, e.ident, role, email, testPassword, id...)
}

// client is an HTTP caller with an optional session (cookie and CSRF token) or bearer token.
type client struct {
	e      *env
	cookie string
	csrf   string
	bearer string
	userID domain.ID
}

// response is a finished request.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) problemCode() string {
	var p api.Problem
	_ = json.Unmarshal(r.body, &p)
	return p.Code
}

func (r response) decode(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		tb.Fatalf("decode %s: %v", r.body, err)
	}
}

// do sends a request; body is JSON-encoded unless it is a string or []byte (sent raw).
func (c *client) do(tb testing.TB, method, path string, body any, hdr ...string) response {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.e.srv.URL+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.cookie != "" {
		req.Header.Set("Cookie", "__Host-caseledger_session="+c.cookie)
		if c.csrf != "" {
			req.Header.Set("X-CSRF-Token", c.csrf)
		}
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	res, err := c.e.srv.Client().Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// anon returns a caller without credentials.
func (e *env) anon() *client { return &client{e: e} }

// signIn signs in with extra fields merged into the body and returns the session's client; it
// fails the test unless the answer is 201.
func (e *env) signIn(tb testing.TB, email string, extra ...string) *client {
	tb.Helper()
	c, res := e.trySignIn(tb, email, testPassword, extra...)
	if res.status != http.StatusCreated {
		tb.Fatalf("sign in: %d %s", res.status, res.body)
	}
	return c
}

// trySignIn attempts a sign-in; extra are key, value pairs added to the body.
func (e *env) trySignIn(tb testing.TB, email, password string, extra ...string) (*client, response) {
	tb.Helper()
	body := map[string]string{"email": email, "password": password}
	for i := 0; i+1 < len(extra); i += 2 {
		body[extra[i]] = extra[i+1]
	}
	res := e.anon().do(tb, "POST", "/api/v1/sessions", body)
	c := &client{e: e}
	if res.status == http.StatusCreated {
		for _, ck := range (&http.Response{Header: res.header}).Cookies() {
			if ck.Name == "__Host-caseledger_session" {
				c.cookie = ck.Value
			}
		}
		var s struct {
			CSRF   string    `json:"csrf_token"`
			UserID domain.ID `json:"user_id"`
		}
		res.decode(tb, &s)
		c.csrf, c.userID = s.CSRF, s.UserID
	}
	return c, res
}

// eventTypes returns the types of a stream's events, in order.
func (e *env) eventTypes(tb testing.TB, stream string) []string {
	tb.Helper()
	rows, err := e.admin.Query(context.Background(), `SELECT event_type FROM event_log WHERE stream_id = $1 ORDER BY version`, stream)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			tb.Fatal(err)
		}
		out = append(out, t)
	}
	return out
}

func expectStatus(tb testing.TB, res response, status int, code string) {
	tb.Helper()
	if res.status != status || (code != "" && res.problemCode() != code) {
		tb.Fatalf("got %d %s, want %d %s", res.status, res.body, status, code)
	}
}
