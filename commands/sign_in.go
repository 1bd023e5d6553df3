package commands

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/identity"
)

// SignIn is a sign-in attempt. TOTPCode or RecoveryCode is needed when the user has confirmed TOTP.
type SignIn struct {
	Email        string
	Password     string
	TOTPCode     string
	RecoveryCode string
}

// SignedIn is the outcome of a successful sign-in. SessionID is fresh and recorded in the
// UserSignedIn event. MustEnrolTOTP is true when the policy requires TOTP of this user who has none:
// the session may then only enrol a second factor.
type SignedIn struct {
	UserID        domain.ID
	Role          domain.Role
	SessionID     domain.ID
	MustEnrolTOTP bool
}

// SignInHandler handles SignIn. It is safe for concurrent use.
type SignInHandler struct{ d IdentityDeps }

// NewSignInHandler returns a handler over d.
func NewSignInHandler(d IdentityDeps) *SignInHandler { return &SignInHandler{d: d} }

// Handle checks the attempt under the configured policy with the practice's recorded security
// settings on top (LoadSecuritySettings), and records its outcome as events in the user's stream: UserSignedIn,
// or UserSignInFailed (with UserLockedOut when the failure reaches the policy's limit, UserDisabled
// when the account was dormant). An unknown email and a wrong password both give
// identity.ErrInvalidCredentials after the same argon2id work. A locked or throttled account gives a
// *identity.WaitError before any password is hashed, and so does an unknown email with the same
// failures (IdentityDeps.Unknown), so neither answer tells whether an email has an account. Events carry no password, code or email in
// their metadata; their payloads are sealed under the user's id.
func (h *SignInHandler) Handle(ctx context.Context, cmd SignIn) (SignedIn, error) {
	tok, err := h.d.emailToken(ctx, cmd.Email)
	if err != nil {
		return SignedIn{}, err
	}
	id, err := h.d.Directory.Lookup(ctx, tok)
	unknown := errors.Is(err, domain.ErrNotFound)
	if err != nil && !unknown {
		return SignedIn{}, err
	}
	settings, _, err := LoadSecuritySettings(ctx, h.d.Deps)
	if err != nil {
		return SignedIn{}, err
	}
	policy := settings.Apply(h.d.Policy)
	if unknown {
		return SignedIn{}, h.d.Unknown.signIn(tok, h.d.Clock.Now(), policy, func() { h.d.Hasher.Verify(cmd.Password, dummyHash) })
	}
	v7, err := uuid.NewV7()
	if err != nil {
		return SignedIn{}, err
	}
	session := domain.ID(v7)
	actor := domain.Actor{UserID: id} // the user's own role, from their stream
	// The password is checked once, outside the retry loop of decideUser: a concurrent append
	// must not cost a second argon2id computation.
	var (
		checked   bool
		proof     identity.Proof
		mustEnrol bool
	)
	u, err := decideUser(ctx, h.d.Deps, actor, id, func(u *identity.User, now time.Time) ([]domain.Event, error) {
		if !u.Exists() {
			return nil, identity.ErrInvalidCredentials
		}
		if evs, err := u.Gate(now, policy); err != nil {
			return evs, err
		}
		if !checked {
			checked = true
			proof = identity.Proof{
				PasswordOK:   h.d.Hasher.Verify(cmd.Password, u.PasswordHash()),
				TOTPGiven:    cmd.TOTPCode != "",
				RecoveryCode: cmd.RecoveryCode,
			}
		}
		if proof.TOTPGiven && u.TOTPSecret() != "" {
			proof.TOTPStep = TOTPStep(u.TOTPSecret(), cmd.TOTPCode, now)
		}
		mustEnrol = u.MustEnrolTOTP(policy)
		return u.SignIn(now, policy, session, proof)
	})
	if err != nil {
		return SignedIn{}, err
	}
	return SignedIn{UserID: id, Role: u.Role(), SessionID: session, MustEnrolTOTP: mustEnrol}, nil
}
