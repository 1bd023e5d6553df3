package identity_test

import (
	"errors"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/identity"
)

var (
	t0    = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	uid   = domain.ID{1}
	admin = domain.Actor{UserID: domain.ID{9}, Role: domain.RoleAdmin}
)

func registered(tb testing.TB, role domain.Role, more ...domain.Event) *identity.User {
	tb.Helper()
	u := identity.FromHistory(nil)
	evs, err := u.Register(uid, role, " Someone@Example.org ", "$argon2id$hash", t0)
	if err != nil {
		tb.Fatal(err)
	}
	u.Apply(evs...)
	u.Apply(more...)
	return u
}

func code(err error) string {
	var e *domain.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func TestCheckPassword(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, pw, email, code string }{
		{"long random passes", "correct horse battery staple", "", ""},
		{"too short", "Xy7#kP2!qR", "", "weak_password"},
		{"common exactly", "qwertyuiopas", "", "weak_password"},
		{"common padded with digits", "Password12345!", "", "weak_password"},
		{"common with substitutions", "P@ssw0rd2024!!", "", "weak_password"},
		{"repeated characters", "aaaaaaaaaaaaaaaa", "", "weak_password"},
		{"digit sequence", "123456789012", "", "weak_password"},
		{"contains email local part", "jonathan-rocks-hard", "Jonathan@example.org", "weak_password"},
		{"too long", string(make([]byte, 300)), "", "invalid_password"},
		{"not utf8", "\xff\xfe\xfdabcdefghijkl", "", "invalid_password"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := identity.CheckPassword(c.pw, c.email)
			if got := code(err); got != c.code {
				t.Fatalf("code %q, want %q (err %v)", got, c.code, err)
			}
			if err != nil && len(c.pw) > 0 && containsString(err.Error(), c.pw) {
				t.Fatal("error repeats the password")
			}
		})
	}
}

func containsString(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestRegister(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		role  domain.Role
		email string
		code  string
	}{
		{"therapist", domain.RoleTherapist, "a@b.example", ""},
		{"system refused", domain.RoleSystem, "a@b.example", "invalid_role"},
		{"unknown role", "root", "a@b.example", "invalid_role"},
		{"bad email", domain.RoleAdmin, "not-an-email", "invalid_email"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := identity.FromHistory(nil)
			evs, err := u.Register(uid, c.role, c.email, "h", t0)
			if code(err) != c.code {
				t.Fatalf("err %v, want code %q", err, c.code)
			}
			if err == nil && evs[0].(identity.UserRegistered).Email != "a@b.example" {
				t.Fatal("email not normalised")
			}
		})
	}
	u := registered(t, domain.RoleTherapist)
	if _, err := u.Register(uid, domain.RoleTherapist, "a@b.example", "h", t0); code(err) != "user_exists" {
		t.Fatalf("second register: %v", err)
	}
}

func TestLockoutAndThrottle(t *testing.T) {
	t.Parallel()
	p := identity.DefaultPolicy()
	u := registered(t, domain.RoleTherapist)
	now := t0.Add(time.Hour)
	var locked bool
	for i := 1; i <= p.MaxFailures; i++ {
		if _, err := u.Gate(now, p); err != nil {
			t.Fatalf("attempt %d gated: %v", i, err)
		}
		evs, err := u.SignIn(now, p, domain.ID{2}, identity.Proof{PasswordOK: false})
		if err != identity.ErrInvalidCredentials {
			t.Fatalf("attempt %d: %v", i, err)
		}
		u.Apply(evs...)
		_, locked = evs[len(evs)-1].(identity.UserLockedOut)
		if locked != (i == p.MaxFailures) {
			t.Fatalf("attempt %d: locked=%v", i, locked)
		}
		now = now.Add(time.Minute) // past every throttle delay below the lock
	}
	t.Run("locked refuses even the right password", func(t *testing.T) {
		evs, err := u.Gate(now, p)
		var w *identity.WaitError
		if !errors.As(err, &w) || code(err) != "account_locked" || len(evs) != 1 {
			t.Fatalf("gate while locked: %v %v", evs, err)
		}
	})
	t.Run("lock ends", func(t *testing.T) {
		if _, err := u.Gate(now.Add(p.LockFor), p); err != nil {
			t.Fatalf("after lock: %v", err)
		}
	})
	t.Run("throttle after three quick failures", func(t *testing.T) {
		v := registered(t, domain.RoleTherapist)
		at := t0.Add(time.Hour)
		for i := 0; i < p.ThrottleAfter; i++ {
			evs, _ := v.SignIn(at, p, domain.ID{2}, identity.Proof{})
			v.Apply(evs...)
		}
		_, err := v.Gate(at.Add(time.Second), p)
		if code(err) != "sign_in_throttled" {
			t.Fatalf("want throttled, got %v", err)
		}
		if _, err := v.Gate(at.Add(p.ThrottleBase), p); err != nil {
			t.Fatalf("after the delay: %v", err)
		}
	})
	t.Run("success resets failures", func(t *testing.T) {
		v := registered(t, domain.RoleTherapist)
		evs, _ := v.SignIn(t0, p, domain.ID{2}, identity.Proof{})
		v.Apply(evs...)
		evs, err := v.SignIn(t0.Add(time.Minute), p, domain.ID{2}, identity.Proof{PasswordOK: true})
		if err != nil {
			t.Fatal(err)
		}
		v.Apply(evs...)
		if n := v.RecentFailures(t0.Add(2*time.Minute), p); n != 0 {
			t.Fatalf("failures after success: %d", n)
		}
	})
}

func TestDormantAndDisabled(t *testing.T) {
	t.Parallel()
	p := identity.DefaultPolicy()
	cases := []struct {
		name string
		at   time.Time
		code string
	}{
		{"89 days unused", t0.Add(89 * 24 * time.Hour), ""},
		{"90 days unused", t0.Add(90 * 24 * time.Hour), "account_disabled"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := registered(t, domain.RoleTherapist)
			evs, err := u.Gate(c.at, p)
			if code(err) != c.code {
				t.Fatalf("%v", err)
			}
			if c.code != "" {
				u.Apply(evs...)
				if !u.Disabled() {
					t.Fatal("dormant account not disabled")
				}
			}
		})
	}
}

func TestSecondFactor(t *testing.T) {
	t.Parallel()
	p := identity.DefaultPolicy()
	codes := []string{"ABCD-EFGH-IJKL", "MNOP-QRST-UVWX"}
	hashes := []string{identity.HashRecoveryCode(codes[0]), identity.HashRecoveryCode(codes[1])}
	withTOTP := func(tb testing.TB) *identity.User {
		u := registered(tb, domain.RoleTherapist)
		evs, err := u.EnrolTOTP(uid, "SECRET", t0)
		if err != nil {
			tb.Fatal(err)
		}
		u.Apply(evs...)
		evs, err = u.ConfirmTOTP(uid, 100, hashes, t0)
		if err != nil {
			tb.Fatal(err)
		}
		u.Apply(evs...)
		return u
	}
	cases := []struct {
		name  string
		proof identity.Proof
		err   error
	}{
		{"no code", identity.Proof{PasswordOK: true}, identity.ErrSecondFactorRequired},
		{"fresh step", identity.Proof{PasswordOK: true, TOTPGiven: true, TOTPStep: 101}, nil},
		{"replayed step", identity.Proof{PasswordOK: true, TOTPGiven: true, TOTPStep: 100}, identity.ErrBadSecondFactor},
		{"wrong code", identity.Proof{PasswordOK: true, TOTPGiven: true}, identity.ErrBadSecondFactor},
		{"recovery code, any case", identity.Proof{PasswordOK: true, RecoveryCode: "abcd efgh ijkl"}, nil},
		{"unknown recovery code", identity.Proof{PasswordOK: true, RecoveryCode: "ZZZZ"}, identity.ErrBadSecondFactor},
		{"wrong password first", identity.Proof{TOTPGiven: true, TOTPStep: 101}, identity.ErrInvalidCredentials},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := withTOTP(t)
			_, err := u.SignIn(t0, p, domain.ID{3}, c.proof)
			if err != c.err {
				t.Fatalf("got %v, want %v", err, c.err)
			}
		})
	}
	t.Run("recovery code is single use", func(t *testing.T) {
		u := withTOTP(t)
		evs, err := u.SignIn(t0, p, domain.ID{3}, identity.Proof{PasswordOK: true, RecoveryCode: codes[1]})
		if err != nil {
			t.Fatal(err)
		}
		u.Apply(evs...)
		if _, err := u.SignIn(t0, p, domain.ID{3}, identity.Proof{PasswordOK: true, RecoveryCode: codes[1]}); err != identity.ErrBadSecondFactor {
			t.Fatalf("second use: %v", err)
		}
	})
	t.Run("staff must enrol when required", func(t *testing.T) {
		q := p
		q.RequireStaffTOTP = true
		if !registered(t, domain.RoleTherapist).MustEnrolTOTP(q) || registered(t, domain.RoleClient).MustEnrolTOTP(q) {
			t.Fatal("MustEnrolTOTP wrong")
		}
		if withTOTP(t).MustEnrolTOTP(q) {
			t.Fatal("enrolled user must not enrol again")
		}
	})
}

func TestChangeRole(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		actor domain.Actor
		to    domain.Role
		code  string
	}{
		{"admin promotes", admin, domain.RoleDPO, ""},
		{"therapist may not", domain.Actor{UserID: domain.ID{8}, Role: domain.RoleTherapist}, domain.RoleDPO, "admin_only"},
		{"own role", domain.Actor{UserID: uid, Role: domain.RoleAdmin}, domain.RoleDPO, "own_role"},
		{"to system", admin, domain.RoleSystem, "invalid_role"},
		{"unchanged", admin, domain.RoleTherapist, "role_unchanged"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := registered(t, domain.RoleTherapist)
			_, err := u.ChangeRole(c.actor, uid, c.to, t0)
			if code(err) != c.code {
				t.Fatalf("got %v, want %q", err, c.code)
			}
		})
	}
	if _, err := identity.FromHistory(nil).ChangeRole(admin, uid, domain.RoleDPO, t0); code(err) != "user_not_found" {
		t.Fatalf("missing user: %v", err)
	}
}

func TestPolicyValidate(t *testing.T) {
	t.Parallel()
	p := identity.DefaultPolicy()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	p.IdleTimeout = 61 * time.Minute
	if p.Validate() == nil {
		t.Fatal("idle timeout over 60 minutes accepted")
	}
}

func TestGrantEmergencyAccess(t *testing.T) {
	t.Parallel()
	therapist := domain.Actor{UserID: domain.ID{3}, Role: domain.RoleTherapist}
	long := "client in crisis, their therapist is unreachable tonight"
	cases := []struct {
		name   string
		actor  domain.Actor
		reason string
		until  time.Time
		code   string
	}{
		{"therapist with reason", therapist, long, t0.Add(time.Hour), ""},
		{"reason too short", therapist, "urgent", t0.Add(time.Hour), "invalid_reason"},
		{"manager refused", domain.Actor{UserID: domain.ID{4}, Role: domain.RolePracticeManager}, long, t0.Add(time.Hour), "emergency_access_forbidden"},
		{"until in the past", therapist, long, t0, "invalid_until"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, err := identity.GrantEmergencyAccess(c.actor, domain.ID{1}, domain.ID{2}, c.reason, c.until, t0)
			if code(err) != c.code {
				t.Fatalf("got %v, want %q", err, c.code)
			}
			if err == nil && (g.TherapistID != therapist.UserID || g.Reason != long) {
				t.Fatalf("grant %+v", g)
			}
		})
	}
}

func TestSecuritySettings(t *testing.T) {
	t.Parallel()
	s := identity.SecuritySettingsFromHistory(nil)
	if _, err := s.SetStaffTOTPRequirement(domain.Actor{UserID: domain.ID{2}, Role: domain.RoleDPO}, true, t0); code(err) != "admin_only" {
		t.Fatalf("dpo: %v", err)
	}
	if _, err := s.SetStaffTOTPRequirement(admin, false, t0); code(err) != "setting_unchanged" {
		t.Fatalf("unchanged: %v", err)
	}
	ev, err := s.SetStaffTOTPRequirement(admin, true, t0)
	if err != nil {
		t.Fatal(err)
	}
	s = identity.SecuritySettingsFromHistory([]domain.Event{ev})
	if !s.RequireStaffTOTP() || !s.Apply(identity.DefaultPolicy()).RequireStaffTOTP {
		t.Fatal("requirement not applied")
	}
	op := identity.DefaultPolicy()
	op.RequireStaffTOTP = true
	if !identity.SecuritySettingsFromHistory(nil).Apply(op).RequireStaffTOTP {
		t.Fatal("practice settings removed the operator's requirement")
	}
}

func TestAdminUnlocks(t *testing.T) {
	t.Parallel()
	p := identity.DefaultPolicy()
	u := registered(t, domain.RoleTherapist)
	now := t0.Add(time.Hour)
	for range p.MaxFailures {
		evs, _ := u.SignIn(now, p, domain.ID{2}, identity.Proof{})
		u.Apply(evs...)
	}
	if _, err := u.Gate(now, p); code(err) != "account_locked" {
		t.Fatalf("not locked: %v", err)
	}
	evs, err := u.SetDisabled(admin, uid, false, now)
	if err != nil {
		t.Fatal(err)
	}
	u.Apply(evs...)
	if _, err := u.Gate(now, p); err != nil {
		t.Fatalf("still locked after the admin enabled: %v", err)
	}
	if _, err := u.SetDisabled(admin, uid, false, now); code(err) != "status_unchanged" {
		t.Fatalf("enabling an unlocked account: %v", err)
	}
}

func TestResetTOTP(t *testing.T) {
	t.Parallel()
	withTOTP := func(tb testing.TB) *identity.User {
		u := registered(tb, domain.RoleTherapist)
		evs, _ := u.EnrolTOTP(uid, "SECRET", t0)
		u.Apply(evs...)
		evs, _ = u.ConfirmTOTP(uid, 100, []string{identity.HashRecoveryCode("AAAA")}, t0)
		u.Apply(evs...)
		return u
	}
	cases := []struct {
		name  string
		actor domain.Actor
		user  func(testing.TB) *identity.User
		code  string
	}{
		{"admin resets", admin, withTOTP, ""},
		{"therapist may not", domain.Actor{UserID: domain.ID{8}, Role: domain.RoleTherapist}, withTOTP, "admin_only"},
		{"own account", domain.Actor{UserID: uid, Role: domain.RoleAdmin}, withTOTP, "own_account"},
		{"nothing to reset", admin, func(tb testing.TB) *identity.User { return registered(tb, domain.RoleTherapist) }, "totp_not_enabled"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := c.user(t)
			evs, err := u.ResetTOTP(c.actor, uid, t0)
			if code(err) != c.code {
				t.Fatalf("got %v, want %q", err, c.code)
			}
			if err == nil {
				u.Apply(evs...)
				if u.SecondFactorRequired() || len(u.RecoveryHashes()) != 0 {
					t.Fatal("second factor survived the reset")
				}
			}
		})
	}
}
