package projections

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// A RowTable describes a read-model table that a projector writes by key (Tx.Put, Tx.Upsert,
// Tx.Update) rather than by statement: its name, its columns after generation, and how many of
// them, from the first, form its primary key together with generation.
//
// Keyed writes are folded in memory until the batch is written: a row put and then updated in
// the same batch is written once, with its final values, and a table's new rows are written
// with COPY. That is what makes a rebuild fast; the effect is exactly that of running the writes
// one by one in order.
//
// An insert-only table (NewInsertOnlyTable) takes Tx.Put alone. Its rows are not folded (there is
// nothing to fold them with), and its key may be a unique index that a rebuild builds only once
// the generation is filled (migrations/0040_rebuild_keys_after_fill.sql): a duplicate key then
// fails the write when the database sees it, in a live batch at once, in a rebuild at its finish.
type RowTable struct {
	name       string
	columns    []string
	key        int
	index      map[string]int
	insertOnly bool

	mu    sync.Mutex
	types []string // PostgreSQL type per column, once read (see columnTypes)
}

// NewRowTable describes table name with the given columns (generation excluded), whose first
// key columns are its primary key with generation. It panics on a bad description: tables are
// package-level values, so a mistake shows at start.
func NewRowTable(name string, key int, columns ...string) *RowTable {
	if !validName.MatchString(name) || key < 1 || key > len(columns) {
		panic(fmt.Sprintf("projections: bad row table %q (key %d of %d columns)", name, key, len(columns)))
	}
	t := &RowTable{name: name, columns: columns, key: key, index: make(map[string]int, len(columns))}
	for i, c := range columns {
		if !validName.MatchString(c) {
			panic(fmt.Sprintf("projections: bad column %q of %s", c, name))
		}
		if _, dup := t.index[c]; dup {
			panic(fmt.Sprintf("projections: column %q of %s named twice", c, name))
		}
		t.index[c] = i
	}
	return t
}

// NewInsertOnlyTable is NewRowTable for a table whose rows are only ever put: Tx.Upsert and
// Tx.Update of it fail, and Tx.Pending never finds its rows.
func NewInsertOnlyTable(name string, key int, columns ...string) *RowTable {
	t := NewRowTable(name, key, columns...)
	t.insertOnly = true
	return t
}

// errInsertOnly is how an upsert or update of an insert-only table fails.
type errInsertOnly struct{ table string }

func (e errInsertOnly) Error() string {
	return fmt.Sprintf("%s is insert-only: its rows are put, never upserted or updated", e.table)
}

// Name is the table's name.
func (t *RowTable) Name() string { return t.name }

// Set is one column's new value in Tx.Update.
type Set struct {
	Column string
	Value  any
}

// rowOp is what a pending row will do when its segment is written.
type rowOp uint8

const (
	// opInsert adds a new row; it fails if the key exists.
	opInsert rowOp = iota
	// opUpsert adds the row or replaces every non-key column of the existing one.
	opUpsert
	// opUpdate sets some columns of a row that must exist in the database.
	opUpdate
)

// pendingRow is one key's folded writes within a segment.
type pendingRow struct {
	op     rowOp
	values []any  // one per column; for opUpdate only those with set[i]
	set    []bool // opUpdate: which columns are set
}

// segTable is one table's pending rows within a segment, in the order keys were first written
// (rows is nil for an insert-only table: nothing is looked up by key).
type segTable struct {
	t     *RowTable
	order []*pendingRow
	rows  map[string]*pendingRow
}

// segment is a run of keyed writes with no plain statement between them. Its rows are folded by
// key; writing it issues at most one statement per row (COPY for many new rows).
type segment struct {
	tables []*segTable
	byName map[*RowTable]*segTable
	rows   int
	// slab and values are where the segment's next pending rows and their values are allocated,
	// many at a time, from stock.
	slab   []pendingRow
	values []any
	stock  *slabStock
	// sizes, when not nil, holds how many rows to make room for per table.
	sizes map[*RowTable]int
}

func newSegment() *segment { return &segment{byName: map[*RowTable]*segTable{}} }

func (s *segment) table(t *RowTable) *segTable {
	st := s.byName[t]
	if st == nil {
		n := s.sizes[t]
		st = &segTable{t: t, order: make([]*pendingRow, 0, n)}
		if !t.insertOnly {
			st.rows = make(map[string]*pendingRow, n)
		}
		s.byName[t] = st
		s.tables = append(s.tables, st)
	}
	return st
}

// copyValues returns a copy of vals carved from the segment's value slab, so that the caller's
// argument list does not outlive the call (and can stay on its stack).
func (s *segment) copyValues(vals []any) []any {
	if len(s.values) < len(vals) {
		s.values = s.stock.valueSlab(len(vals))
	}
	out := s.values[:len(vals):len(vals)]
	s.values = s.values[len(vals):]
	copy(out, vals)
	return out
}

// add records r as the pending row of key k (its encoding, see appendRowKey); with k nil (an
// insert-only table's row) it is not recorded by key.
func (s *segment) add(st *segTable, k []byte, r pendingRow) *pendingRow {
	if len(s.slab) == 0 {
		s.slab = s.stock.rowSlab()
	}
	p := &s.slab[0]
	s.slab = s.slab[1:]
	*p = r
	st.order = append(st.order, p)
	if k != nil {
		st.rows[string(k)] = p
	}
	s.rows++
	return p
}

// errDuplicateKey is how a Put of a key already put in the same segment fails, as the database
// would fail the second INSERT.
type errDuplicateKey struct{ table string }

func (e errDuplicateKey) Error() string {
	return fmt.Sprintf("row of %s inserted twice (duplicate key)", e.table)
}

// errSplit says a write cannot be folded into the segment's pending row for its key without
// changing what the writes one by one would do; the queue starts a new segment for it.
var errSplit = errors.New("projections: write needs a new segment")

// write records a keyed write: an insert or upsert (op) of values, or an update of the row whose
// key is values by set.
func (s *segment) write(t *RowTable, op rowOp, values []any, set []Set) error {
	if op == opUpdate {
		return s.update(t, values, set)
	}
	return s.put(t, op, values)
}

// put records an insert (or an upsert) of values.
func (s *segment) put(t *RowTable, op rowOp, values []any) error {
	if len(values) != len(t.columns) {
		return fmt.Errorf("%s takes %d values, got %d", t.name, len(t.columns), len(values))
	}
	st := s.table(t)
	if t.insertOnly {
		if op != opInsert {
			return errInsertOnly{t.name}
		}
		s.add(st, nil, pendingRow{op: op, values: s.copyValues(values)})
		return nil
	}
	var buf [keyBuffer]byte
	k := appendRowKey(buf[:0], values[:t.key])
	r, ok := st.rows[string(k)]
	switch {
	case !ok:
		s.add(st, k, pendingRow{op: op, values: s.copyValues(values)})
		return nil
	case r.op == opUpdate:
		// The update needs the row to exist in the database: write it before this.
		return errSplit
	case op == opInsert:
		return errDuplicateKey{t.name}
	}
	// An upsert of a row this segment inserts or upserts replaces its values.
	r.values = s.copyValues(values)
	return nil
}

// update records that the row of key gets set's values.
func (s *segment) update(t *RowTable, key []any, set []Set) error {
	if len(key) != t.key {
		return fmt.Errorf("%s has a key of %d columns, got %d", t.name, t.key, len(key))
	}
	if t.insertOnly {
		return errInsertOnly{t.name}
	}
	st := s.table(t)
	var buf [keyBuffer]byte
	k := appendRowKey(buf[:0], key)
	r, ok := st.rows[string(k)]
	if !ok {
		r = s.add(st, k, pendingRow{op: opUpdate, values: make([]any, len(t.columns)), set: make([]bool, len(t.columns))})
		copy(r.values, key)
	}
	for _, c := range set {
		i, ok := t.index[c.Column]
		if !ok || i < t.key {
			return fmt.Errorf("%s has no settable column %q", t.name, c.Column)
		}
		r.values[i] = c.Value
		if r.set != nil {
			r.set[i] = true
		}
	}
	return nil
}

// pending returns the values of key's row when the segment inserts or upserts it.
func (s *segment) pending(t *RowTable, key []any) ([]any, bool) {
	st := s.byName[t]
	if st == nil {
		return nil, false
	}
	var buf [keyBuffer]byte
	r, ok := st.rows[string(appendRowKey(buf[:0], key))]
	if !ok || r.op == opUpdate {
		return nil, false
	}
	return r.values, true
}

// keyBuffer is the room on the stack for a row key's encoding; a longer one is allocated.
const keyBuffer = 64

// appendRowKey appends to b the encoding of key values as a map key. Values of different types
// never encode alike.
func appendRowKey(b []byte, vals []any) []byte {
	for _, v := range vals {
		switch v := v.(type) {
		case uuid.UUID:
			b = append(b, 'u')
			b = append(b, v[:]...)
		case *uuid.UUID:
			if v == nil {
				b = append(b, 'n')
			} else {
				b = append(b, 'u')
				b = append(b, v[:]...)
			}
		case string:
			b = append(b, 's')
			b = binary.AppendUvarint(b, uint64(len(v)))
			b = append(b, v...)
		case []byte:
			b = append(b, 'b')
			b = binary.AppendUvarint(b, uint64(len(v)))
			b = append(b, v...)
		case int64:
			b = append(b, 'i')
			b = binary.BigEndian.AppendUint64(b, uint64(v))
		case int32:
			b = append(b, 'i')
			b = binary.BigEndian.AppendUint64(b, uint64(int64(v)))
		case int:
			b = append(b, 'i')
			b = binary.BigEndian.AppendUint64(b, uint64(int64(v)))
		case time.Time:
			b = append(b, 't')
			b = binary.BigEndian.AppendUint64(b, uint64(v.UnixMicro()))
		default:
			s := fmt.Sprintf("%T:%v", v, v)
			b = append(b, 'x')
			b = binary.AppendUvarint(b, uint64(len(s)))
			b = append(b, s...)
		}
	}
	return b
}

// columnList is "generation, c1, c2, ...".
func (t *RowTable) columnList() string {
	return "generation, " + strings.Join(t.columns, ", ")
}

// copyColumns are the columns COPY writes: generation, then t's.
func (t *RowTable) copyColumns() []string {
	return append([]string{"generation"}, t.columns...)
}

// keyCondition is "generation = $1 AND k1 = $2 AND ..." for a statement whose parameters start
// with the generation and the key.
func (t *RowTable) keyCondition() string {
	var b strings.Builder
	b.WriteString("generation = $1")
	for i, c := range t.columns[:t.key] {
		fmt.Fprintf(&b, " AND %s = $%d", c, i+2)
	}
	return b.String()
}
