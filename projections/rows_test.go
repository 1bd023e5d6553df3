package projections

import (
	"errors"
	"testing"

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
