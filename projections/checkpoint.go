package projections

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/caseledger/caseledger/eventstore"
)

// errCheckpointMoved says a checkpoint no longer holds the position a batch was read from: another
// process advanced it, or a rebuild retired its generation. The batch is rolled back and the
// subscriber resumes from the checkpoint as it now is.
var errCheckpointMoved = errors.New("projections: checkpoint moved")

// checkpoint is one generation's row of projection_checkpoints.
type checkpoint struct {
	Name       string
	Generation int32
	Active     bool
	Position   eventstore.Position
	Applied    int64
	LastEvent  uuid.UUID
	LastAt     time.Time
	UpdatedAt  time.Time
	Failure    *Failure
}

// Failure is the event a projector could not apply and why. Error holds ids and codes, never
// payload text (every error of this code base is PII-free by contract).
type Failure struct {
	EventID  uuid.UUID
	Position eventstore.Position
	Error    string
	At       time.Time
	// Attempts counts the consecutive failed attempts at this event.
	Attempts int
}

// checkpoints reads and writes projection_checkpoints through a caseledger_app pool.
type checkpoints struct {
	pool *pgxpool.Pool
}

const checkpointColumns = `name, generation, active, position, applied, last_event_id, last_recorded_at,
	updated_at, failed_event_id, failed_position, failed_error, failed_at, failures`

func scanCheckpoint(row pgx.Row) (checkpoint, error) {
	var (
		c                    checkpoint
		pos                  string
		lastID, failedID     *uuid.UUID
		lastAt, failedAt     *time.Time
		failedPos, failedErr *string
		failures             int
	)
	if err := row.Scan(&c.Name, &c.Generation, &c.Active, &pos, &c.Applied, &lastID, &lastAt,
		&c.UpdatedAt, &failedID, &failedPos, &failedErr, &failedAt, &failures); err != nil {
		return checkpoint{}, err
	}
	p, err := eventstore.ParsePosition(pos)
	if err != nil {
		return checkpoint{}, fmt.Errorf("checkpoint %s: %w", c.Name, err)
	}
	c.Position = p
	if lastID != nil {
		c.LastEvent = *lastID
	}
	if lastAt != nil {
		c.LastAt = *lastAt
	}
	if failedID != nil {
		f := &Failure{EventID: *failedID, Attempts: failures}
		if failedPos != nil {
			f.Position, _ = eventstore.ParsePosition(*failedPos)
		}
		if failedErr != nil {
			f.Error = *failedErr
		}
		if failedAt != nil {
			f.At = *failedAt
		}
		c.Failure = f
	}
	return c, nil
}

// ensure creates generation 1 of name, active at Start, unless the projection has an active
// generation already. Concurrent calls are safe.
func (c checkpoints) ensure(ctx context.Context, name string) error {
	_, err := c.pool.Exec(ctx, `
		INSERT INTO projection_checkpoints (name, generation, active, position)
		SELECT $1, coalesce(max(generation), 0) + 1, true, $2 FROM projection_checkpoints WHERE name = $1
		HAVING NOT bool_or(coalesce(active, false)) OR count(*) = 0
		ON CONFLICT DO NOTHING`, name, eventstore.Start.String())
	if err != nil {
		return fmt.Errorf("projections: create checkpoint %s: %w", name, err)
	}
	return nil
}

// active returns the active generation's checkpoint of name, or an error when there is none.
func (c checkpoints) active(ctx context.Context, name string) (checkpoint, error) {
	cp, err := scanCheckpoint(c.pool.QueryRow(ctx, `SELECT `+checkpointColumns+`
		FROM projection_checkpoints WHERE name = $1 AND active`, name))
	if err != nil {
		return checkpoint{}, fmt.Errorf("projections: read checkpoint %s: %w", name, err)
	}
	return cp, nil
}

// get returns one generation's checkpoint; ok is false when the row does not exist.
func (c checkpoints) get(ctx context.Context, name string, gen int32) (cp checkpoint, ok bool, err error) {
	cp, err = scanCheckpoint(c.pool.QueryRow(ctx, `SELECT `+checkpointColumns+`
		FROM projection_checkpoints WHERE name = $1 AND generation = $2`, name, gen))
	if errors.Is(err, pgx.ErrNoRows) {
		return checkpoint{}, false, nil
	}
	if err != nil {
		return checkpoint{}, false, fmt.Errorf("projections: read checkpoint %s: %w", name, err)
	}
	return cp, true, nil
}

// all returns every checkpoint row in name and generation order.
func (c checkpoints) all(ctx context.Context) ([]checkpoint, error) {
	rows, err := c.pool.Query(ctx, `SELECT `+checkpointColumns+`
		FROM projection_checkpoints ORDER BY name, generation`)
	if err != nil {
		return nil, fmt.Errorf("projections: list checkpoints: %w", err)
	}
	defer rows.Close()
	var out []checkpoint
	for rows.Next() {
		cp, err := scanCheckpoint(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, cp)
	}
	return out, rows.Err()
}

// appliedAt returns how many events generation gen of name has applied, when its checkpoint is at
// position from; errCheckpointMoved when it is elsewhere or gone. It reads without locking:
// advance checks again.
func (c checkpoints) appliedAt(ctx context.Context, name string, gen int32, from eventstore.Position) (int64, error) {
	var applied int64
	err := c.pool.QueryRow(ctx, `SELECT applied FROM projection_checkpoints
		WHERE name = $1 AND generation = $2 AND position = $3`, name, gen, from.String()).Scan(&applied)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, errCheckpointMoved
	}
	if err != nil {
		return 0, fmt.Errorf("projections: read checkpoint %s: %w", name, err)
	}
	return applied, nil
}

// advance moves generation gen of name from position from to the last event of batch, inside tx,
// makes tx commit asynchronously, and returns the sequence number of the batch's first event. It
// locks the checkpoint row until tx ends, so two processes never apply the same batch; when the
// row is not at from (or is gone) it returns errCheckpointMoved. It clears any recorded failure.
func (c checkpoints) advance(ctx context.Context, tx pgx.Tx, name string, gen int32, from eventstore.Position, batch []eventstore.RecordedEvent) (int64, error) {
	last := batch[len(batch)-1]
	var seq int64
	// The batch and its checkpoint commit or vanish together, so a commit lost in a server crash
	// is applied again from the older checkpoint: the transaction commits asynchronously (the
	// set_config in FROM runs once, in the same round trip), never waiting for a WAL flush.
	err := tx.QueryRow(ctx, `
		UPDATE projection_checkpoints
		   SET position = $4, applied = applied + $5, last_event_id = $6, last_recorded_at = $7,
		       updated_at = now(), failed_event_id = NULL, failed_position = NULL,
		       failed_error = NULL, failed_at = NULL, failures = 0
		  FROM (SELECT set_config('synchronous_commit', 'off', true)) AS async_commit
		 WHERE name = $1 AND generation = $2 AND position = $3
		RETURNING applied - $5`,
		name, gen, from.String(), last.Position.String(), int64(len(batch)), last.ID, last.RecordedAt).Scan(&seq)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, errCheckpointMoved
	}
	if err != nil {
		return 0, fmt.Errorf("projections: advance checkpoint %s: %w", name, err)
	}
	return seq, nil
}

// fail records that generation gen of name could not apply event e, counting consecutive
// failures at the same event. The message is cut to 1000 bytes.
func (c checkpoints) fail(ctx context.Context, name string, gen int32, e eventstore.RecordedEvent, cause error) error {
	msg := cause.Error()
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	_, err := c.pool.Exec(ctx, `
		UPDATE projection_checkpoints
		   SET failures = CASE WHEN failed_event_id = $3 THEN failures + 1 ELSE 1 END,
		       failed_event_id = $3, failed_position = $4, failed_error = $5, failed_at = now()
		 WHERE name = $1 AND generation = $2`,
		name, gen, e.ID, e.Position.String(), msg)
	if err != nil {
		return fmt.Errorf("projections: record failure of %s: %w", name, err)
	}
	return nil
}
