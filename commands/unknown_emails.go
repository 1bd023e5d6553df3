package commands

import (
	"sync"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/identity"
)

// UnknownEmails keeps, in memory, the failed sign-ins of emails that belong to no account, so that
// SignInHandler throttles and locks them out exactly as it does an account (identity.User.Gate
// and SignIn over the same policy): if only accounts were ever "sign_in_throttled" or
// "account_locked", those answers would tell a caller which emails have an account.
//
// Entries are keyed by the email's blind-index token, never the email. An entry is forgotten once
// its last failure is older than the policy's FailureWindow plus LockFor (it can no longer throttle
// or lock); at most a capacity of them are kept, and past that the oldest is dropped first.
//
// Two attempts at once for one unknown email may both be allowed (an account's are serialised by
// its stream): the hashing is not done under the lock, which would queue every unknown email's
// attempts behind one another. The state is per process: behind several instances, an unknown
// email is locked on each instance separately, while an account's lock, in the event log, holds
// on all of them. A nil *UnknownEmails keeps nothing (every attempt is simply
// invalid_credentials). Safe for concurrent use.
type UnknownEmails struct {
	mu      sync.Mutex
	max     int
	byToken map[string]*unknownEmail
}

type unknownEmail struct {
	history []domain.Event // the failures, as an account's stream would hold them
	last    time.Time
}

// NewUnknownEmails returns an empty UnknownEmails holding at most capacity emails (at least 1).
func NewUnknownEmails(capacity int) *UnknownEmails {
	return &UnknownEmails{max: max(capacity, 1), byToken: map[string]*unknownEmail{}}
}

// DefaultUnknownEmails is how many unknown emails a server keeps: far more than the per-address
// limit lets one address try within a lockout, and a few megabytes at most.
const DefaultUnknownEmails = 100_000

// signIn decides an attempt at now for an email without an account, whose token is token: the
// *identity.WaitError an account with the same failures would get, or, after verify (the same
// password hashing an account's attempt costs) has run, identity.ErrInvalidCredentials with the
// failure recorded.
func (u *UnknownEmails) signIn(token []byte, now time.Time, p identity.Policy, verify func()) error {
	if u == nil {
		verify()
		return identity.ErrInvalidCredentials
	}
	u.mu.Lock()
	e := u.byToken[string(token)]
	var history []domain.Event
	if e != nil {
		history = e.history
	}
	u.mu.Unlock()
	phantom := identity.FromHistory(history)
	if _, err := phantom.Gate(now, p); err != nil {
		return err
	}
	verify()
	failed, err := phantom.SignIn(now, p, domain.ID{}, identity.Proof{})
	u.record(string(token), now, p, failed)
	return err
}

// record appends failed to token's history, making room first when the map is full.
func (u *UnknownEmails) record(token string, now time.Time, p identity.Policy, failed []domain.Event) {
	u.mu.Lock()
	defer u.mu.Unlock()
	e := u.byToken[token]
	if e == nil {
		if len(u.byToken) >= u.max {
			u.evict(now.Add(-p.FailureWindow - p.LockFor))
		}
		e = &unknownEmail{}
		u.byToken[token] = e
	}
	// Failures older than the window no longer count; keeping the history short bounds memory.
	kept := e.history[:0]
	for _, ev := range e.history {
		if at := eventTime(ev); now.Sub(at) < p.FailureWindow+p.LockFor {
			kept = append(kept, ev)
		}
	}
	e.history, e.last = append(kept, failed...), now
}

// evict drops every entry whose last failure is before horizon, and the oldest entry when none is.
func (u *UnknownEmails) evict(horizon time.Time) {
	var oldest string
	for k, e := range u.byToken {
		if e.last.Before(horizon) {
			delete(u.byToken, k)
			continue
		}
		if oldest == "" || e.last.Before(u.byToken[oldest].last) {
			oldest = k
		}
	}
	if len(u.byToken) >= u.max && oldest != "" {
		delete(u.byToken, oldest)
	}
}

// eventTime is when a failure event happened.
func eventTime(ev domain.Event) time.Time {
	switch e := ev.(type) {
	case identity.UserSignInFailed:
		return e.At
	case identity.UserLockedOut:
		return e.At
	}
	return time.Time{}
}

// Len reports how many unknown emails are kept.
func (u *UnknownEmails) Len() int {
	if u == nil {
		return 0
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.byToken)
}
