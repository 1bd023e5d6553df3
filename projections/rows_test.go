package projections

import (
	"context"
	"errors"
	"testing"

	"github.com/caseledger/caseledger/migrations/pgtest"
	"github.com/google/uuid"
)

var testTable = NewRowTable("rm_test", 1, "id", "status", "note")

// TestSegmentFoldsWritesOfOneKey: a put then updates of the same key are one insert with the final
// values; an update of a key not put is kept as an update of the set columns only.
func TestSegmentFoldsWritesOfOneKey(t *testing.T) {
	s := newSegment()
	a, b := uuid.New(), uuid.New()
	if err := s.put(testTable, opInsert, []any{a, "booked", "x"}); err != nil {
		t.Fatal(err)
	}
	if err := s.update(testTable, []any{a}, []Set{{"status", "completed"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.update(testTable, []any{b}, []Set{{"note", "y"}}); err != nil {
		t.Fatal(err)
	}
	st := s.byName[testTable]
	if len(st.order) != 2 || s.rows != 2 {
		t.Fatalf("%d keys, %d rows; want 2 and 2", len(st.order), s.rows)
	}
	ra := st.rows[string(appendRowKey(nil, []any{a}))]
	if ra.op != opInsert || ra.values[1] != "completed" || ra.values[2] != "x" {
		t.Errorf("folded row %+v, want an insert of (a, completed, x)", ra)
	}
	rb := st.rows[string(appendRowKey(nil, []any{b}))]
	if rb.op != opUpdate || rb.set[1] || !rb.set[2] {
		t.Errorf("update row %+v, want an update of note only", rb)
	}
	if pending, ok := s.pending(testTable, []any{b}); ok {
		t.Errorf("an update-only key reads as pending: %v", pending)
	}
	if pending, ok := s.pending(testTable, []any{a}); !ok || pending[1] != "completed" {
		t.Errorf("pending(a) = %v, %v", pending, ok)
	}
}

// TestSegmentRefusesWhatFoldingWouldChange: a second insert of a key fails as the database would,
// and an insert or upsert after an update of a key not in memory needs a new segment (the update
// must first find the row in the database).
func TestSegmentRefusesWhatFoldingWouldChange(t *testing.T) {
	s := newSegment()
	a, b := uuid.New(), uuid.New()
	if err := s.put(testTable, opInsert, []any{a, "booked", "x"}); err != nil {
		t.Fatal(err)
	}
	var dup errDuplicateKey
	if err := s.put(testTable, opInsert, []any{a, "booked", "x"}); !errors.As(err, &dup) {
		t.Errorf("second insert: %v, want a duplicate key", err)
	}
	if err := s.put(testTable, opUpsert, []any{a, "cancelled", "z"}); err != nil {
		t.Errorf("upsert of a pending insert: %v", err)
	}
	if v, _ := s.pending(testTable, []any{a}); v[1] != "cancelled" {
		t.Errorf("upsert did not replace the pending row: %v", v)
	}
	if err := s.update(testTable, []any{b}, []Set{{"status", "x"}}); err != nil {
		t.Fatal(err)
	}
	for _, op := range []rowOp{opInsert, opUpsert} {
		if err := s.put(testTable, op, []any{b, "booked", "x"}); err != errSplit {
			t.Errorf("op %d after an update: %v, want errSplit", op, err)
		}
	}
	if err := s.update(testTable, []any{a}, []Set{{"id", uuid.New()}}); err == nil {
		t.Error("an update of a key column was accepted")
	}
}

// TestRowKeysOfDifferentValuesDiffer: keys of different types or values never collide.
func TestRowKeysOfDifferentValuesDiffer(t *testing.T) {
	id := uuid.New()
	keys := [][]any{{id}, {&id}, {(*uuid.UUID)(nil)}, {"a", "bc"}, {"ab", "c"}, {[]byte("a")}, {"a"}, {int64(1)}, {int32(2)}}
	seen := map[string]int{}
	for i, k := range keys {
		if j, ok := seen[string(appendRowKey(nil, k))]; ok && !(i == 1 && j == 0) {
			t.Errorf("keys %v and %v collide", keys[j], k)
		}
		seen[string(appendRowKey(nil, k))] = i
	}
}

// TestInsertOnlyTableTakesPutsAlone: an insert-only table's rows are recorded in order without
// folding (a duplicate key is the database's to refuse), and an upsert, an update or a pending
// lookup of it is refused or finds nothing.
func TestInsertOnlyTableTakesPutsAlone(t *testing.T) {
	table := NewInsertOnlyTable("rm_test_log", 1, "seq", "what")
	s := newSegment()
	for _, what := range []string{"first", "again"} {
		if err := s.put(table, opInsert, []any{int64(1), what}); err != nil {
			t.Fatalf("put %s: %v", what, err)
		}
	}
	st := s.byName[table]
	if len(st.order) != 2 || len(st.rows) != 0 || st.order[1].values[1] != "again" {
		t.Errorf("%d rows in order, %d by key; want both puts in order and none by key", len(st.order), len(st.rows))
	}
	var refused errInsertOnly
	if err := s.put(table, opUpsert, []any{int64(2), "x"}); !errors.As(err, &refused) {
		t.Errorf("upsert: %v, want refused as insert-only", err)
	}
	if err := s.update(table, []any{int64(1)}, []Set{{"what", "x"}}); !errors.As(err, &refused) {
		t.Errorf("update: %v, want refused as insert-only", err)
	}
	if v, ok := s.pending(table, []any{int64(1)}); ok {
		t.Errorf("pending found %v", v)
	}
}

// TestKeysBuiltAfterTheFillAreInsertOnly checks migration 0040 against the Go tables: a read-model
// table whose key is a unique index built after a rebuild's fill is written by an insert-only
// RowTable (nothing could find its rows by key while a rebuild fills it), and an insert-only
// table's parent has no primary key for a rebuild to maintain row by row.
func TestKeysBuiltAfterTheFillAreInsertOnly(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t, pgtest.NewDatabase(t), "")
	tables := map[string]*RowTable{}
	for _, rt := range []*RowTable{appointmentsTable, auditTrailTable, auditCaseloadTable, clientsTable, clientTokensTable,
		consentsTable, notesTable, practiceSessionsTable, practiceSessionSubjectsTable} {
		tables[rt.name] = rt
	}
	rows, err := pool.Query(context.Background(), `SELECT x.table_name,
		EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = to_regclass(x.table_name) AND c.contype = 'p')
		FROM projection_indexes x WHERE x.unique_key`)
	if err != nil {
		t.Fatal(err)
	}
	afterFill := map[string]bool{}
	for rows.Next() {
		var name string
		var primaryKey bool
		if err := rows.Scan(&name, &primaryKey); err != nil {
			t.Fatal(err)
		}
		afterFill[name] = true
		if rt := tables[name]; rt == nil || !rt.insertOnly {
			t.Errorf("%s gets its key after a rebuild's fill but is not written by an insert-only RowTable", name)
		}
		if primaryKey {
			t.Errorf("%s has a primary key beside its unique index built after the fill", name)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for name, rt := range tables {
		if rt.insertOnly && !afterFill[name] {
			t.Errorf("insert-only %s has no unique index in projection_indexes", name)
		}
	}
	if len(afterFill) == 0 {
		t.Error("no table gets its key after the fill")
	}
}

// TestSlabStockHandsOutClearedSlabsAgain: reclaimed slabs come back cleared (holding no value of
// the batch they served), a request larger than a slab is not stocked, and without a stock slabs
// are simply allocated.
func TestSlabStockHandsOutClearedSlabsAgain(t *testing.T) {
	var k slabStock
	v, r := k.valueSlab(3), k.rowSlab()
	v[0], r[0].values = "kept alive?", v[:1]
	big := k.valueSlab(valueSlab + 1)
	if len(big) != valueSlab+1 || len(k.values.used) != 1 {
		t.Fatalf("a request beyond a slab: %d values, %d slabs in use; want its own and one", len(big), len(k.values.used))
	}
	k.reclaim()
	v2, r2 := k.valueSlab(1), k.rowSlab()
	if &v2[0] != &v[0] || &r2[0] != &r[0] {
		t.Error("reclaimed slabs were not handed out again")
	}
	if v2[0] != nil || r2[0].values != nil {
		t.Errorf("a reclaimed slab still holds %v, %v", v2[0], r2[0].values)
	}
	var none *slabStock
	if len(none.valueSlab(2)) != valueSlab || len(none.rowSlab()) != pendingSlab {
		t.Error("no stock: slabs of the wrong size")
	}
}
