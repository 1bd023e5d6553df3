package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pquerna/otp/totp"

	"github.com/caseledger/caseledger/api"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/identity"
)

func TestSessionCookieCSRFAndExpiry(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user(t, domain.RoleTherapist, "therapist@practice.example")
	c, res := e.trySignIn(t, "Therapist@Practice.example ", testPassword)
	expectStatus(t, res, http.StatusCreated, "")
	ck := (&http.Response{Header: res.header}).Cookies()[0]
	if !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" {
		t.Fatalf("cookie attributes: %+v", ck)
	}

	t.Run("session works", func(t *testing.T) {
		expectStatus(t, c.do(t, "GET", "/api/v1/me", nil), http.StatusOK, "")
	})
	t.Run("unsafe request without CSRF token refused", func(t *testing.T) {
		noCSRF := &client{e: e, cookie: c.cookie}
		expectStatus(t, noCSRF.do(t, "POST", "/api/v1/tokens", nil), http.StatusForbidden, "csrf_failed")
	})
	t.Run("wrong CSRF token refused", func(t *testing.T) {
		bad := &client{e: e, cookie: c.cookie, csrf: "forged"}
		expectStatus(t, bad.do(t, "POST", "/api/v1/tokens", nil), http.StatusForbidden, "csrf_failed")
	})
	t.Run("cross-origin refused even with the token", func(t *testing.T) {
		expectStatus(t, c.do(t, "POST", "/api/v1/tokens", nil, "Origin", "https://evil.example"), http.StatusForbidden, "csrf_failed")
	})
	t.Run("activity keeps the session alive", func(t *testing.T) {
		for range 3 {
			e.clock.Advance(20 * time.Minute)
			expectStatus(t, c.do(t, "GET", "/api/v1/me", nil), http.StatusOK, "")
		}
	})
	t.Run("inactivity ends it", func(t *testing.T) {
		e.clock.Advance(30 * time.Minute)
		expectStatus(t, c.do(t, "GET", "/api/v1/me", nil), http.StatusUnauthorized, "session_expired")
		expectStatus(t, c.do(t, "GET", "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
	})
	t.Run("absolute lifetime ends an active session", func(t *testing.T) {
		c := e.signIn(t, "therapist@practice.example")
		for elapsed := time.Duration(0); elapsed < e.policy.SessionLifetime-20*time.Minute; elapsed += 20 * time.Minute {
			e.clock.Advance(20 * time.Minute)
			expectStatus(t, c.do(t, "GET", "/api/v1/me", nil), http.StatusOK, "")
		}
		e.clock.Advance(20 * time.Minute)
		expectStatus(t, c.do(t, "GET", "/api/v1/me", nil), http.StatusUnauthorized, "session_expired")
	})
	t.Run("signing in again ends the browser's previous session", func(t *testing.T) {
		first := e.signIn(t, "therapist@practice.example")
		res := first.do(t, "POST", "/api/v1/sessions", map[string]string{"email": "therapist@practice.example", "password": testPassword})
		expectStatus(t, res, http.StatusCreated, "")
		expectStatus(t, first.do(t, "GET", "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
	})
	t.Run("sign out", func(t *testing.T) {
		c := e.signIn(t, "therapist@practice.example")
		expectStatus(t, c.do(t, "DELETE", "/api/v1/sessions/current", nil), http.StatusNoContent, "")
		expectStatus(t, c.do(t, "GET", "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
	})
}

func TestSignInThrottleAndLockout(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.user(t, domain.RoleTherapist, "locked@practice.example")
	p := e.policy

	t.Run("unknown email and wrong password look alike", func(t *testing.T) {
		_, unknown := e.trySignIn(t, "nobody@practice.example", testPassword)
		expectStatus(t, unknown, http.StatusUnauthorized, "invalid_credentials")
	})
	for i := 1; i <= p.ThrottleAfter; i++ {
		_, res := e.trySignIn(t, "locked@practice.example", "wrong password number "+strconv.Itoa(i))
		expectStatus(t, res, http.StatusUnauthorized, "invalid_credentials")
	}
	t.Run("throttled right after", func(t *testing.T) {
		_, res := e.trySignIn(t, "locked@practice.example", testPassword)
		expectStatus(t, res, http.StatusTooManyRequests, "sign_in_throttled")
		if res.header.Get("Retry-After") == "" {
			t.Fatal("no Retry-After")
		}
	})
	for i := p.ThrottleAfter + 1; i <= p.MaxFailures; i++ {
		e.clock.Advance(time.Minute)
		_, res := e.trySignIn(t, "locked@practice.example", "wrong password number "+strconv.Itoa(i))
		expectStatus(t, res, http.StatusUnauthorized, "invalid_credentials")
	}
	t.Run("locked, even with the right password", func(t *testing.T) {
		e.clock.Advance(time.Minute)
		_, res := e.trySignIn(t, "locked@practice.example", testPassword)
		expectStatus(t, res, http.StatusTooManyRequests, "account_locked")
	})
	t.Run("lock ends", func(t *testing.T) {
		e.clock.Advance(p.LockFor)
		e.signIn(t, "locked@practice.example")
	})
	t.Run("every attempt is an event", func(t *testing.T) {
		types := e.eventTypes(t, "user-"+id.String())
		if !slices.Contains(types, "UserLockedOut") || !slices.Contains(types, "UserSignedIn") || countOf(types, "UserSignInFailed") < p.MaxFailures+2 {
			t.Fatalf("user stream: %v", types)
		}
	})
	t.Run("sign-in events name the user and their role, nothing else", func(t *testing.T) {
		var wrong int
		err := e.admin.QueryRow(context.Background(), `SELECT count(*) FROM event_log WHERE stream_id = $1
			AND event_type IN ('UserSignedIn', 'UserSignInFailed', 'UserLockedOut') AND (actor_id <> $2 OR actor_role <> 'therapist' OR subject_id <> $2)`,
			"user-"+id.String(), uuid.UUID(id)).Scan(&wrong)
		if err != nil || wrong != 0 {
			t.Fatalf("%d sign-in events with other metadata (%v)", wrong, err)
		}
	})
	t.Run("no email or password in the log, in clear", func(t *testing.T) {
		for _, needle := range []string{"locked@practice.example", testPassword, "wrong password number"} {
			var n int
			err := e.admin.QueryRow(context.Background(), `SELECT count(*) FROM event_log
				WHERE position(convert_to($1, 'UTF8') in payload) > 0 OR actor_role LIKE '%' || $1 || '%'`, needle).Scan(&n)
			if err != nil || n != 0 {
				t.Fatalf("%d events hold a secret in clear (%v)", n, err)
			}
		}
	})
	t.Run("per-address limit", func(t *testing.T) {
		e := newEnv(t, func(c *api.Config) { c.SignInsPerMinute = 3 })
		for range 3 {
			_, res := e.trySignIn(t, "x@practice.example", testPassword)
			expectStatus(t, res, http.StatusUnauthorized, "invalid_credentials")
		}
		_, res := e.trySignIn(t, "x@practice.example", testPassword)
		expectStatus(t, res, http.StatusTooManyRequests, "too_many_requests")
	})
}

// TestUnknownEmailIsThrottledLikeAnAccount runs the same attempts, at the same times, against an
// account (wrong passwords, then the right one) and an email without one: every answer, its code
// and its Retry-After are the same, so throttling and lockout do not tell which emails have an
// account.
func TestUnknownEmailIsThrottledLikeAnAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *api.Config) { c.SignInsPerMinute = 1000 })
	e.user(t, domain.RoleTherapist, "known@practice.example")
	p := e.policy
	steps := []time.Duration{0, time.Second, time.Second, 0, time.Second, 5 * time.Second, time.Minute, time.Minute, 0, time.Minute, p.LockFor}
	seen := map[string]bool{}
	for i, wait := range steps {
		e.clock.Advance(wait)
		password := "wrong password number " + strconv.Itoa(i)
		if i == len(steps)-1 {
			password = testPassword // the account's lock has ended: it signs in, the unknown email cannot
		}
		_, known := e.trySignIn(t, "known@practice.example", password)
		_, unknown := e.trySignIn(t, "nobody@practice.example", password)
		if i == len(steps)-1 {
			expectStatus(t, known, http.StatusCreated, "")
			expectStatus(t, unknown, http.StatusUnauthorized, "invalid_credentials")
			break
		}
		seen[problemCode(known)] = true
		if known.status != unknown.status || problemCode(known) != problemCode(unknown) || known.header.Get("Retry-After") != unknown.header.Get("Retry-After") {
			t.Fatalf("attempt %d: the account answers %d %s (Retry-After %q), the unknown email %d %s (Retry-After %q)", i,
				known.status, problemCode(known), known.header.Get("Retry-After"), unknown.status, problemCode(unknown), unknown.header.Get("Retry-After"))
		}
	}
	if !seen["sign_in_throttled"] || !seen["account_locked"] || !seen["invalid_credentials"] {
		t.Fatalf("the attempts got %v; the comparison must cover invalid_credentials, sign_in_throttled and account_locked", seen)
	}
}

// problemCode is the code of a problem+json answer ("" for none).
func problemCode(res response) string {
	var p struct {
		Code string `json:"code"`
	}
	_ = json.Unmarshal(res.body, &p)
	return p.Code
}

func countOf(s []string, v string) int {
	n := 0
	for _, x := range s {
		if x == v {
			n++
		}
	}
	return n
}

func TestDormantAccountDisabled(t *testing.T) {
	t.Parallel()
	t.Run("at sign-in", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.user(t, domain.RoleDPO, "dormant@practice.example")
		e.clock.Advance(90 * 24 * time.Hour)
		_, res := e.trySignIn(t, "dormant@practice.example", testPassword)
		expectStatus(t, res, http.StatusForbidden, "account_disabled")
	})
	t.Run("by the daily sweep, which also ends tokens", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, func(c *api.Config) { c.TokenLifetime = 365 * 24 * time.Hour })
		dormant := e.user(t, domain.RoleAdmin, "dormant@practice.example")
		e.user(t, domain.RoleAdmin, "active@practice.example")
		var tok struct {
			Token string `json:"token"`
		}
		e.signIn(t, "dormant@practice.example").do(t, "POST", "/api/v1/tokens", nil).decode(t, &tok)
		e.clock.Advance(60 * 24 * time.Hour)
		e.signIn(t, "active@practice.example")
		e.clock.Advance(31 * 24 * time.Hour)
		ids, err := api.DisableDormantAccounts(context.Background(), e.cfg)
		if err != nil || len(ids) != 1 || ids[0] != dormant {
			t.Fatalf("disabled %v, %v; want only %s", ids, err, dormant)
		}
		expectStatus(t, (&client{e: e, bearer: tok.Token}).do(t, "GET", "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
		if !slices.Contains(e.eventTypes(t, "user-"+dormant.String()), "UserDisabled") {
			t.Fatal("no UserDisabled event")
		}
		if again, err := api.DisableDormantAccounts(context.Background(), e.cfg); err != nil || len(again) != 0 {
			t.Fatalf("second sweep: %v %v", again, err)
		}
		e.signIn(t, "active@practice.example")
	})
}

func TestTOTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user(t, domain.RoleTherapist, "totp@practice.example")
	c := e.signIn(t, "totp@practice.example")

	var start struct {
		Secret string `json:"secret"`
		URL    string `json:"otpauth_url"`
	}
	res := c.do(t, "POST", "/api/v1/me/totp", nil)
	expectStatus(t, res, http.StatusCreated, "")
	res.decode(t, &start)
	expectStatus(t, c.do(t, "POST", "/api/v1/me/totp/confirm", map[string]string{"code": "000000"}), http.StatusUnauthorized, "invalid_second_factor")
	code := func() string {
		s, err := totp.GenerateCode(start.Secret, e.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	var rc struct {
		Codes []string `json:"recovery_codes"`
	}
	res = c.do(t, "POST", "/api/v1/me/totp/confirm", map[string]string{"code": code()})
	expectStatus(t, res, http.StatusOK, "")
	res.decode(t, &rc)
	if len(rc.Codes) != 10 {
		t.Fatalf("recovery codes: %v", rc.Codes)
	}

	t.Run("password alone is not enough", func(t *testing.T) {
		_, res := e.trySignIn(t, "totp@practice.example", testPassword)
		expectStatus(t, res, http.StatusUnauthorized, "second_factor_required")
	})
	t.Run("the confirming code cannot be replayed", func(t *testing.T) {
		_, res := e.trySignIn(t, "totp@practice.example", testPassword, "totp_code", code())
		expectStatus(t, res, http.StatusUnauthorized, "invalid_second_factor")
	})
	t.Run("a fresh code signs in, once", func(t *testing.T) {
		e.clock.Advance(30 * time.Second)
		now := code()
		e.signIn(t, "totp@practice.example", "totp_code", now)
		_, res := e.trySignIn(t, "totp@practice.example", testPassword, "totp_code", now)
		expectStatus(t, res, http.StatusUnauthorized, "invalid_second_factor")
	})
	t.Run("recovery codes are regenerated with a fresh code only", func(t *testing.T) {
		e.clock.Advance(time.Minute)
		c := e.signIn(t, "totp@practice.example", "totp_code", code())
		expectStatus(t, c.do(t, "POST", "/api/v1/me/recovery-codes", map[string]string{"code": code()}), http.StatusUnauthorized, "invalid_second_factor")
		e.clock.Advance(30 * time.Second)
		var fresh struct {
			Codes []string `json:"recovery_codes"`
		}
		res := c.do(t, "POST", "/api/v1/me/recovery-codes", map[string]string{"code": code()})
		expectStatus(t, res, http.StatusOK, "")
		res.decode(t, &fresh)
		if len(fresh.Codes) != 10 || fresh.Codes[0] == rc.Codes[0] {
			t.Fatalf("codes %v", fresh.Codes)
		}
		e.clock.Advance(5 * time.Minute)
		_, old := e.trySignIn(t, "totp@practice.example", testPassword, "recovery_code", rc.Codes[5])
		expectStatus(t, old, http.StatusUnauthorized, "invalid_second_factor")
		e.clock.Advance(5 * time.Minute)
		rc.Codes = fresh.Codes
	})
	t.Run("a recovery code signs in, once", func(t *testing.T) {
		e.clock.Advance(5 * time.Minute) // past any throttle
		e.signIn(t, "totp@practice.example", "recovery_code", rc.Codes[3])
		e.clock.Advance(5 * time.Minute)
		_, res := e.trySignIn(t, "totp@practice.example", testPassword, "recovery_code", rc.Codes[3])
		expectStatus(t, res, http.StatusUnauthorized, "invalid_second_factor")
	})
	t.Run("an admin resets a lost second factor", func(t *testing.T) {
		e.user(t, domain.RoleAdmin, "totp-admin@practice.example")
		admin := e.signIn(t, "totp-admin@practice.example")
		var me struct {
			ID domain.ID `json:"user_id"`
		}
		e.clock.Advance(time.Minute)
		user := e.signIn(t, "totp@practice.example", "totp_code", code())
		user.do(t, "GET", "/api/v1/me", nil).decode(t, &me)
		expectStatus(t, user.do(t, "DELETE", "/api/v1/users/"+me.ID.String()+"/totp", nil), http.StatusForbidden, "role_forbidden")
		expectStatus(t, admin.do(t, "DELETE", "/api/v1/users/"+me.ID.String()+"/totp", nil), http.StatusNoContent, "")
		expectStatus(t, user.do(t, "GET", "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
		expectStatus(t, admin.do(t, "DELETE", "/api/v1/users/"+me.ID.String()+"/totp", nil), http.StatusConflict, "totp_not_enabled")
		e.signIn(t, "totp@practice.example")
	})
}

func TestPracticeRequiresStaffTOTP(t *testing.T) {
	t.Parallel()
	t.Run("set by the operator", func(t *testing.T) {
		t.Parallel()
		p := identity.DefaultPolicy()
		p.RequireStaffTOTP = true
		e := newEnv(t, func(c *api.Config) { c.Policy = p })
		e.user(t, domain.RoleTherapist, "must@practice.example")
		mustEnrolThenWork(t, e, e.signIn(t, "must@practice.example"))
	})
	t.Run("chosen by an admin, recorded", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.user(t, domain.RoleAdmin, "admin@practice.example")
		e.user(t, domain.RoleTherapist, "must@practice.example")
		e.user(t, domain.RoleClient, "client@practice.example")
		admin := e.signIn(t, "admin@practice.example")
		expectStatus(t, e.signIn(t, "must@practice.example").do(t, "PUT", "/api/v1/security-settings", map[string]bool{"require_staff_totp": true}), http.StatusForbidden, "role_forbidden")
		expectStatus(t, admin.do(t, "PUT", "/api/v1/security-settings", map[string]bool{"require_staff_totp": true}), http.StatusNoContent, "")
		var got struct {
			Required bool `json:"require_staff_totp"`
		}
		admin.do(t, "GET", "/api/v1/security-settings", nil).decode(t, &got)
		if !got.Required || !slices.Equal(e.eventTypes(t, "security-"+identity.SecuritySettingsID.String()), []string{"StaffTOTPRequirementSet"}) {
			t.Fatalf("settings %+v", got)
		}
		mustEnrolThenWork(t, e, e.signIn(t, "must@practice.example"))
		expectStatus(t, e.signIn(t, "client@practice.example").do(t, "GET", "/api/v1/me", nil), http.StatusOK, "")
	})
}

// mustEnrolThenWork checks that a staff session limited to enrolment can only enrol, and works
// fully once TOTP is confirmed.
func mustEnrolThenWork(t *testing.T, e *env, c *client) {
	t.Helper()
	expectStatus(t, c.do(t, "POST", "/api/v1/tokens", nil), http.StatusForbidden, "totp_enrolment_required")
	var start struct {
		Secret string `json:"secret"`
	}
	res := c.do(t, "POST", "/api/v1/me/totp", nil)
	expectStatus(t, res, http.StatusCreated, "")
	res.decode(t, &start)
	code, _ := totp.GenerateCode(start.Secret, e.clock.Now())
	expectStatus(t, c.do(t, "POST", "/api/v1/me/totp/confirm", map[string]string{"code": code}), http.StatusOK, "")
	expectStatus(t, c.do(t, "POST", "/api/v1/tokens", nil), http.StatusCreated, "")
}

func TestUsersAdminAndRoleChange(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	adminID := e.user(t, domain.RoleAdmin, "admin@practice.example")
	admin := e.signIn(t, "admin@practice.example")

	var created struct {
		ID domain.ID `json:"id"`
	}
	res := admin.do(t, "POST", "/api/v1/users", map[string]string{"email": "new@practice.example", "password": testPassword, "role": "therapist"})
	expectStatus(t, res, http.StatusCreated, "")
	res.decode(t, &created)

	cases := []struct {
		name   string
		body   map[string]string
		status int
		code   string
	}{
		{"duplicate email", map[string]string{"email": "NEW@practice.example", "password": testPassword, "role": "therapist"}, 409, "email_taken"},
		{"weak password", map[string]string{"email": "b@practice.example", "password": "Password1234!", "role": "therapist"}, 400, "weak_password"},
		{"unknown role", map[string]string{"email": "c@practice.example", "password": testPassword, "role": "root"}, 400, "invalid_role"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expectStatus(t, admin.do(t, "POST", "/api/v1/users", c.body), c.status, c.code)
		})
	}
	therapist := e.signIn(t, "new@practice.example")
	t.Run("therapist cannot register users", func(t *testing.T) {
		expectStatus(t, therapist.do(t, "POST", "/api/v1/users", cases[0].body), http.StatusForbidden, "role_forbidden")
	})
	t.Run("role change ends sessions and is an event", func(t *testing.T) {
		expectStatus(t, admin.do(t, "PUT", "/api/v1/users/"+created.ID.String()+"/role", map[string]string{"role": "dpo"}), http.StatusNoContent, "")
		expectStatus(t, therapist.do(t, "GET", "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
		var me struct {
			Role domain.Role `json:"role"`
		}
		e.signIn(t, "new@practice.example").do(t, "GET", "/api/v1/me", nil).decode(t, &me)
		if me.Role != domain.RoleDPO {
			t.Fatalf("role after change: %s", me.Role)
		}
		if !slices.Contains(e.eventTypes(t, "user-"+created.ID.String()), "UserRoleChanged") {
			t.Fatal("no UserRoleChanged event")
		}
	})
	t.Run("admin lists users; others see only themselves", func(t *testing.T) {
		var l struct {
			Users []struct {
				ID    domain.ID   `json:"id"`
				Email string      `json:"email"`
				Role  domain.Role `json:"role"`
			} `json:"users"`
		}
		res := admin.do(t, "GET", "/api/v1/users", nil)
		expectStatus(t, res, http.StatusOK, "")
		res.decode(t, &l)
		if len(l.Users) != 2 || l.Users[0].Email != "admin@practice.example" || l.Users[1].ID != created.ID || l.Users[1].Role != domain.RoleDPO {
			t.Fatalf("users: %+v", l.Users)
		}
		dpo := e.signIn(t, "new@practice.example")
		expectStatus(t, dpo.do(t, "GET", "/api/v1/users", nil), http.StatusForbidden, "role_forbidden")
		expectStatus(t, dpo.do(t, "GET", "/api/v1/users/"+created.ID.String(), nil), http.StatusOK, "")
		expectStatus(t, dpo.do(t, "GET", "/api/v1/users/"+adminID.String(), nil), http.StatusNotFound, "user_not_found")
	})
	t.Run("admin cannot change own role", func(t *testing.T) {
		expectStatus(t, admin.do(t, "PUT", "/api/v1/users/"+adminID.String()+"/role", map[string]string{"role": "dpo"}), http.StatusForbidden, "own_role")
	})
	t.Run("missing user", func(t *testing.T) {
		expectStatus(t, admin.do(t, "PUT", "/api/v1/users/"+domain.ID{7}.String()+"/role", map[string]string{"role": "dpo"}), http.StatusNotFound, "user_not_found")
	})
	t.Run("disable ends sessions and refuses sign-in", func(t *testing.T) {
		c := e.signIn(t, "new@practice.example")
		expectStatus(t, admin.do(t, "PUT", "/api/v1/users/"+created.ID.String()+"/status", map[string]bool{"disabled": true}), http.StatusNoContent, "")
		expectStatus(t, c.do(t, "GET", "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
		_, res := e.trySignIn(t, "new@practice.example", testPassword)
		expectStatus(t, res, http.StatusForbidden, "account_disabled")
	})
}

func TestBearerTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user(t, domain.RoleAdmin, "integrator@practice.example")
	c := e.signIn(t, "integrator@practice.example")
	var tok struct {
		ID    domain.ID `json:"id"`
		Token string    `json:"token"`
	}
	res := c.do(t, "POST", "/api/v1/tokens", nil)
	expectStatus(t, res, http.StatusCreated, "")
	res.decode(t, &tok)
	b := &client{e: e, bearer: tok.Token}
	t.Run("token authenticates without CSRF", func(t *testing.T) {
		var me struct {
			Via string `json:"via"`
		}
		res := b.do(t, "GET", "/api/v1/me", nil)
		expectStatus(t, res, http.StatusOK, "")
		res.decode(t, &me)
		if me.Via != "token" {
			t.Fatalf("via %q", me.Via)
		}
		expectStatus(t, b.do(t, "POST", "/api/v1/users", map[string]string{"email": "viatoken@practice.example", "password": testPassword, "role": "auditor"}), http.StatusCreated, "")
	})
	t.Run("token cannot mint tokens", func(t *testing.T) {
		expectStatus(t, b.do(t, "POST", "/api/v1/tokens", nil), http.StatusForbidden, "session_required")
	})
	t.Run("only the hash is stored", func(t *testing.T) {
		var n int
		if err := e.admin.QueryRow(context.Background(), `SELECT count(*) FROM api_tokens WHERE position(convert_to($1,'UTF8') in token_hash) > 0`, tok.Token).Scan(&n); err != nil || n != 0 {
			t.Fatalf("token stored in clear: %d %v", n, err)
		}
	})
	t.Run("revoked token fails", func(t *testing.T) {
		expectStatus(t, b.do(t, "DELETE", "/api/v1/tokens/"+tok.ID.String(), nil), http.StatusNoContent, "")
		expectStatus(t, b.do(t, "GET", "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
	})
	t.Run("garbage token", func(t *testing.T) {
		expectStatus(t, (&client{e: e, bearer: "clt_nope"}).do(t, "GET", "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
	})
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user(t, domain.RoleTherapist, "pw@practice.example")
	c := e.signIn(t, "pw@practice.example")
	other := e.signIn(t, "pw@practice.example")
	newPassword := "another quite long passphrase 42"
	cases := []struct {
		name, current, next string
		status              int
		code                string
	}{
		{"wrong current", "not my password at all", newPassword, 401, "invalid_credentials"},
		{"weak new", testPassword, "password12345", 400, "weak_password"},
		{"changed", testPassword, newPassword, 204, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			expectStatus(t, c.do(t, "PUT", "/api/v1/me/password", map[string]string{"current_password": tc.current, "new_password": tc.next}), tc.status, tc.code)
		})
	}
	expectStatus(t, c.do(t, "GET", "/api/v1/me", nil), http.StatusOK, "")
	expectStatus(t, other.do(t, "GET", "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
	_, res := e.trySignIn(t, "pw@practice.example", testPassword)
	expectStatus(t, res, http.StatusUnauthorized, "invalid_credentials")
	e.clock.Advance(time.Minute)
	if _, res := e.trySignIn(t, "pw@practice.example", newPassword); res.status != http.StatusCreated {
		t.Fatalf("new password: %d %s", res.status, res.body)
	}
}

func TestPurgeExpiredCredentials(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user(t, domain.RoleAuditor, "purge@practice.example")
	stale := e.signIn(t, "purge@practice.example")
	e.clock.Advance(20 * time.Minute)
	fresh := e.signIn(t, "purge@practice.example")
	e.clock.Advance(15 * time.Minute)
	n, err := api.PurgeExpiredCredentials(context.Background(), e.pool, e.policy, e.clock.Now())
	if err != nil || n != 1 {
		t.Fatalf("purged %d, %v; want 1", n, err)
	}
	expectStatus(t, stale.do(t, "GET", "/api/v1/me", nil), http.StatusUnauthorized, "unauthenticated")
	expectStatus(t, fresh.do(t, "GET", "/api/v1/me", nil), http.StatusOK, "")
}
