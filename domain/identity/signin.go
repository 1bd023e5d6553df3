package identity

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"
	"time"

	"github.com/caseledger/caseledger/domain"
)

// WaitError is a refusal that ends at a known time: a lockout or a throttle. Until tells the
// caller when to try again (HTTP Retry-After). errors.As finds the wrapped *domain.Error.
type WaitError struct {
	Err   *domain.Error
	Until time.Time
}

func (e *WaitError) Error() string { return e.Err.Error() }
func (e *WaitError) Unwrap() error { return e.Err }

// Stable error codes of sign-in.
var (
	// ErrInvalidCredentials is returned for an unknown email and a wrong password alike.
	ErrInvalidCredentials = &domain.Error{Kind: domain.KindInvalid, Code: "invalid_credentials", Message: "email or password is wrong"}
	// ErrSecondFactorRequired asks for a TOTP or recovery code; no failure is counted.
	ErrSecondFactorRequired = &domain.Error{Kind: domain.KindInvalid, Code: "second_factor_required", Message: "a TOTP code or a recovery code is required"}
	// ErrBadSecondFactor is a wrong, reused or expired TOTP code or an unknown recovery code.
	ErrBadSecondFactor = &domain.Error{Kind: domain.KindInvalid, Code: "invalid_second_factor", Message: "the code is wrong or was already used"}
	// ErrAccountDisabled is returned for a disabled or dormant account.
	ErrAccountDisabled = &domain.Error{Kind: domain.KindForbidden, Code: "account_disabled", Message: "the account is disabled"}
)

// Gate decides whether a sign-in attempt may proceed to password checking at now. It returns the
// events to record (a dormant account is disabled here; every refusal is a UserSignInFailed) and
// a nil error when the attempt may proceed. Refusals: ErrAccountDisabled; a *WaitError with code
// "account_locked" or "sign_in_throttled". Checking the gate before hashing keeps a throttled
// attacker from costing the server an argon2 computation per attempt.
func (u *User) Gate(now time.Time, p Policy) ([]domain.Event, error) {
	if u.disabled {
		return []domain.Event{UserSignInFailed{Reason: ReasonDisabled, At: now}}, ErrAccountDisabled
	}
	if evs := u.DisableIfDormant(now, p); evs != nil {
		return append(evs, UserSignInFailed{Reason: ReasonDisabled, At: now}), ErrAccountDisabled
	}
	if now.Before(u.lockedUntil) {
		return []domain.Event{UserSignInFailed{Reason: ReasonLocked, At: now}}, &WaitError{
			Err:   &domain.Error{Kind: domain.KindConflict, Code: "account_locked", Message: "too many failed sign-ins; the account is locked for a while"},
			Until: u.lockedUntil,
		}
	}
	if n := u.RecentFailures(now, p); n >= p.ThrottleAfter {
		wait := p.ThrottleBase << min(n-p.ThrottleAfter, 20)
		if wait > p.LockFor {
			wait = p.LockFor
		}
		if until := u.failures[len(u.failures)-1].Add(wait); now.Before(until) {
			return []domain.Event{UserSignInFailed{Reason: ReasonThrottled, At: now}}, &WaitError{
				Err:   &domain.Error{Kind: domain.KindConflict, Code: "sign_in_throttled", Message: "too many failed sign-ins; wait before trying again"},
				Until: until,
			}
		}
	}
	return nil, nil
}

// Proof is what the caller established about a sign-in attempt after Gate allowed it.
type Proof struct {
	// PasswordOK is true when the password matched the stored hash.
	PasswordOK bool
	// TOTPStep is the time step of the TOTP code that matched the user's secret; 0 when no code
	// was given or none matched.
	TOTPStep int64
	// TOTPGiven is true when a TOTP code was given (matching or not).
	TOTPGiven bool
	// RecoveryCode is the recovery code given, "" for none.
	RecoveryCode string
}

// SignIn decides a sign-in attempt at now for the session id session. On success it returns
// UserSignedIn (and UserRecoveryCodeUsed when a recovery code was spent) and a nil error. On a
// wrong password or second factor it returns UserSignInFailed, followed by UserLockedOut when this
// failure reaches the policy's limit, with ErrInvalidCredentials or ErrBadSecondFactor. A correct
// password without a needed second factor returns no events and ErrSecondFactorRequired. A TOTP
// code is accepted at most once: a step at or before the last accepted one is refused.
func (u *User) SignIn(now time.Time, p Policy, session domain.ID, proof Proof) ([]domain.Event, error) {
	if !proof.PasswordOK {
		return u.fail(now, p, ReasonBadPassword), ErrInvalidCredentials
	}
	if !u.SecondFactorRequired() {
		return []domain.Event{UserSignedIn{SessionID: session, Method: MethodPassword, At: now}}, nil
	}
	switch {
	case proof.TOTPStep > u.lastTOTPStep:
		return []domain.Event{UserSignedIn{SessionID: session, Method: MethodTOTP, TOTPStep: proof.TOTPStep, At: now}}, nil
	case proof.RecoveryCode != "":
		if i := u.matchRecovery(proof.RecoveryCode); i >= 0 {
			return []domain.Event{
				UserRecoveryCodeUsed{Index: i, At: now},
				UserSignedIn{SessionID: session, Method: MethodRecoveryCode, At: now},
			}, nil
		}
		return u.fail(now, p, ReasonBadSecondFactor), ErrBadSecondFactor
	case proof.TOTPGiven:
		return u.fail(now, p, ReasonBadSecondFactor), ErrBadSecondFactor
	}
	return nil, ErrSecondFactorRequired
}

func (u *User) fail(now time.Time, p Policy, r Reason) []domain.Event {
	evs := []domain.Event{UserSignInFailed{Reason: r, At: now}}
	if n := u.RecentFailures(now, p) + 1; n >= p.MaxFailures {
		evs = append(evs, UserLockedOut{Failures: n, Until: now.Add(p.LockFor), At: now})
	}
	return evs
}

// HashRecoveryCode returns the stored form of a recovery code: the hex SHA-256 of the code
// upper-cased with spaces and dashes removed. Recovery codes are random (at least 80 bits), so a
// fast hash suffices.
func HashRecoveryCode(code string) string {
	c := strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(code))
	sum := sha256.Sum256([]byte(c))
	return hex.EncodeToString(sum[:])
}

// matchRecovery returns the index of the unused recovery code matching code, or -1.
func (u *User) matchRecovery(code string) int {
	h := HashRecoveryCode(code)
	found := -1
	for i, stored := range u.recovery {
		if stored != "" && subtle.ConstantTimeCompare([]byte(stored), []byte(h)) == 1 {
			found = i
		}
	}
	return found
}
