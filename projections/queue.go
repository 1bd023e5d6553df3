package projections

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
)

const (
	// flushEvery is how many statements are sent in one pipelined round trip at most.
	flushEvery = 1000
	// bulkAtLeast is from how many new rows of one table in one segment they are written by one
	// INSERT of column arrays (COPY is refused under row-level security).
	bulkAtLeast = 64
)

// step is one thing the queue writes, in order: a plain statement, or a segment of keyed rows.
type step struct {
	sql     string
	args    []any
	exactly bool
	seg     *segment
}

// queue holds what a batch's events wrote, in order, until it is sent to PostgreSQL. It does not
// know which event wrote what: a batch whose writes fail is applied again writing after every
// event (applyPrecisely), which names the event.
type queue struct {
	tx  pgx.Tx
	gen int32
	// copy is set for a rebuild's batch: its generation's partitions are not sealed yet, so a
	// table's many new rows go in by COPY straight into its partition (see Batch.rebuild).
	copy bool
	// scratch is what the batches of one projector's rebuild reuse (nil outside a rebuild).
	scratch *rebuildScratch
	// sized is set once a segment of the batch was sized by scratch.
	sized bool
	steps []step
	seg   *segment
	// clientTables are the tables a rebuild's batch finds rows of by client (see Tx.ExecByClient).
	clientTables []string
	// wordTokens memoises the blind-index tokens of note words for the batch (see Tx.wordToken).
	wordTokens map[string]int64
}

// findsByClient notes, in a rebuild, that the batch finds rows of table by client.
func (q *queue) findsByClient(table string) {
	if q.copy && !slices.Contains(q.clientTables, table) {
		q.clientTables = append(q.clientTables, table)
	}
}

func (q *queue) add(one bool, sql string, args []any) {
	q.closeSegment()
	q.steps = append(q.steps, step{sql: sql, args: args, exactly: one})
}

// closeSegment ends the open segment: keyed writes after it start a new one.
func (q *queue) closeSegment() {
	if q.seg != nil && q.seg.rows > 0 {
		q.steps = append(q.steps, step{seg: q.seg})
	}
	q.seg = nil
}

// rebuildScratch is what the batches of one projector's rebuild reuse: the buffer COPY streams
// are encoded into, per table the most rows one segment of the last batch held, by which the
// first segment of the next batch is sized at once rather than grown row by row, and the slabs
// of pending rows and values.
type rebuildScratch struct {
	copyBuffer []byte
	rows       map[*RowTable]int
	slabs      slabStock
}

// newSegment opens a segment; in a rebuild, the batch's first is sized by the last batch's.
func (q *queue) newSegment() *segment {
	s := newSegment()
	if q.scratch != nil {
		s.stock = &q.scratch.slabs
		if !q.sized {
			s.sizes, q.sized = q.scratch.rows, true
		}
	}
	return s
}

// write folds a keyed write into the open segment, opening a new one when it cannot fold into
// it: an insert or upsert (op) of values, or an update of the row whose key is values by set.
func (q *queue) write(t *RowTable, op rowOp, values []any, set []Set) error {
	if q.seg == nil {
		q.seg = q.newSegment()
	}
	err := q.seg.write(t, op, values, set)
	if err == errSplit {
		q.closeSegment()
		q.seg = q.newSegment()
		err = q.seg.write(t, op, values, set)
	}
	return err
}

// flush writes everything queued, in order; either way the queue is empty afterwards.
func (q *queue) flush(ctx context.Context) error {
	q.closeSegment()
	steps := q.steps
	q.steps = nil
	if q.scratch != nil {
		q.scratch.rows = segmentSizes(steps)
		// Once written (or failed), nothing refers to the rows: the batch is committed, or
		// applied again from its events by a queue of its own.
		defer q.scratch.slabs.reclaim()
	}
	p := pipeline{tx: q.tx}
	for _, s := range steps {
		if s.seg == nil {
			if err := p.queue(ctx, s.sql, s.args, s.exactly); err != nil {
				return err
			}
			continue
		}
		for _, st := range s.seg.tables {
			if err := q.writeTable(ctx, &p, st); err != nil {
				return err
			}
		}
	}
	return p.send(ctx)
}

// segmentSizes returns, per table, the most rows one of the segments of steps held.
func segmentSizes(steps []step) map[*RowTable]int {
	sizes := map[*RowTable]int{}
	for _, s := range steps {
		if s.seg != nil {
			for _, st := range s.seg.tables {
				sizes[st.t] = max(sizes[st.t], len(st.order))
			}
		}
	}
	return sizes
}

// writeTable writes one table's pending rows of a segment: new rows by one INSERT of column
// arrays when there are many (multi-row INSERTs otherwise), upserts as multi-row INSERT ... ON
// CONFLICT, and updates one statement per row, each of which must change exactly one row.
func (q *queue) writeTable(ctx context.Context, p *pipeline, st *segTable) error {
	t := st.t
	if t.insertOnly && q.copy && len(st.order) >= bulkAtLeast {
		return q.copyRows(ctx, p, t, st.order)
	}
	var inserts, upserts []*pendingRow
	for _, r := range st.order {
		switch r.op {
		case opInsert:
			inserts = append(inserts, r)
		case opUpsert:
			upserts = append(upserts, r)
		case opUpdate:
			sql, args := t.updateStatement(q.gen, r)
			if err := p.queue(ctx, sql, args, true); err != nil {
				return err
			}
		}
	}
	if q.copy && len(inserts) >= bulkAtLeast {
		if err := q.copyRows(ctx, p, t, inserts); err != nil {
			return err
		}
		inserts = nil
	}
	var sql string
	var types []string
	if len(inserts) >= bulkAtLeast {
		var err error
		if sql, types, err = t.bulkInsertStatement(ctx, q.tx); err != nil {
			return err
		}
	}
	if sql != "" {
		args := make([]any, 1+len(t.columns))
		args[0] = q.gen
		col := make([]any, len(inserts))
		for c := range t.columns {
			for i, r := range inserts {
				col[i] = r.values[c]
			}
			args[1+c] = columnArray(types[c], col)
		}
		if err := p.queue(ctx, sql, args, false); err != nil {
			return err
		}
	} else if err := q.insertRows(ctx, p, t, inserts, false); err != nil {
		return err
	}
	return q.insertRows(ctx, p, t, upserts, true)
}

// copyRows writes new rows of t by COPY into the partition of q's generation, after sending what
// p holds (the steps stay in order). The rows are encoded by appendCopyRows into q's copy buffer;
// a value it does not take is left to pgx's CopyFrom.
func (q *queue) copyRows(ctx context.Context, p *pipeline, t *RowTable, rows []*pendingRow) error {
	if err := p.send(ctx); err != nil {
		return err
	}
	types, err := t.columnTypes(ctx, q.tx)
	if err != nil {
		return err
	}
	kinds := make([]copyKind, len(types))
	for i, typ := range types {
		kinds[i] = copyKindOf(typ)
	}
	partition := pgx.Identifier{fmt.Sprintf("%s_g%d", t.name, q.gen)}
	var buf []byte
	if q.scratch != nil {
		buf = q.scratch.copyBuffer[:0]
	}
	data, ok := appendCopyRows(buf, q.gen, kinds, rows)
	if q.scratch != nil && cap(data) <= maxCopyBuffer {
		q.scratch.copyBuffer = data
	}
	if ok {
		copiesEncoded.Add(1)
		_, err = q.tx.Conn().PgConn().CopyFrom(ctx, bytes.NewReader(data),
			"COPY "+partition.Sanitize()+" ("+t.columnList()+") FROM STDIN (FORMAT binary)")
	} else {
		copiesByPgx.Add(1)
		row := make([]any, 1+len(t.columns))
		row[0] = q.gen
		_, err = q.tx.CopyFrom(ctx, partition, t.copyColumns(), pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
			copy(row[1:], rows[i].values)
			return row, nil
		}))
	}
	if err != nil {
		return fmt.Errorf("copy into %s: %w", t.name, err)
	}
	return nil
}

// copiesEncoded and copiesByPgx count the COPYs whose rows appendCopyRows encoded and those it
// left to pgx (tests check that the projectors' values never need pgx).
var copiesEncoded, copiesByPgx atomic.Int64

// maxCopyBuffer is the largest copy buffer kept for the next COPY.
const maxCopyBuffer = 32 << 20

// insertRows queues rows as INSERTs of 128, 32, 8 or 1 rows (few distinct statement texts, so they
// stay prepared); upsert adds ON CONFLICT ... DO UPDATE of every non-key column.
func (q *queue) insertRows(ctx context.Context, p *pipeline, t *RowTable, rows []*pendingRow, upsert bool) error {
	for i := 0; i < len(rows); {
		size := 1
		for _, s := range []int{128, 32, 8} {
			if len(rows)-i >= s {
				size = s
				break
			}
		}
		chunk := rows[i : i+size]
		args := make([]any, 0, size*(len(t.columns)+1))
		for _, r := range chunk {
			args = append(args, q.gen)
			args = append(args, r.values...)
		}
		if err := p.queue(ctx, t.insertStatement(size, upsert), args, false); err != nil {
			return err
		}
		i += size
	}
	return nil
}

// statementCache holds generated statement texts by table, kind and size.
var statementCache sync.Map

// insertStatement is the INSERT of size rows of t (with generation), as an upsert when upsert.
func (t *RowTable) insertStatement(size int, upsert bool) string {
	key := fmt.Sprintf("%s/%d/%v", t.name, size, upsert)
	if s, ok := statementCache.Load(key); ok {
		return s.(string)
	}
	width := len(t.columns) + 1
	var b strings.Builder
	b.WriteString("INSERT INTO " + t.name + " (" + t.columnList() + ") VALUES ")
	for row := range size {
		if row > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := range width {
			if c > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "$%d", row*width+c+1)
		}
		b.WriteByte(')')
	}
	if upsert {
		b.WriteString(" ON CONFLICT (" + strings.Join(t.columns[:t.key], ", ") + ", generation) DO ")
		if len(t.columns) == t.key {
			b.WriteString("NOTHING")
		} else {
			b.WriteString("UPDATE SET ")
			for i, c := range t.columns[t.key:] {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(c + " = EXCLUDED." + c)
			}
		}
	}
	s, _ := statementCache.LoadOrStore(key, b.String())
	return s.(string)
}

// columnTypes returns the PostgreSQL type of each of t's columns (as format_type names it), read
// from the catalogue through tx on the first call and kept.
func (t *RowTable) columnTypes(ctx context.Context, tx pgx.Tx) ([]string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.types != nil {
		return t.types, nil
	}
	rows, err := tx.Query(ctx, `SELECT a.attname, format_type(a.atttypid, NULL) FROM pg_attribute a
		WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`, t.name)
	if err != nil {
		return nil, fmt.Errorf("column types of %s: %w", t.name, err)
	}
	byName := map[string]string{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, fmt.Errorf("column types of %s: %w", t.name, err)
		}
		byName[name] = typ
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("column types of %s: %w", t.name, err)
	}
	types := make([]string, len(t.columns))
	for i, c := range t.columns {
		typ, ok := byName[c]
		if !ok {
			return nil, fmt.Errorf("table %s has no column %s", t.name, c)
		}
		types[i] = typ
	}
	t.types = types
	return types, nil
}

// bulkInsertStatement is the INSERT of t's rows from one array per column ($2...), generation $1,
// with the columns' types; "" when a column is itself an array (unnest cannot give back one array
// per row: such tables take multi-row INSERTs).
func (t *RowTable) bulkInsertStatement(ctx context.Context, tx pgx.Tx) (string, []string, error) {
	types, err := t.columnTypes(ctx, tx)
	if err != nil {
		return "", nil, err
	}
	arrays := make([]string, len(types))
	for i, typ := range types {
		if strings.HasSuffix(typ, "[]") {
			return "", nil, nil
		}
		arrays[i] = fmt.Sprintf("unnest($%d::%s[])", i+2, typ)
	}
	// Set-returning functions in the select list run in lock step over the equally long arrays,
	// without the tuplestore that unnest(a, b, ...) in FROM fills first: half the server's time.
	return "INSERT INTO " + t.name + " (" + t.columnList() + ") SELECT $1::integer, " + strings.Join(arrays, ", "), types, nil
}

// updateStatement is the UPDATE of r's set columns on its row, with its arguments.
func (t *RowTable) updateStatement(gen int32, r *pendingRow) (string, []any) {
	args := append([]any{gen}, r.values[:t.key]...)
	var set []string
	for i := t.key; i < len(t.columns); i++ {
		if r.set[i] {
			args = append(args, r.values[i])
			set = append(set, fmt.Sprintf("%s = $%d", t.columns[i], len(args)))
		}
	}
	return "UPDATE " + t.name + " SET " + strings.Join(set, ", ") + " WHERE " + t.keyCondition(), args
}

// pipeline sends statements in pipelined round trips of up to flushEvery.
type pipeline struct {
	tx      pgx.Tx
	batch   pgx.Batch
	exactly []bool
}

// queue adds a statement, sending the pipeline when it is full. exactly says the statement must
// change exactly one row.
func (p *pipeline) queue(ctx context.Context, sql string, args []any, exactly bool) error {
	p.batch.Queue(sql, args...)
	p.exactly = append(p.exactly, exactly)
	if p.batch.Len() >= flushEvery {
		return p.send(ctx)
	}
	return nil
}

// send runs the queued statements in order in one round trip and returns the first failure.
func (p *pipeline) send(ctx context.Context) error {
	if p.batch.Len() == 0 {
		return nil
	}
	batch, exactly := p.batch, p.exactly
	p.batch, p.exactly = pgx.Batch{}, nil
	br := p.tx.SendBatch(ctx, &batch)
	var failure error
	for i := range exactly {
		tag, err := br.Exec()
		if err == nil && exactly[i] && tag.RowsAffected() != 1 {
			err = fmt.Errorf("statement %d changed %d rows, want 1: the row it updates does not exist", i, tag.RowsAffected())
		}
		if err != nil {
			failure = err
			break
		}
	}
	if err := br.Close(); err != nil && failure == nil {
		failure = err
	}
	return failure
}
