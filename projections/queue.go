package projections

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// flushEvery is how many queued statements are sent in one pipelined round trip at most.
const flushEvery = 1000

// queue holds the statements a batch's events queued, with the event that queued each.
type queue struct {
	tx      pgx.Tx
	batch   pgx.Batch
	owners  []int
	exactly []bool
	// event is the index in the batch of the event being applied.
	event int
}

func (q *queue) add(one bool, sql string, args []any) {
	q.batch.Queue(sql, args...)
	q.owners = append(q.owners, q.event)
	q.exactly = append(q.exactly, one)
}

// flush runs the queued statements in order in one pipelined round trip. On failure it returns the
// index of the event whose statement failed and why; either way the queue is empty afterwards.
func (q *queue) flush(ctx context.Context) (int, error) {
	if q.batch.Len() == 0 {
		return 0, nil
	}
	batch, owners, exactly := q.batch, q.owners, q.exactly
	q.batch, q.owners, q.exactly = pgx.Batch{}, nil, nil
	br := q.tx.SendBatch(ctx, &batch)
	failedAt, failure := 0, error(nil)
	for i := range owners {
		tag, err := br.Exec()
		if err == nil && exactly[i] && tag.RowsAffected() != 1 {
			err = fmt.Errorf("statement %d of the event changed %d rows, want 1: the row it updates does not exist", i, tag.RowsAffected())
		}
		if err != nil {
			failedAt, failure = owners[i], err
			break
		}
	}
	if err := br.Close(); err != nil && failure == nil {
		failedAt, failure = owners[len(owners)-1], err
	}
	return failedAt, failure
}
