package commands

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/identity"
	"github.com/caseledger/caseledger/eventstore"
)

// EmailTokenPurpose is the blind-index purpose under which users' emails are tokenised.
const EmailTokenPurpose = "user_email"

// BlindIndex turns a normalised value into a keyed, deterministic token, unlinkable across
// purposes. The keyring provides it.
type BlindIndex interface {
	Token(ctx context.Context, purpose, value string) ([]byte, error)
}

// UserDirectory finds users by the blind-index token of their email. It never sees an email.
type UserDirectory interface {
	// Claim records token as user's. It fails with a KindConflict error (code "email_taken")
	// when another user holds the token, and succeeds again for the same user.
	Claim(ctx context.Context, token []byte, user domain.ID) error
	// Release removes token if user holds it; releasing a token not held is not an error.
	Release(ctx context.Context, token []byte, user domain.ID) error
	// Lookup returns the user holding token, or an error matching domain.ErrNotFound.
	Lookup(ctx context.Context, token []byte) (domain.ID, error)
}

// IdentityDeps is what the identity commands are built from.
type IdentityDeps struct {
	Deps
	Directory UserDirectory
	Index     BlindIndex
	Hasher    PasswordHasher
	Policy    identity.Policy
	// Unknown keeps the failed sign-ins of emails without an account, so that they are throttled
	// and locked like an account's; nil keeps none (a server must set it; see UnknownEmails).
	Unknown *UnknownEmails
}

// Validate reports every missing or invalid dependency, joined.
func (d IdentityDeps) Validate() error {
	var errs []error
	if d.Log == nil || d.Sealer == nil || d.Clock == nil {
		errs = append(errs, errors.New("identity: Log, Sealer and Clock are required"))
	}
	if d.Directory == nil || d.Index == nil {
		errs = append(errs, errors.New("identity: Directory and Index are required"))
	}
	return errors.Join(append(errs, d.Hasher.Validate(), d.Policy.Validate())...)
}

// UserStream returns the stream of user id: "user-<uuid>".
func UserStream(id domain.ID) eventstore.StreamID { return StreamFor("user", id) }

// LoadUser reads and folds user id's stream. A user that does not exist is returned with
// Exists() false and a nil error.
func LoadUser(ctx context.Context, d Deps, id domain.ID) (*identity.User, Loaded, error) {
	l, err := loadStream(ctx, d, UserStream(id), identity.Decode)
	if err != nil {
		return nil, Loaded{}, err
	}
	return identity.FromHistory(l.Events), l, nil
}

// emailToken returns the blind-index token of a normalised email.
func (d IdentityDeps) emailToken(ctx context.Context, email string) ([]byte, error) {
	tok, err := d.Index.Token(ctx, EmailTokenPurpose, identity.NormaliseEmail(email))
	if err != nil {
		return nil, fmt.Errorf("email token: %w", err)
	}
	return tok, nil
}

// userEnvelope seals user events under the user's own id.
func userEnvelope(actor domain.Actor, user domain.ID) Envelope {
	return Envelope{Actor: actor, Subject: user}
}

// decideUser loads user id, lets decide choose events, and appends them with the loaded version
// as the expected one; on a concurrent append it reloads and decides again (up to 5 times).
// A decide error is returned as is, after its events (if any) were appended. An actor without a
// role is the user acting on their own account (signing in): the events carry the user's role.
func decideUser(ctx context.Context, d Deps, actor domain.Actor, id domain.ID,
	decide func(u *identity.User, now time.Time) ([]domain.Event, error)) (*identity.User, error) {
	for attempt := 0; ; attempt++ {
		u, l, err := LoadUser(ctx, d, id)
		if err != nil {
			return nil, err
		}
		evs, derr := decide(u, d.Clock.Now().UTC())
		if len(evs) == 0 {
			return u, derr
		}
		by := actor
		if by.Role == "" {
			by.Role = u.Role()
		}
		_, err = appendEvents(ctx, d, UserStream(id), l.Expected(), userEnvelope(by, id), evs...)
		if errors.Is(err, eventstore.ErrWrongExpectedVersion) && attempt < 4 {
			continue
		}
		if err != nil {
			return nil, err
		}
		u.Apply(evs...)
		return u, derr
	}
}
