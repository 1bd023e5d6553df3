package projections

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/caseledger/caseledger/eventstore"
)

// Batch is what one Watermill message of a subscriber carries: consecutive events of the log and
// the checkpoint they follow. It travels in the message's context (BatchOf), not in its payload:
// the subscriber and the handlers share a process, and a rebuild should not pay for a copy of every
// event. The payload holds the positions of the first and last event, for logs.
type Batch struct {
	Projector  string
	Generation int32
	// From is the checkpoint position the events follow.
	From   eventstore.Position
	Events []eventstore.RecordedEvent
	// shared, when not nil, holds Events opened and decoded once for every projector (Rebuild).
	shared []opened
	// rebuild is set on a Rebuild's batches: their generation is not sealed yet, and its
	// partitions take new rows by COPY (migrations/0037_rebuild_partitions_copy.sql).
	rebuild bool
	// scratch, on a Rebuild's batches, is the projector's own, reused from batch to batch (one
	// projector applies its batches one at a time).
	scratch *rebuildScratch
}

type batchKey struct{}

// BatchOf returns the batch msg carries; ok is false for a message not made by a subscriber.
func BatchOf(msg *message.Message) (Batch, bool) {
	b, ok := msg.Context().Value(batchKey{}).(Batch)
	return b, ok
}

// subscriber is an Engine's Watermill message.Subscriber; its topics are projector names. Subscribe
// tails the event store from the active checkpoint of that projector and delivers one message per
// batch, waiting for its Ack before reading further. On a Nack it reads the checkpoint again: when the
// checkpoint moved (another process, or a rebuild switched generations) it resumes from there at
// once; otherwise the batch failed, and it retries from the checkpoint after a pause, up to
// MaxAttempts times in a row, then closes the topic's channel: the projector stays stopped at the
// failing event until the process restarts. It never skips an event.
//
// It is safe for concurrent use. Close stops every subscription.
type subscriber struct {
	store       eventstore.Store
	cps         checkpoints
	log         *slog.Logger
	maxAttempts int
	retryPause  time.Duration

	mu     sync.Mutex
	closed bool
	cancel []context.CancelFunc
	wg     sync.WaitGroup
}

var _ message.Subscriber = (*subscriber)(nil)

// errNacked ends a Tail when the handler refused a batch.
var errNacked = errors.New("projections: batch nacked")

// Subscribe starts tailing for the projector named topic. The projector's checkpoint must exist
// (Engine.Run creates it). The channel is closed when ctx ends, on Close, or when the projector
// stops on a failure.
func (s *subscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errors.New("projections: subscriber closed")
	}
	ctx, cancel := context.WithCancel(ctx)
	s.cancel = append(s.cancel, cancel)
	out := make(chan *message.Message)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(out)
		defer cancel()
		s.run(ctx, topic, out)
	}()
	return out, nil
}

// Close stops every subscription and waits for them to end.
func (s *subscriber) Close() error {
	s.mu.Lock()
	s.closed = true
	for _, c := range s.cancel {
		c()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// run is one subscription's loop: tail from the active checkpoint, and decide after every Nack.
func (s *subscriber) run(ctx context.Context, name string, out chan<- *message.Message) {
	attempts := 0
	for ctx.Err() == nil {
		cp, err := s.cps.active(ctx, name)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			s.log.Error("projection checkpoint unreadable; retrying", "projector", name, "err", err)
			sleep(ctx, s.retryPause)
			continue
		}
		from := cp.Position
		err = s.store.Tail(ctx, from, func(events []eventstore.RecordedEvent) error {
			b := Batch{Projector: name, Generation: cp.Generation, From: from, Events: events}
			if err := deliver(ctx, out, b); err != nil {
				return err
			}
			from, attempts = events[len(events)-1].Position, 0
			return nil
		})
		if ctx.Err() != nil {
			return
		}
		if !errors.Is(err, errNacked) {
			s.log.Error("projection tail failed; retrying", "projector", name, "err", err)
			sleep(ctx, s.retryPause)
			continue
		}
		now, ok, err := s.cps.get(ctx, name, cp.Generation)
		if err == nil && (!ok || !now.Active || now.Position != from) {
			continue // moved by another process or retired by a rebuild: not a failure
		}
		attempts++
		if attempts >= s.maxAttempts {
			s.log.Error("projector stopped: it cannot apply an event", "projector", name,
				"generation", cp.Generation, "position", from.String(), "attempts", attempts)
			return
		}
		sleep(ctx, s.retryPause*time.Duration(attempts))
	}
}

// deliver sends b and waits for its Ack (nil) or Nack (errNacked).
func deliver(ctx context.Context, out chan<- *message.Message, b Batch) error {
	first, last := b.Events[0], b.Events[len(b.Events)-1]
	msg := message.NewMessage(first.ID.String(), []byte(first.Position.String()+".."+last.Position.String()))
	msg.SetContext(context.WithValue(ctx, batchKey{}, b))
	select {
	case out <- msg:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-msg.Acked():
		return nil
	case <-msg.Nacked():
		return errNacked
	case <-ctx.Done():
		return ctx.Err()
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
