package projections

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/migrations/pgtest"
)

// TestColumnArraysReachPostgreSQLAsTheyWere sends every column type the bulk insert uses, with a
// NULL among the values, to a real server and reads back its text form; and checks that values of
// an unexpected Go type fall back to a []any that still encodes.
func TestColumnArraysReachPostgreSQLAsTheyWere(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t, pgtest.NewDatabase(t), "")
	ctx := context.Background()
	id := uuid.MustParse("0191e4a8-7c3e-7b1a-9f00-0123456789ab")
	at := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	s := "Room 2"
	tests := []struct {
		typ  string
		vals []any
		want string
	}{
		{"uuid", []any{id, nil, domain.ID(id), &id, (*uuid.UUID)(nil)},
			"{0191e4a8-7c3e-7b1a-9f00-0123456789ab,NULL,0191e4a8-7c3e-7b1a-9f00-0123456789ab,0191e4a8-7c3e-7b1a-9f00-0123456789ab,NULL}"},
		{"text", []any{"a b", nil, &s, (*string)(nil), ""}, `{"a b",NULL,"Room 2",NULL,""}`},
		{"timestamp with time zone", []any{at, nil, &at}, `{"2026-03-02 09:30:00+00",NULL,"2026-03-02 09:30:00+00"}`},
		{"bytea", []any{[]byte{1, 2}, nil, []byte{}}, `{"\\x0102",NULL,"\\x"}`},
		{"integer", []any{1, int32(-2), int64(3), nil}, "{1,-2,3,NULL}"},
		{"bigint", []any{int64(1) << 40, nil}, "{1099511627776,NULL}"},
		{"boolean", []any{true, nil, false}, "{t,NULL,f}"},
		{"text", []any{"fallback", 42}, ""}, // an int for a text column: the []any fallback
	}
	for _, tc := range tests {
		arg := columnArray(tc.typ, tc.vals)
		if _, typed := arg.([]any); typed != (tc.want == "") {
			t.Errorf("%s %v: columnArray gave %T", tc.typ, tc.vals, arg)
		}
		if tc.want == "" {
			continue
		}
		var got string
		if err := pool.QueryRow(ctx, `SELECT $1::`+tc.typ+`[]::text`, arg).Scan(&got); err != nil {
			t.Fatalf("%s: %v", tc.typ, err)
		}
		if got != tc.want {
			t.Errorf("%s: PostgreSQL received %s; want %s", tc.typ, got, tc.want)
		}
	}
	if _, err := pool.Exec(ctx, `SELECT $1::integer[]`, columnArray("integer", []any{int64(1) << 40})); err == nil {
		t.Error("an integer out of int4's range was accepted")
	}
}
