package identity

import (
	"errors"
	"fmt"
	"time"
)

// Policy is a practice's sign-in policy. The zero value is not valid; start from DefaultPolicy.
type Policy struct {
	// MaxFailures failed attempts within FailureWindow lock the account for LockFor.
	MaxFailures   int
	FailureWindow time.Duration
	LockFor       time.Duration
	// After ThrottleAfter recent failures, each further attempt must wait ThrottleBase doubled for
	// every failure past ThrottleAfter (capped at LockFor) after the last failure.
	ThrottleAfter int
	ThrottleBase  time.Duration
	// IdleTimeout ends a session after this long without a request (at most MaxIdleTimeout).
	IdleTimeout time.Duration
	// SessionLifetime ends a session this long after sign-in, however active.
	SessionLifetime time.Duration
	// DormantAfter disables an account that has not signed in for this long.
	DormantAfter time.Duration
	// RequireStaffTOTP makes a TOTP second factor mandatory for every role but client.
	RequireStaffTOTP bool
}

// MaxIdleTimeout is the longest inactivity a session may survive.
const MaxIdleTimeout = 60 * time.Minute

// DefaultPolicy returns the policy used when a practice sets none: 5 failures in 15 minutes lock
// for 15 minutes, throttling from the third failure, 30 minutes idle timeout, 12 hours session
// lifetime, accounts disabled after 90 days unused, TOTP optional.
func DefaultPolicy() Policy {
	return Policy{
		MaxFailures:     5,
		FailureWindow:   15 * time.Minute,
		LockFor:         15 * time.Minute,
		ThrottleAfter:   3,
		ThrottleBase:    2 * time.Second,
		IdleTimeout:     30 * time.Minute,
		SessionLifetime: 12 * time.Hour,
		DormantAfter:    90 * 24 * time.Hour,
	}
}

// Validate reports every setting out of range, joined.
func (p Policy) Validate() error {
	var errs []error
	if p.MaxFailures < 1 {
		errs = append(errs, errors.New("identity policy: MaxFailures must be at least 1"))
	}
	if p.FailureWindow <= 0 || p.LockFor <= 0 {
		errs = append(errs, errors.New("identity policy: FailureWindow and LockFor must be positive"))
	}
	if p.ThrottleAfter < 1 || p.ThrottleBase < 0 {
		errs = append(errs, errors.New("identity policy: ThrottleAfter must be at least 1 and ThrottleBase not negative"))
	}
	if p.IdleTimeout <= 0 || p.IdleTimeout > MaxIdleTimeout {
		errs = append(errs, fmt.Errorf("identity policy: IdleTimeout must be in (0, %s]", MaxIdleTimeout))
	}
	if p.SessionLifetime < p.IdleTimeout {
		errs = append(errs, errors.New("identity policy: SessionLifetime must be at least IdleTimeout"))
	}
	if p.DormantAfter <= 0 {
		errs = append(errs, errors.New("identity policy: DormantAfter must be positive"))
	}
	return errors.Join(errs...)
}
