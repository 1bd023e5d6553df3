package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/caseledger/caseledger/eventstore"
)

// Tail implements eventstore.Store. It holds one connection of the pool, taken out of it, for
// LISTEN while it runs. It wakes on a notification from any process, on an append through s, and
// every PollInterval otherwise. When a wake-up finds nothing visible yet (an older transaction is
// still running and holds the horizon back), it re-reads after a short back-off, doubling up to
// PollInterval.
func (s *Store) Tail(ctx context.Context, from eventstore.Position, handle func([]eventstore.RecordedEvent) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	notified, err := s.listen(ctx)
	if err != nil {
		return err
	}
	const minBackoff = 5 * time.Millisecond
	backoff := time.Duration(0)
	for {
		local := s.changes()
		batch, err := s.ReadAll(ctx, from, s.cfg.TailBatch)
		if err != nil {
			return fmt.Errorf("tail: %w", err)
		}
		if len(batch) > 0 {
			if err := handle(batch); err != nil {
				return err
			}
			from = batch[len(batch)-1].Position
			backoff = 0
			continue
		}
		wait := s.cfg.PollInterval
		if backoff > 0 {
			wait = backoff
		}
		timer := time.NewTimer(wait)
		woken := false
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-notified:
			woken = true
		case <-local:
			woken = true
		case <-timer.C:
		}
		timer.Stop()
		switch {
		case woken:
			backoff = minBackoff
		case backoff > 0:
			backoff = min(2*backoff, s.cfg.PollInterval)
			if backoff == s.cfg.PollInterval {
				backoff = 0
			}
		}
	}
}

// listen takes a connection out of the pool, LISTENs on it, and returns a channel that receives a
// value (coalesced) for each notification until ctx is done, when the connection is closed.
func (s *Store) listen(ctx context.Context) (<-chan struct{}, error) {
	pc, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("tail: %w", err)
	}
	conn := pc.Hijack()
	if _, err := conn.Exec(ctx, `LISTEN `+channel); err != nil {
		_ = conn.Close(context.Background())
		return nil, fmt.Errorf("tail: listen: %w", err)
	}
	ch := make(chan struct{}, 1)
	go func() {
		defer conn.Close(context.Background())
		for {
			if _, err := conn.WaitForNotification(ctx); err != nil {
				// ctx is done, or the connection broke: the safety poll carries on alone.
				return
			}
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}()
	return ch, nil
}
