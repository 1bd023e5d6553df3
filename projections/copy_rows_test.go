package projections

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/migrations/pgtest"
)

// TestCopyRowsReachPostgreSQLAsTheyWere sends rows of every column type a read model has, every Go
// form of value the projectors put for it (NULLs among them), through the binary COPY stream
// appendCopyRows encodes, into a real server, and reads back their text form; and checks that a
// value it does not take is reported rather than sent wrong.
func TestCopyRowsReachPostgreSQLAsTheyWere(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t, pgtest.NewDatabase(t), "")
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `CREATE TABLE copied (generation integer, u uuid, s text, ts timestamptz,
		b bytea, i integer, n bigint, f boolean, tokens bigint[])`); err != nil {
		t.Fatal(err)
	}
	types := []string{"uuid", "text", "timestamp with time zone", "bytea", "integer", "bigint", "boolean", "bigint[]"}
	kinds := make([]copyKind, len(types))
	for i, typ := range types {
		if kinds[i] = copyKindOf(typ); kinds[i] == copyUnknown {
			t.Fatalf("type %s has no kind", typ)
		}
	}
	id := uuid.MustParse("0191e4a8-7c3e-7b1a-9f00-0123456789ab")
	at := time.Date(2026, 3, 2, 9, 30, 0, 123456789, time.FixedZone("BST", 3600))
	before2000 := time.Date(1984, 2, 29, 23, 59, 59, 999999000, time.UTC)
	s := "Room 2 — ünïcode"
	fee := int64(-4200)
	rows := []*pendingRow{
		{values: []any{id, "a b", at, []byte{1, 2}, 1, int64(1) << 40, true, []int64{math.MinInt64, 0, math.MaxInt64}}},
		{values: []any{domain.ID(id), &s, &at, []byte{}, int32(math.MinInt32), &fee, false, []int64{}}},
		{values: []any{&id, "", before2000, []byte(nil), int64(math.MaxInt32), int32(-1), nil, []int64(nil)}},
		{values: []any{nil, nil, nil, nil, nil, nil, nil, nil}},
		{values: []any{(*uuid.UUID)(nil), (*string)(nil), (*time.Time)(nil), nil, (*int64)(nil), (*int64)(nil), true, []int64{7}}},
	}
	data, ok := appendCopyRows(nil, 7, kinds, rows)
	if !ok {
		t.Fatal("appendCopyRows refused the projectors' values")
	}
	c, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Release()
	if _, err := c.Conn().PgConn().CopyFrom(ctx, bytes.NewReader(data), "COPY copied FROM STDIN (FORMAT binary)"); err != nil {
		t.Fatalf("PostgreSQL refused the stream: %v", err)
	}
	var lines []string
	rs, err := pool.Query(ctx, `SELECT concat_ws('|', generation, coalesce(u::text, 'NULL'), coalesce(s, 'NULL'),
		coalesce(to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), 'NULL'), coalesce(encode(b, 'hex'), 'NULL'),
		coalesce(i::text, 'NULL'), coalesce(n::text, 'NULL'), coalesce(f::text, 'NULL'), coalesce(tokens::text, 'NULL')) FROM copied ORDER BY ctid`)
	if err != nil {
		t.Fatal(err)
	}
	for rs.Next() {
		var l string
		if err := rs.Scan(&l); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, l)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`7|0191e4a8-7c3e-7b1a-9f00-0123456789ab|a b|2026-03-02 08:30:00.123456|0102|1|1099511627776|true|{-9223372036854775808,0,9223372036854775807}`,
		`7|0191e4a8-7c3e-7b1a-9f00-0123456789ab|Room 2 — ünïcode|2026-03-02 08:30:00.123456||-2147483648|-4200|false|{}`,
		`7|0191e4a8-7c3e-7b1a-9f00-0123456789ab||1984-02-29 23:59:59.999999|NULL|2147483647|-1|NULL|NULL`,
		`7|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL`,
		`7|NULL|NULL|NULL|NULL|NULL|NULL|true|{7}`,
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("PostgreSQL received\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}

	for _, tc := range []struct {
		kind copyKind
		v    any
	}{
		{copyText, 42},
		{copyUUID, "0191e4a8-7c3e-7b1a-9f00-0123456789ab"},
		{copyInt4, int64(math.MaxInt32) + 1},
		{copyInt8, "1"},
		{copyInt8Array, [][]byte{{1}}},
		{copyInt8Array, []int32{1}},
		{copyUnknown, "x"},
	} {
		if _, ok := appendCopyValue(nil, tc.kind, tc.v); ok {
			t.Errorf("kind %d took %T %v", tc.kind, tc.v, tc.v)
		}
	}
}
