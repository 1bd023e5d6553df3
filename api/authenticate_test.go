package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
)

// TestSessionActivityIsWrittenSparingly checks the one-statement session check: activity is
// written at most every 15 seconds, a request refused for its CSRF token never keeps the session
// alive, and a session deleted behind the server's back fails on the very next request.
func TestSessionActivityIsWrittenSparingly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.user(t, domain.RoleTherapist, "activity@practice.example")
	c := e.signIn(t, "activity@practice.example")
	lastSeen := func(tb testing.TB) time.Time {
		tb.Helper()
		var at time.Time
		if err := e.admin.QueryRow(context.Background(), `SELECT last_seen_at FROM api_sessions WHERE user_id = $1`, id).Scan(&at); err != nil {
			tb.Fatal(err)
		}
		return at
	}
	forged := &client{e: e, cookie: c.cookie, csrf: "forged"}
	steps := []struct {
		name    string
		advance time.Duration
		do      func(tb testing.TB) response
		status  int
		code    string
		touched bool
	}{
		{"a request within 15 seconds writes nothing", 10 * time.Second,
			func(tb testing.TB) response { return c.do(tb, "GET", "/api/v1/me", nil) }, http.StatusOK, "", false},
		{"a request 15 seconds on records activity", 5 * time.Second,
			func(tb testing.TB) response { return c.do(tb, "GET", "/api/v1/me", nil) }, http.StatusOK, "", true},
		{"a refused CSRF request records nothing", time.Minute,
			func(tb testing.TB) response { return forged.do(tb, "POST", "/api/v1/tokens", nil) }, http.StatusForbidden, "csrf_failed", false},
		{"a cross-origin request with the token records nothing", time.Minute,
			func(tb testing.TB) response {
				return c.do(tb, "POST", "/api/v1/tokens", nil, "Origin", "https://evil.example")
			}, http.StatusForbidden, "csrf_failed", false},
		{"an unsafe request with the token records activity", time.Minute,
			func(tb testing.TB) response { return c.do(tb, "POST", "/api/v1/tokens", nil) }, http.StatusCreated, "", true},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			before := lastSeen(t)
			e.clock.Advance(st.advance)
			expectStatus(t, st.do(t), st.status, st.code)
			after := lastSeen(t)
			if touched := !after.Equal(before); touched != st.touched {
				t.Fatalf("last activity %s -> %s, want touched=%v", before, after, st.touched)
			}
			if st.touched && !after.Equal(e.clock.Now().Truncate(time.Microsecond)) {
				t.Errorf("last activity %s, want %s", after, e.clock.Now())
			}
		})
	}
	t.Run("a deleted session fails on the next request", func(t *testing.T) {
		if _, err := e.admin.Exec(context.Background(), `DELETE FROM api_sessions WHERE user_id = $1`, id); err != nil {
			t.Fatal(err)
		}
		expectStatus(t, c.do(t, "GET", "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
	})
}
