package pgstore

import (
	"errors"
	"fmt"
	"time"
)

// Config tunes a Store. The zero value is valid and means the defaults.
type Config struct {
	// PollInterval is how often Tail re-reads the log when no notification arrives: a safety net
	// for a lost notification, not the normal wake-up. Zero means 5 seconds.
	PollInterval time.Duration
	// NotifyInterval is the least time between two notifications this Store sends to wake the
	// tailers of other processes; appends in between share the next one. Tailers in the same
	// process are woken at once regardless. Zero means 25ms: each notification is a transaction
	// of its own, and at 10ms they cost the server about a fifth of the CPU of the appends they
	// announce under sustained load.
	NotifyInterval time.Duration
	// TailBatch is the most events Tail hands to its handler at once. Zero means 500.
	TailBatch int
	// Now stamps RecordedAt; nil means time.Now. Tests pass a fixed clock.
	Now func() time.Time
}

// Validate reports every setting out of range, joined.
func (c Config) Validate() error {
	var errs []error
	if c.PollInterval < 0 || (c.PollInterval > 0 && c.PollInterval < 10*time.Millisecond) {
		errs = append(errs, fmt.Errorf("pgstore: PollInterval %s must be 0 (default) or at least 10ms", c.PollInterval))
	}
	if c.NotifyInterval < 0 || c.NotifyInterval > time.Second {
		errs = append(errs, fmt.Errorf("pgstore: NotifyInterval %s must be 0 (default) to 1s", c.NotifyInterval))
	}
	if c.TailBatch < 0 || c.TailBatch > 100000 {
		errs = append(errs, fmt.Errorf("pgstore: TailBatch %d must be 0 (default) to 100000", c.TailBatch))
	}
	return errors.Join(errs...)
}

func (c Config) withDefaults() Config {
	if c.PollInterval == 0 {
		c.PollInterval = 5 * time.Second
	}
	if c.NotifyInterval == 0 {
		c.NotifyInterval = 25 * time.Millisecond
	}
	if c.TailBatch == 0 {
		c.TailBatch = 500
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}
