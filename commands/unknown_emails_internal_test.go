package commands

import (
	"errors"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain/identity"
)

// TestUnknownEmailsStayBounded checks the memory bound: past its capacity UnknownEmails first
// forgets entries that can no longer throttle or lock, then the oldest; a forgotten email starts
// afresh, and an email kept keeps its failures. (That an unknown email is throttled and locked
// exactly like an account is tested over HTTP: TestUnknownEmailIsThrottledLikeAnAccount.)
func TestUnknownEmailsStayBounded(t *testing.T) {
	t.Parallel()
	p := identity.DefaultPolicy()
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	verified := 0
	verify := func() { verified++ }
	fail := func(u *UnknownEmails, token string, at time.Time) error {
		t.Helper()
		return u.signIn([]byte(token), at, p, verify)
	}

	u := NewUnknownEmails(2)
	for i, tok := range []string{"a", "b", "c"} {
		if err := fail(u, tok, t0.Add(time.Duration(i)*time.Second)); !errors.Is(err, identity.ErrInvalidCredentials) {
			t.Fatalf("first failure of %s: %v", tok, err)
		}
	}
	if u.Len() != 2 || u.byToken["a"] != nil {
		t.Fatalf("after three emails with room for two: %d kept, the oldest kept: %v", u.Len(), u.byToken["a"] != nil)
	}
	if verified != 3 {
		t.Fatalf("%d password checks for 3 allowed attempts", verified)
	}

	// b is past the throttle threshold after ThrottleAfter failures; a forgotten email is not.
	for i := 1; i < p.ThrottleAfter; i++ {
		if err := fail(u, "b", t0.Add(time.Duration(10+i)*time.Second)); !errors.Is(err, identity.ErrInvalidCredentials) {
			t.Fatalf("failure %d of b: %v", i+1, err)
		}
	}
	var wait *identity.WaitError
	before := verified
	if err := fail(u, "b", t0.Add(13*time.Second)); !errors.As(err, &wait) || wait.Err.Code != "sign_in_throttled" {
		t.Fatalf("b after %d failures: %v; want sign_in_throttled", p.ThrottleAfter, err)
	}
	if verified != before {
		t.Fatal("a throttled attempt checked the password")
	}

	// Once b's and c's failures are older than the window and the lock, a new email evicts them.
	later := t0.Add(p.FailureWindow + p.LockFor + time.Minute)
	if err := fail(u, "d", later); !errors.Is(err, identity.ErrInvalidCredentials) {
		t.Fatal(err)
	}
	if u.Len() != 1 || u.byToken["d"] == nil {
		t.Fatalf("after the others expired: %d kept", u.Len())
	}

	var none *UnknownEmails
	if err := none.signIn([]byte("x"), t0, p, verify); !errors.Is(err, identity.ErrInvalidCredentials) || none.Len() != 0 {
		t.Fatalf("a nil UnknownEmails: %v", err)
	}
}
