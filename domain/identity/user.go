package identity

import (
	"time"

	"github.com/caseledger/caseledger/domain"
)

// Method says how a sign-in was proved.
type Method string

// Sign-in methods.
const (
	MethodPassword     Method = "password"
	MethodTOTP         Method = "password+totp"
	MethodRecoveryCode Method = "password+recovery_code"
)

// Reason is the stable code of a refused sign-in.
type Reason string

// Reasons for a refused sign-in. Codes are part of the API and never change.
const (
	ReasonBadPassword     Reason = "bad_password"
	ReasonBadSecondFactor Reason = "bad_second_factor"
	ReasonLocked          Reason = "locked"
	ReasonThrottled       Reason = "throttled"
	ReasonDisabled        Reason = "disabled"
)

// User is the aggregate of one user account. Its state is unexported; it is built from history by
// FromHistory and changed only by applying events. A User is not safe for concurrent mutation.
type User struct {
	id           domain.ID
	role         domain.Role
	email        string
	passwordHash string
	registered   time.Time
	lastActive   time.Time
	disabled     bool
	failures     []time.Time // counting failures since the last success or unlock
	lockedUntil  time.Time
	pendingTOTP  string
	totpSecret   string
	lastTOTPStep int64
	recovery     []string // hex hashes; "" once used
}

// FromHistory folds a user's events, oldest first, into a User. It is not a constructor: it
// never checks invariants, because history is fact. An empty history gives a User whose Exists is
// false.
func FromHistory(events []domain.Event) *User {
	u := &User{}
	for _, e := range events {
		u.apply(e)
	}
	return u
}

// apply changes the state for one event. It cannot fail; unknown events are ignored.
func (u *User) apply(e domain.Event) {
	switch e := e.(type) {
	case UserRegistered:
		u.id, u.role, u.email, u.passwordHash = e.UserID, e.Role, e.Email, e.PasswordHash
		u.registered, u.lastActive = e.At, e.At
	case UserPasswordChanged:
		u.passwordHash = e.PasswordHash
	case UserRoleChanged:
		u.role = e.To
	case UserSignedIn:
		u.lastActive = e.At
		u.failures, u.lockedUntil = nil, time.Time{}
		if e.TOTPStep > u.lastTOTPStep {
			u.lastTOTPStep = e.TOTPStep
		}
	case UserSignInFailed:
		if e.Reason == ReasonBadPassword || e.Reason == ReasonBadSecondFactor {
			u.failures = append(u.failures, e.At)
		}
	case UserLockedOut:
		u.lockedUntil = e.Until
		u.failures = nil
	case UserDisabled:
		u.disabled = true
	case UserEnabled:
		u.disabled, u.failures, u.lockedUntil = false, nil, time.Time{}
		u.lastActive = e.At
	case UserTOTPEnrolled:
		u.pendingTOTP = e.Secret
	case UserTOTPConfirmed:
		u.totpSecret, u.pendingTOTP = u.pendingTOTP, ""
		if e.Step > u.lastTOTPStep {
			u.lastTOTPStep = e.Step
		}
	case UserTOTPReset:
		u.totpSecret, u.pendingTOTP, u.recovery = "", "", nil
	case UserRecoveryCodesIssued:
		u.recovery = append([]string(nil), e.Hashes...)
		if e.Step > u.lastTOTPStep {
			u.lastTOTPStep = e.Step
		}
	case UserRecoveryCodeUsed:
		if e.Index >= 0 && e.Index < len(u.recovery) {
			u.recovery[e.Index] = ""
		}
	}
}

// Apply applies events just decided, so the User reflects them.
func (u *User) Apply(events ...domain.Event) {
	for _, e := range events {
		u.apply(e)
	}
}

// Exists reports whether the user was registered.
func (u *User) Exists() bool { return !u.id.IsZero() }

// ID, Role, Email and PasswordHash return the user's current values.
func (u *User) ID() domain.ID        { return u.id }
func (u *User) Role() domain.Role    { return u.role }
func (u *User) Email() string        { return u.email }
func (u *User) PasswordHash() string { return u.passwordHash }

// LastActive returns when the user last signed in (or was registered or re-enabled).
func (u *User) LastActive() time.Time { return u.lastActive }

// DisableIfDormant decides disabling an account unused for the policy's dormancy period at now:
// UserDisabled{reason: dormant}, or nothing when the account is in use or already disabled.
func (u *User) DisableIfDormant(now time.Time, p Policy) []domain.Event {
	if !u.Exists() || u.disabled || now.Sub(u.lastActive) < p.DormantAfter {
		return nil
	}
	return []domain.Event{UserDisabled{Reason: "dormant", At: now}}
}

// Disabled reports whether the account is disabled.
func (u *User) Disabled() bool { return u.disabled }

// LockedUntil returns the end of the current lockout; the zero time when none was ever set.
func (u *User) LockedUntil() time.Time { return u.lockedUntil }

// TOTPSecret returns the confirmed TOTP secret, "" when the user has none.
func (u *User) TOTPSecret() string { return u.totpSecret }

// PendingTOTPSecret returns the enrolled but unconfirmed TOTP secret, "" when none.
func (u *User) PendingTOTPSecret() string { return u.pendingTOTP }

// LastTOTPStep returns the latest TOTP time step accepted; codes at or before it are refused.
func (u *User) LastTOTPStep() int64 { return u.lastTOTPStep }

// RecoveryHashes returns the recovery code hashes, "" for a used code. The slice is a copy.
func (u *User) RecoveryHashes() []string { return append([]string(nil), u.recovery...) }

// RecentFailures returns how many counting failures fall within the policy's window before now.
func (u *User) RecentFailures(now time.Time, p Policy) int {
	n := 0
	for _, f := range u.failures {
		if now.Sub(f) < p.FailureWindow {
			n++
		}
	}
	return n
}

// SecondFactorRequired reports whether signing in needs a TOTP code or a recovery code: the user
// has confirmed TOTP.
func (u *User) SecondFactorRequired() bool { return u.totpSecret != "" }

// MustEnrolTOTP reports whether the policy demands TOTP of this user who has not confirmed one;
// such a user's sessions may only enrol until they do.
func (u *User) MustEnrolTOTP(p Policy) bool {
	return p.RequireStaffTOTP && u.role != domain.RoleClient && u.totpSecret == ""
}
