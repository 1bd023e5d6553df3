package projections

import (
	"context"
	"fmt"
	"strings"

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
	// run holds rows queued by Insert for one table, not yet turned into statements.
	run *insertRun
}

// insertRun is consecutive rows for one table and column list.
type insertRun struct {
	table   string
	columns string
	width   int
	rows    []any // flattened
	owners  []int // per row
}

func (q *queue) add(one bool, sql string, args []any) {
	q.emitRun()
	q.batch.Queue(sql, args...)
	q.owners = append(q.owners, q.event)
	q.exactly = append(q.exactly, one)
}

// insert queues a row; rows queued one after another for the same table and columns become
// multi-row INSERT statements.
func (q *queue) insert(table, columns string, values []any) {
	if r := q.run; r != nil && (r.table != table || r.columns != columns || r.width != len(values)) {
		q.emitRun()
	}
	if q.run == nil {
		q.run = &insertRun{table: table, columns: columns, width: len(values)}
	}
	q.run.rows = append(q.run.rows, values...)
	q.run.owners = append(q.run.owners, q.event)
}

// emitRun turns the pending rows into INSERT statements of 128, 32, 8 or 1 rows (few distinct
// statement texts, so they stay prepared), each owned by the event of its first row.
func (q *queue) emitRun() {
	r := q.run
	if r == nil {
		return
	}
	q.run = nil
	for i, n := 0, len(r.owners); i < n; {
		size := 1
		for _, s := range []int{128, 32, 8} {
			if n-i >= s {
				size = s
				break
			}
		}
		var sql strings.Builder
		sql.WriteString("INSERT INTO " + r.table + " (" + r.columns + ") VALUES ")
		for row := range size {
			if row > 0 {
				sql.WriteByte(',')
			}
			sql.WriteByte('(')
			for c := range r.width {
				if c > 0 {
					sql.WriteByte(',')
				}
				fmt.Fprintf(&sql, "$%d", row*r.width+c+1)
			}
			sql.WriteByte(')')
		}
		q.batch.Queue(sql.String(), r.rows[i*r.width:(i+size)*r.width]...)
		q.owners = append(q.owners, r.owners[i])
		q.exactly = append(q.exactly, false)
		i += size
	}
}

// flush runs the queued statements in order in one pipelined round trip. On failure it returns the
// index of the event whose statement failed and why; either way the queue is empty afterwards.
func (q *queue) flush(ctx context.Context) (int, error) {
	q.emitRun()
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
