package api_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/caseledger/caseledger/api"
	"github.com/caseledger/caseledger/domain"
)

func TestProblemsForBadRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user(t, domain.RoleAdmin, "admin@practice.example")
	admin := e.signIn(t, "admin@practice.example")
	valid := `{"email":"x@practice.example","password":"` + testPassword + `","role":"auditor"}`
	cases := []struct {
		name   string
		method string
		path   string
		body   any
		hdr    []string
		status int
		code   string
	}{
		{"unknown field", "POST", "/api/v1/users", `{"email":"x@practice.example","password":"p","role":"auditor","admin":true}`, nil, 400, "unknown_field"},
		{"malformed json", "POST", "/api/v1/users", `{"email":`, nil, 400, "malformed_json"},
		{"trailing data", "POST", "/api/v1/users", valid + ` {}`, nil, 400, "malformed_json"},
		{"empty body", "POST", "/api/v1/users", "", nil, 400, "malformed_json"},
		{"wrong type", "POST", "/api/v1/users", `{"email":5}`, nil, 400, "invalid_email"},
		{"not json content type", "POST", "/api/v1/users", valid, []string{"Content-Type", "text/plain"}, 415, "unsupported_media_type"},
		{"form post refused", "POST", "/api/v1/users", "email=x", []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"},
		{"body too large", "POST", "/api/v1/users", `{"email":"` + strings.Repeat("a", 2<<20) + `"}`, nil, 413, "body_too_large"},
		{"bad id in path", "PUT", "/api/v1/users/not-a-uuid/role", `{"role":"dpo"}`, nil, 400, "invalid_id"},
		{"bad id in body", "POST", "/api/v1/users", `{"id":"nope","email":"x@practice.example","password":"p","role":"auditor"}`, nil, 400, "invalid_id"},
		{"unknown route", "GET", "/api/v1/nothing-here", nil, nil, 404, "route_not_found"},
		{"wrong method", "PATCH", "/api/v1/users", nil, nil, 405, "method_not_allowed"},
		{"not signed in", "GET", "/api/v1/me", nil, []string{"Cookie", ""}, 401, "unauthenticated"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := admin.do(t, c.method, c.path, c.body, c.hdr...)
			expectStatus(t, res, c.status, c.code)
			if ct := res.header.Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("content type %q", ct)
			}
			var p api.Problem
			res.decode(t, &p)
			if p.Status != c.status || p.Type == "" || p.Title == "" || p.RequestID == "" {
				t.Fatalf("problem body %+v", p)
			}
		})
	}
	t.Run("nothing was written", func(t *testing.T) {
		_, res := e.trySignIn(t, "x@practice.example", testPassword)
		expectStatus(t, res, http.StatusUnauthorized, "invalid_credentials")
	})
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		tls  bool
	}{{"plain", false}, {"behind TLS", true}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, func(cfg *api.Config) { cfg.TLS = c.tls })
			for _, path := range []string{"/api/v1/openapi.json", "/api/v1/me", "/nowhere"} {
				h := e.anon().do(t, "GET", path, nil).header
				want := map[string]string{
					"X-Content-Type-Options": "nosniff",
					"X-Frame-Options":        "DENY",
					"Cache-Control":          "no-store",
				}
				for k, v := range want {
					if h.Get(k) != v {
						t.Errorf("%s %s: %q", path, k, h.Get(k))
					}
				}
				if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'none'") {
					t.Errorf("%s CSP %q", path, csp)
				}
				if got := h.Get("Strict-Transport-Security") != ""; got != c.tls {
					t.Errorf("%s HSTS present=%v, want %v", path, got, c.tls)
				}
			}
		})
	}
}

func TestMetricsAndAccessLogCarryNoPersonalData(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.user(t, domain.RoleAdmin, "private.person@practice.example")
	c := e.signIn(t, "private.person@practice.example")
	c.do(t, "PUT", "/api/v1/users/"+id.String()+"/role?email=private.person@practice.example", map[string]string{"role": "dpo"})
	_, _ = e.trySignIn(t, "private.person@practice.example", "a wrong password that is long")

	logs := e.logs.String()
	for _, leak := range []string{"private.person", "?email", testPassword, "a wrong password"} {
		if strings.Contains(logs, leak) {
			t.Fatalf("access log leaks %q:\n%s", leak, logs)
		}
	}
	for _, want := range []string{`"route":"/api/v1/users/{id}/role"`, `"route":"/api/v1/sessions"`, `"code":"invalid_credentials"`, `"user_id":"` + id.String()} {
		if !strings.Contains(logs, want) {
			t.Fatalf("access log lacks %s:\n%s", want, logs)
		}
	}
	res, err := http.Get(e.srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	m := string(b)
	if !strings.Contains(m, `caseledger_http_requests_total{method="POST",route="/api/v1/sessions",status="401"} 1`) ||
		!strings.Contains(m, "caseledger_http_request_duration_seconds_bucket") || strings.Contains(m, id.String()) ||
		!strings.Contains(m, `caseledger_sign_ins_total{outcome="invalid_credentials"} 1`) || !strings.Contains(m, `caseledger_sign_ins_total{outcome="ok"} 1`) {
		t.Fatalf("metrics:\n%s", m)
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		cfg  api.Config
		ok   bool
	}{
		{"empty", api.Config{}, false},
		{"body limit too small", api.Config{MaxBodyBytes: 10}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.cfg.Validate(); (err == nil) != c.ok {
				t.Fatalf("Validate: %v", err)
			}
		})
	}
}

// plaintextHits returns "table.column" for every text, json or bytea column of every table in
// the public schema that holds needle in clear.
func plaintextHits(tb testing.TB, e *env, needle string) []string {
	tb.Helper()
	ctx := context.Background()
	rows, err := e.admin.Query(ctx, `SELECT table_name, column_name, data_type FROM information_schema.columns
		WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'bytea')`)
	if err != nil {
		tb.Fatal(err)
	}
	type col struct{ table, column, typ string }
	var cols []col
	for rows.Next() {
		var c col
		if err := rows.Scan(&c.table, &c.column, &c.typ); err != nil {
			tb.Fatal(err)
		}
		cols = append(cols, c)
	}
	rows.Close()
	if len(cols) < 5 {
		tb.Fatalf("only %d columns to scan", len(cols))
	}
	var hits []string
	for _, c := range cols {
		expr := pgx.Identifier{c.column}.Sanitize() + "::text"
		if c.typ == "bytea" {
			expr = "position(convert_to($1, 'UTF8') in " + pgx.Identifier{c.column}.Sanitize() + ") > 0"
		} else {
			expr = "strpos(" + expr + ", $1) > 0"
		}
		var n int
		if err := e.admin.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{c.table}.Sanitize()+` WHERE `+expr, needle).Scan(&n); err != nil {
			tb.Fatalf("scan %s.%s: %v", c.table, c.column, err)
		}
		if n > 0 {
			hits = append(hits, c.table+"."+c.column)
		}
	}
	return hits
}

func TestNoUserSecretInTheDatabase(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	email := "Unmistakable.Person@practice.example"
	e.user(t, domain.RoleTherapist, email)
	c := e.signIn(t, email)
	var start struct {
		Secret string `json:"secret"`
	}
	c.do(t, "POST", "/api/v1/me/totp", nil).decode(t, &start)
	var tok struct {
		Token string `json:"token"`
	}
	c.do(t, "POST", "/api/v1/tokens", nil).decode(t, &tok)
	if start.Secret == "" || tok.Token == "" {
		t.Fatal("setup failed")
	}
	for _, needle := range []string{"unmistakable.person", "Unmistakable", testPassword, start.Secret, tok.Token, c.cookie, c.csrf} {
		if hits := plaintextHits(t, e, needle); len(hits) > 0 {
			t.Errorf("a secret or personal datum is stored in clear in %v", hits)
		}
	}
}
