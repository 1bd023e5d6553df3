package scheduling

import (
	"errors"
	"time"

	"github.com/caseledger/caseledger/domain"
)

// Limits on a calendar policy.
const (
	maxBufferMinutes             = 240
	minSlotStepMinutes           = 5
	maxSlotStepMinutes           = 240
	maxCancellationWindowMinutes = 14 * 24 * 60
	maxZoneNameLen               = 64
)

// Policy is a therapist's calendar configuration. It holds no personal data.
type Policy struct {
	// TimeZone is the practice's IANA zone name ("Europe/London"). The caller checks it loads.
	TimeZone string `json:"time_zone"`
	// BufferMinutes is the time kept free between two sessions.
	BufferMinutes int `json:"buffer_minutes"`
	// SlotStepMinutes is how far apart the start times offered by slot search are (default 15).
	SlotStepMinutes int `json:"slot_step_minutes"`
	// CancellationWindowMinutes: a cancellation less than this long before the start is late.
	CancellationWindowMinutes int `json:"cancellation_window_minutes"`
	// LateCancelFee and NoShowFee are charged when set; nil means no fee.
	LateCancelFee *Money `json:"late_cancel_fee,omitempty"`
	NoShowFee     *Money `json:"no_show_fee,omitempty"`
}

// Validate checks every field, reporting all problems at once.
func (p Policy) Validate() error {
	var errs []error
	if p.TimeZone == "" || len(p.TimeZone) > maxZoneNameLen {
		errs = append(errs, domain.Invalid("time_zone", "want an IANA zone name"))
	}
	if p.BufferMinutes < 0 || p.BufferMinutes > maxBufferMinutes {
		errs = append(errs, domain.Invalid("buffer_minutes", "want 0 to 240"))
	}
	if p.SlotStepMinutes < minSlotStepMinutes || p.SlotStepMinutes > maxSlotStepMinutes {
		errs = append(errs, domain.Invalid("slot_step_minutes", "want 5 to 240"))
	}
	if p.CancellationWindowMinutes < 0 || p.CancellationWindowMinutes > maxCancellationWindowMinutes {
		errs = append(errs, domain.Invalid("cancellation_window_minutes", "want 0 to 20160"))
	}
	for _, f := range []*Money{p.LateCancelFee, p.NoShowFee} {
		if f != nil {
			errs = append(errs, f.Validate())
		}
	}
	return joinErrors(errs)
}

// Buffer returns the time kept free between sessions.
func (p Policy) Buffer() time.Duration { return time.Duration(p.BufferMinutes) * time.Minute }

// Step returns the distance between offered start times.
func (p Policy) Step() time.Duration { return time.Duration(p.SlotStepMinutes) * time.Minute }

// CancellationWindow returns how long before a start a cancellation counts as late.
func (p Policy) CancellationWindow() time.Duration {
	return time.Duration(p.CancellationWindowMinutes) * time.Minute
}

// joinErrors returns nil when errs holds no error, the error itself when it holds one, and their
// errors.Join otherwise. A joined domain error keeps the first error's kind for errors.Is.
func joinErrors(errs []error) error {
	var nonNil []error
	for _, e := range errs {
		if e != nil {
			nonNil = append(nonNil, e)
		}
	}
	switch len(nonNil) {
	case 0:
		return nil
	case 1:
		return nonNil[0]
	}
	return errors.Join(nonNil...)
}
