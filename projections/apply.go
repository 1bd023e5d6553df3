package projections

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
)

// ApplyError says which event a projector could not apply. Its message holds the projector name,
// the event's id, type and position and the cause, never payload contents.
type ApplyError struct {
	Projector string
	EventID   uuid.UUID
	EventType string
	Position  eventstore.Position
	Err       error
}

func (e *ApplyError) Error() string {
	return fmt.Sprintf("projector %s: event %s (%s at %s): %v", e.Projector, e.EventID, e.EventType, e.Position, e.Err)
}

func (e *ApplyError) Unwrap() error { return e.Err }

// applyBatch applies b with p and advances b's checkpoint in one transaction. It returns
// errCheckpointMoved when the checkpoint is no longer at b.From, an *ApplyError when p refused an
// event (the events before it are then applied and the checkpoint left just before it), and another
// error when the database failed (nothing of b is kept).
//
// Writes are folded across the batch's events (see RowTable). When the database refuses folded
// writes, the batch is applied again event by event, writing after each, so that the failure
// names exactly the first event that fails, as if every event had been applied alone.
func applyBatch(ctx context.Context, cps checkpoints, p Projector, b Batch) error {
	err := applyBatchOnce(ctx, cps, p, b, false)
	if errors.Is(err, errAmbiguous) {
		err = applyBatchOnce(ctx, cps, p, b, true)
	}
	return err
}

// errAmbiguous says folded writes failed and the batch must be applied again precisely.
var errAmbiguous = errors.New("projections: folded writes failed")

func applyBatchOnce(ctx context.Context, cps checkpoints, p Projector, b Batch, precise bool) error {
	tx, err := cps.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("projections: begin %s: %w", b.Projector, err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	seq, err := cps.advance(ctx, tx, b.Projector, b.Generation, b.From, b.Events)
	if err != nil {
		return err
	}
	q := &queue{tx: tx, gen: b.Generation, precise: precise}
	// The batch and its checkpoint commit or vanish together, so a commit lost in a server crash
	// (asynchronous commit) is applied again from the older checkpoint: no fsync wait is needed.
	q.add(false, `SET LOCAL synchronous_commit = off`, nil)
	failedAt, cause := -1, error(nil)
	for i, e := range b.Events {
		q.event = i
		if err := p.Apply(ctx, Tx{Generation: b.Generation, Seq: seq + int64(i), q: q, opened: b.opened(i)}, e); err != nil {
			failedAt, cause = i, err
			break
		}
		if q.full() || i == len(b.Events)-1 {
			if at, err := q.flush(ctx); err != nil {
				if !precise {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					return errAmbiguous
				}
				failedAt, cause = at, err
				break
			}
		}
	}
	if cause != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		e := b.Events[failedAt]
		failed := &ApplyError{Projector: b.Projector, EventID: e.ID, EventType: e.Type, Position: e.Position, Err: cause}
		if failedAt == 0 {
			return failed
		}
		// Keep the events before the failing one, so the checkpoint stops exactly at it.
		if err := tx.Rollback(ctx); err != nil {
			return err
		}
		prefix := b
		prefix.Events = b.Events[:failedAt]
		if err := applyBatch(ctx, cps, p, prefix); err != nil {
			return err
		}
		return failed
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("projections: commit %s: %w", b.Projector, err)
	}
	return nil
}

// recordFailure persists err against the event it names (the batch's first event when err names
// none) unless err is a checkpoint move or a cancellation, which are not failures.
func recordFailure(ctx context.Context, cps checkpoints, b Batch, err error) error {
	if errors.Is(err, errCheckpointMoved) || ctx.Err() != nil {
		return nil
	}
	failed := b.Events[0]
	var ae *ApplyError
	if errors.As(err, &ae) {
		for _, e := range b.Events {
			if e.ID == ae.EventID {
				failed = e
				break
			}
		}
	}
	return cps.fail(context.WithoutCancel(ctx), b.Projector, b.Generation, failed, err)
}
