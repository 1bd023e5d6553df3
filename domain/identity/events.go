package identity

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/caseledger/caseledger/domain"
)

// UserRegistered opens a user's stream. Email is normalised (NormaliseEmail); PasswordHash is an
// encoded argon2id hash, never a password.
type UserRegistered struct {
	UserID       domain.ID   `json:"user_id"`
	Role         domain.Role `json:"role"`
	Email        string      `json:"email"`
	PasswordHash string      `json:"password_hash"`
	At           time.Time   `json:"at"`
}

// UserPasswordChanged replaces the password hash.
type UserPasswordChanged struct {
	PasswordHash string    `json:"password_hash"`
	At           time.Time `json:"at"`
}

// UserRoleChanged moves a user from one role to another.
type UserRoleChanged struct {
	From domain.Role `json:"from"`
	To   domain.Role `json:"to"`
	At   time.Time   `json:"at"`
}

// UserSignedIn records a successful sign-in. Method is one of the Method constants. TOTPStep is
// the time step of the TOTP code used (0 when none), so a code is never accepted twice.
type UserSignedIn struct {
	SessionID domain.ID `json:"session_id"`
	Method    Method    `json:"method"`
	TOTPStep  int64     `json:"totp_step,omitempty"`
	At        time.Time `json:"at"`
}

// UserSignInFailed records a refused sign-in with a stable reason code (one of the Reason
// constants). Only ReasonBadPassword and ReasonBadSecondFactor count towards lockout.
type UserSignInFailed struct {
	Reason Reason    `json:"reason"`
	At     time.Time `json:"at"`
}

// UserLockedOut records that too many failures locked the account until Until.
type UserLockedOut struct {
	Failures int       `json:"failures"`
	Until    time.Time `json:"until"`
	At       time.Time `json:"at"`
}

// UserDisabled records that the account can no longer sign in. Reason is "dormant" (unused past
// the dormancy period) or "admin".
type UserDisabled struct {
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// UserEnabled re-enables a disabled account and clears its lockout.
type UserEnabled struct {
	At time.Time `json:"at"`
}

// UserTOTPEnrolled stores a new, not yet confirmed TOTP secret (base32). It replaces any earlier
// unconfirmed one.
type UserTOTPEnrolled struct {
	Secret string    `json:"secret"`
	At     time.Time `json:"at"`
}

// UserTOTPConfirmed makes the enrolled secret the user's second factor; Step is the time step of
// the code that proved it.
type UserTOTPConfirmed struct {
	Step int64     `json:"step"`
	At   time.Time `json:"at"`
}

// UserTOTPReset removes the user's second factor and recovery codes (an admin's action for a lost
// device); the user enrols again.
type UserTOTPReset struct {
	At time.Time `json:"at"`
}

// UserRecoveryCodesIssued replaces the user's recovery codes with new ones, stored as hex SHA-256
// hashes. The codes themselves are shown once and never stored. Step is the time step of the TOTP
// code that authorised a regeneration (0 when issued with the confirmation).
type UserRecoveryCodesIssued struct {
	Hashes []string  `json:"hashes"`
	Step   int64     `json:"step,omitempty"`
	At     time.Time `json:"at"`
}

// UserRecoveryCodeUsed spends the recovery code at Index of the last issued list.
type UserRecoveryCodeUsed struct {
	Index int       `json:"index"`
	At    time.Time `json:"at"`
}

// EventType names.
func (UserRegistered) EventType() string          { return "UserRegistered" }
func (UserPasswordChanged) EventType() string     { return "UserPasswordChanged" }
func (UserRoleChanged) EventType() string         { return "UserRoleChanged" }
func (UserSignedIn) EventType() string            { return "UserSignedIn" }
func (UserSignInFailed) EventType() string        { return "UserSignInFailed" }
func (UserLockedOut) EventType() string           { return "UserLockedOut" }
func (UserDisabled) EventType() string            { return "UserDisabled" }
func (UserEnabled) EventType() string             { return "UserEnabled" }
func (UserTOTPEnrolled) EventType() string        { return "UserTOTPEnrolled" }
func (UserTOTPConfirmed) EventType() string       { return "UserTOTPConfirmed" }
func (UserTOTPReset) EventType() string           { return "UserTOTPReset" }
func (UserRecoveryCodesIssued) EventType() string { return "UserRecoveryCodesIssued" }
func (UserRecoveryCodeUsed) EventType() string    { return "UserRecoveryCodeUsed" }

// Decode is the domain.Decoder of the user stream. Unknown types, schema versions other than 1 and
// payloads that do not decode give an ErrInvalid error; it never panics.
func Decode(eventType string, schemaVersion int, payload []byte) (domain.Event, error) {
	if schemaVersion != 1 {
		return nil, domain.Invalid("schema_version", fmt.Sprintf("%s version %d is not known", eventType, schemaVersion))
	}
	var ev domain.Event
	switch eventType {
	case "UserRegistered":
		ev = &UserRegistered{}
	case "UserPasswordChanged":
		ev = &UserPasswordChanged{}
	case "UserRoleChanged":
		ev = &UserRoleChanged{}
	case "UserSignedIn":
		ev = &UserSignedIn{}
	case "UserSignInFailed":
		ev = &UserSignInFailed{}
	case "UserLockedOut":
		ev = &UserLockedOut{}
	case "UserDisabled":
		ev = &UserDisabled{}
	case "UserEnabled":
		ev = &UserEnabled{}
	case "UserTOTPEnrolled":
		ev = &UserTOTPEnrolled{}
	case "UserTOTPConfirmed":
		ev = &UserTOTPConfirmed{}
	case "UserTOTPReset":
		ev = &UserTOTPReset{}
	case "UserRecoveryCodesIssued":
		ev = &UserRecoveryCodesIssued{}
	case "UserRecoveryCodeUsed":
		ev = &UserRecoveryCodeUsed{}
	case "EmergencyAccessGranted":
		ev = &EmergencyAccessGranted{}
	case "StaffTOTPRequirementSet":
		ev = &StaffTOTPRequirementSet{}
	default:
		return nil, domain.Invalid("event_type", fmt.Sprintf("%q is not a user event", truncate(eventType, 60)))
	}
	if err := json.Unmarshal(payload, ev); err != nil {
		return nil, domain.Invalid("payload", eventType+" does not decode")
	}
	return deref(ev), nil
}

// deref turns the pointer Decode filled into the value type the aggregate applies.
func deref(ev domain.Event) domain.Event {
	switch e := ev.(type) {
	case *UserRegistered:
		return *e
	case *UserPasswordChanged:
		return *e
	case *UserRoleChanged:
		return *e
	case *UserSignedIn:
		return *e
	case *UserSignInFailed:
		return *e
	case *UserLockedOut:
		return *e
	case *UserDisabled:
		return *e
	case *UserEnabled:
		return *e
	case *UserTOTPEnrolled:
		return *e
	case *UserTOTPConfirmed:
		return *e
	case *UserTOTPReset:
		return *e
	case *UserRecoveryCodesIssued:
		return *e
	case *UserRecoveryCodeUsed:
		return *e
	case *EmergencyAccessGranted:
		return *e
	case *StaffTOTPRequirementSet:
		return *e
	}
	return ev
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
