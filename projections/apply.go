package projections

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

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
// The batch's events are applied in memory first, their writes folded (see RowTable); only then
// does the transaction begin, so it holds a transaction id (which hides later appends from every
// tailer of the log until it ends) only while its writes are sent. When the database refuses
// folded writes, the batch is applied again event by event, writing after each, so that the
// failure names exactly the first event that fails, as if every event had been applied alone.
func applyBatch(ctx context.Context, cps checkpoints, p Projector, b Batch) error {
	seq, err := cps.appliedAt(ctx, b.Projector, b.Generation, b.From)
	if err != nil {
		return err
	}
	q := &queue{gen: b.Generation, copy: b.rebuild, scratch: b.scratch}
	for i := range b.Events {
		if err := p.Apply(ctx, Tx{Generation: b.Generation, Seq: seq + int64(i), q: q, opened: b.opened(i)}, &b.Events[i]); err != nil {
			return failAt(ctx, cps, p, b, i, err)
		}
	}
	for _, t := range q.clientTables {
		if _, err := cps.pool.Exec(ctx, `SELECT projection_partitions_index_clients($1, $2, $3)`, b.Projector, b.Generation, t); err != nil {
			return fmt.Errorf("projections: index %s of generation %d by client: %w", t, b.Generation, err)
		}
	}
	tx, err := cps.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("projections: begin %s: %w", b.Projector, err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := advanceFrom(ctx, cps, tx, b, seq); err != nil {
		return err
	}
	q.tx = tx
	if err := q.flush(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		tx.Rollback(ctx)
		return applyPrecisely(ctx, cps, p, b)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("projections: commit %s: %w", b.Projector, err)
	}
	return nil
}

// applyPrecisely applies b as applyBatch does, but writes after every event inside the
// transaction, so that a failing write names its event.
func applyPrecisely(ctx context.Context, cps checkpoints, p Projector, b Batch) error {
	tx, err := cps.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("projections: begin %s: %w", b.Projector, err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	seq, err := cps.advance(ctx, tx, b.Projector, b.Generation, b.From, b.Events)
	if err != nil {
		return err
	}
	q := &queue{tx: tx, gen: b.Generation}
	for i := range b.Events {
		err := p.Apply(ctx, Tx{Generation: b.Generation, Seq: seq + int64(i), q: q, opened: b.opened(i)}, &b.Events[i])
		if err == nil {
			err = q.flush(ctx)
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			tx.Rollback(ctx)
			return failAt(ctx, cps, p, b, i, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("projections: commit %s: %w", b.Projector, err)
	}
	return nil
}

// failAt applies the events of b before event i and returns the *ApplyError of event i.
func failAt(ctx context.Context, cps checkpoints, p Projector, b Batch, i int, cause error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	e := b.Events[i]
	failed := &ApplyError{Projector: b.Projector, EventID: e.ID, EventType: e.Type, Position: e.Position, Err: cause}
	if i == 0 {
		return failed
	}
	prefix := b
	prefix.Events = b.Events[:i]
	if err := applyBatch(ctx, cps, p, prefix); err != nil {
		return err
	}
	return failed
}

// advanceFrom advances b's checkpoint inside tx, which must find it where applyBatch read it
// (seq events applied, at b.From).
func advanceFrom(ctx context.Context, cps checkpoints, tx pgx.Tx, b Batch, seq int64) error {
	got, err := cps.advance(ctx, tx, b.Projector, b.Generation, b.From, b.Events)
	if err != nil {
		return err
	}
	if got != seq {
		return errCheckpointMoved
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
