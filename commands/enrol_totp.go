package commands

import (
	"context"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/identity"
)

// TOTPEnrolment is a new TOTP secret awaiting confirmation: shown once to the user as a secret and
// an otpauth:// URL (for a QR code).
type TOTPEnrolment struct {
	Secret string
	URL    string
}

// EnrolTOTPHandler starts and confirms TOTP enrolment for the signed-in user. It is safe for
// concurrent use.
type EnrolTOTPHandler struct{ d IdentityDeps }

// NewEnrolTOTPHandler returns a handler over d.
func NewEnrolTOTPHandler(d IdentityDeps) *EnrolTOTPHandler { return &EnrolTOTPHandler{d: d} }

// Start appends UserTOTPEnrolled with a fresh secret for actor's own account and returns it. A user
// with a confirmed secret gets KindConflict "totp_already_enabled".
func (h *EnrolTOTPHandler) Start(ctx context.Context, actor domain.Actor) (TOTPEnrolment, error) {
	secret, url, err := newTOTPKey(actor.UserID)
	if err != nil {
		return TOTPEnrolment{}, err
	}
	_, err = decideUser(ctx, h.d.Deps, actor, actor.UserID, func(u *identity.User, now time.Time) ([]domain.Event, error) {
		return u.EnrolTOTP(actor.UserID, secret, now)
	})
	if err != nil {
		return TOTPEnrolment{}, err
	}
	return TOTPEnrolment{Secret: secret, URL: url}, nil
}

// Confirm checks code against the pending secret; on success it makes TOTP the actor's second
// factor, issues recovery codes and returns them (shown once; only their hashes are stored).
// A wrong code gives identity.ErrBadSecondFactor; nothing pending gives KindConflict
// "no_pending_totp".
func (h *EnrolTOTPHandler) Confirm(ctx context.Context, actor domain.Actor, code string) ([]string, error) {
	codes, hashes, err := newRecoveryCodes()
	if err != nil {
		return nil, err
	}
	_, err = decideUser(ctx, h.d.Deps, actor, actor.UserID, func(u *identity.User, now time.Time) ([]domain.Event, error) {
		return u.ConfirmTOTP(actor.UserID, TOTPStep(u.PendingTOTPSecret(), code, now), hashes, now)
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// RegenerateRecoveryCodes replaces the actor's recovery codes with new ones, proved by a fresh TOTP
// code, and returns them (shown once). See identity.User.RegenerateRecoveryCodes for the errors.
func (h *EnrolTOTPHandler) RegenerateRecoveryCodes(ctx context.Context, actor domain.Actor, code string) ([]string, error) {
	codes, hashes, err := newRecoveryCodes()
	if err != nil {
		return nil, err
	}
	_, err = decideUser(ctx, h.d.Deps, actor, actor.UserID, func(u *identity.User, now time.Time) ([]domain.Event, error) {
		return u.RegenerateRecoveryCodes(actor.UserID, TOTPStep(u.TOTPSecret(), code, now), hashes, now)
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}
