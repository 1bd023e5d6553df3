package identity

import (
	"time"

	"github.com/caseledger/caseledger/domain"
)

// Assignable reports whether a user account may hold role r: any valid role except system.
func Assignable(r domain.Role) bool { return r.Valid() && r != domain.RoleSystem }

// Register decides the registration of a new user. passwordHash is the encoded hash of a password
// the caller already checked with CheckPassword. It fails with KindConflict "user_exists" when the
// user already exists, and with KindInvalid for a role that cannot be assigned or a bad email.
func (u *User) Register(id domain.ID, role domain.Role, email, passwordHash string, now time.Time) ([]domain.Event, error) {
	if u.Exists() {
		return nil, domain.Conflict("user_exists", "user "+u.id.String()+" already exists")
	}
	if id.IsZero() {
		return nil, domain.Invalid("user_id", "is required")
	}
	if !Assignable(role) {
		return nil, domain.Invalid("role", "is not a role a user can hold")
	}
	if err := CheckEmail(email); err != nil {
		return nil, err
	}
	if passwordHash == "" {
		return nil, domain.Invalid("password_hash", "is required")
	}
	return []domain.Event{UserRegistered{UserID: id, Role: role, Email: NormaliseEmail(email), PasswordHash: passwordHash, At: now}}, nil
}

// mustExist returns the not-found error for a user that does not exist.
func (u *User) mustExist(id domain.ID) error {
	if !u.Exists() {
		return domain.NotFound("user", id)
	}
	return nil
}

// ChangeRole decides moving the user to role to, by actor. Only an admin may, and not for their
// own account (so the last admin cannot lock everyone out by accident).
func (u *User) ChangeRole(actor domain.Actor, id domain.ID, to domain.Role, now time.Time) ([]domain.Event, error) {
	if actor.Role != domain.RoleAdmin {
		return nil, domain.Forbidden("admin_only", "only an admin can change roles")
	}
	if err := u.mustExist(id); err != nil {
		return nil, err
	}
	if actor.UserID == u.id {
		return nil, domain.Forbidden("own_role", "an admin cannot change their own role")
	}
	if !Assignable(to) {
		return nil, domain.Invalid("role", "is not a role a user can hold")
	}
	if to == u.role {
		return nil, domain.Conflict("role_unchanged", "the user already has this role")
	}
	return []domain.Event{UserRoleChanged{From: u.role, To: to, At: now}}, nil
}

// SetDisabled decides disabling (disable true) or re-enabling an account, by an admin.
// Re-enabling also clears a lockout and restarts the dormancy period; enabling an account that is
// enabled but locked out unlocks it.
func (u *User) SetDisabled(actor domain.Actor, id domain.ID, disable bool, now time.Time) ([]domain.Event, error) {
	if actor.Role != domain.RoleAdmin {
		return nil, domain.Forbidden("admin_only", "only an admin can enable or disable accounts")
	}
	if err := u.mustExist(id); err != nil {
		return nil, err
	}
	if actor.UserID == u.id && disable {
		return nil, domain.Forbidden("own_account", "an admin cannot disable their own account")
	}
	locked := now.Before(u.lockedUntil)
	if disable == u.disabled && (disable || !locked) {
		return nil, domain.Conflict("status_unchanged", "the account already has this status")
	}
	if disable {
		return []domain.Event{UserDisabled{Reason: "admin", At: now}}, nil
	}
	return []domain.Event{UserEnabled{At: now}}, nil
}

// ChangePassword decides replacing the password hash; the caller verified the current password
// and checked the new one with CheckPassword.
func (u *User) ChangePassword(id domain.ID, newHash string, now time.Time) ([]domain.Event, error) {
	if err := u.mustExist(id); err != nil {
		return nil, err
	}
	if newHash == "" {
		return nil, domain.Invalid("password_hash", "is required")
	}
	return []domain.Event{UserPasswordChanged{PasswordHash: newHash, At: now}}, nil
}

// EnrolTOTP decides storing a new TOTP secret awaiting confirmation. A user with a confirmed
// secret must keep it (KindConflict "totp_already_enabled"): resetting a second factor is an admin
// matter outside this release.
func (u *User) EnrolTOTP(id domain.ID, secret string, now time.Time) ([]domain.Event, error) {
	if err := u.mustExist(id); err != nil {
		return nil, err
	}
	if u.totpSecret != "" {
		return nil, domain.Conflict("totp_already_enabled", "a second factor is already enabled")
	}
	if secret == "" {
		return nil, domain.Invalid("secret", "is required")
	}
	return []domain.Event{UserTOTPEnrolled{Secret: secret, At: now}}, nil
}

// ConfirmTOTP decides confirming the pending secret with a code whose time step the caller found
// (step > 0), and issuing the recovery code hashes. It fails with KindConflict "no_pending_totp"
// when nothing is pending and ErrBadSecondFactor when step is 0 (no matching code).
func (u *User) ConfirmTOTP(id domain.ID, step int64, recoveryHashes []string, now time.Time) ([]domain.Event, error) {
	if err := u.mustExist(id); err != nil {
		return nil, err
	}
	if u.pendingTOTP == "" {
		return nil, domain.Conflict("no_pending_totp", "no second factor is awaiting confirmation")
	}
	if step <= 0 {
		return nil, ErrBadSecondFactor
	}
	return []domain.Event{
		UserTOTPConfirmed{Step: step, At: now},
		UserRecoveryCodesIssued{Hashes: recoveryHashes, At: now},
	}, nil
}

// RegenerateRecoveryCodes decides replacing the recovery codes, proved by a fresh TOTP code whose
// time step the caller found (step > 0). Without TOTP enabled it is KindConflict "totp_not_enabled";
// a missing, wrong or reused code is ErrBadSecondFactor.
func (u *User) RegenerateRecoveryCodes(id domain.ID, step int64, hashes []string, now time.Time) ([]domain.Event, error) {
	if err := u.mustExist(id); err != nil {
		return nil, err
	}
	if u.totpSecret == "" {
		return nil, domain.Conflict("totp_not_enabled", "enable a second factor first")
	}
	if step <= u.lastTOTPStep {
		return nil, ErrBadSecondFactor
	}
	return []domain.Event{UserRecoveryCodesIssued{Hashes: hashes, Step: step, At: now}}, nil
}

// ResetTOTP decides removing a user's second factor, by an admin, for a lost device: the user signs
// in with their password and enrols again (at once, when the practice requires TOTP of staff). An
// admin cannot reset their own (KindForbidden "own_account"); a user without one is KindConflict
// "totp_not_enabled".
func (u *User) ResetTOTP(actor domain.Actor, id domain.ID, now time.Time) ([]domain.Event, error) {
	if actor.Role != domain.RoleAdmin {
		return nil, domain.Forbidden("admin_only", "only an admin can reset a second factor")
	}
	if err := u.mustExist(id); err != nil {
		return nil, err
	}
	if actor.UserID == u.id {
		return nil, domain.Forbidden("own_account", "an admin cannot reset their own second factor")
	}
	if u.totpSecret == "" && u.pendingTOTP == "" {
		return nil, domain.Conflict("totp_not_enabled", "the user has no second factor")
	}
	return []domain.Event{UserTOTPReset{At: now}}, nil
}
