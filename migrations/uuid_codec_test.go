package migrations_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/caseledger/caseledger/migrations/pgtest"
)

// TestPoolsSendAndReadUUIDsInBinary checks, on a real server, that a ConnectAs pool's own uuid
// codec is registered (the default sends uuid.UUID as text after a failed binary attempt) and
// that every shape of uuid argument and result round-trips: values, pointers, NULL, arrays, in
// both the binary and the text (simple) protocol.
func TestPoolsSendAndReadUUIDsInBinary(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t)
	pool := pgtest.Pool(t, dsn, "")
	ctx := context.Background()

	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	typ, ok := conn.Conn().TypeMap().TypeForOID(pgtype.UUIDOID)
	if !ok || typ.Codec == (pgtype.UUIDCodec{}) {
		t.Fatalf("uuid codec of a pool connection is %#v; want the registered binary codec", typ)
	}
	plan := conn.Conn().TypeMap().PlanEncode(pgtype.UUIDOID, pgtype.BinaryFormatCode, uuid.UUID{})
	if plan == nil {
		t.Fatal("no binary encode plan for uuid.UUID")
	}
	conn.Release()

	a := uuid.MustParse("0191e4a8-7c3e-7b1a-9f00-0123456789ab")
	b := uuid.MustParse("ffffffff-0000-4000-8000-00000000000f")
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeSimpleProtocol} {
		var (
			got, fromText uuid.UUID
			ptr, null     *uuid.UUID
			arr           []uuid.UUID
			text          string
		)
		err := pool.QueryRow(ctx, `SELECT $1::uuid, $2::uuid, $3::uuid, ARRAY[$1::uuid, $2::uuid], $1::uuid::text, $4::text::uuid`,
			mode, a, &b, (*uuid.UUID)(nil), b.String()).
			Scan(&got, &ptr, &null, &arr, &text, &fromText)
		if err != nil {
			t.Fatalf("mode %v: %v", mode, err)
		}
		if got != a || ptr == nil || *ptr != b || null != nil || len(arr) != 2 || arr[0] != a || arr[1] != b ||
			text != a.String() || fromText != b {
			t.Errorf("mode %v: got %v %v %v %v %q %v", mode, got, ptr, null, arr, text, fromText)
		}
		if mode == pgx.QueryExecModeCacheStatement { // pgx has no text encoding of a []uuid.UUID
			var back []uuid.UUID
			if err := pool.QueryRow(ctx, `SELECT $1::uuid[]`, []uuid.UUID{b, a}).Scan(&back); err != nil ||
				len(back) != 2 || back[0] != b || back[1] != a {
				t.Errorf("uuid array round trip: %v %v", back, err)
			}
		}
		into := a
		if err := pool.QueryRow(ctx, `SELECT NULL::uuid`, mode).Scan(&into); err != nil || into != a {
			t.Errorf("mode %v: NULL scanned into a uuid.UUID gives %v, %v; want it left unchanged, as before", mode, into, err)
		}
	}
}
