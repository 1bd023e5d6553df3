package pgstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/caseledger/caseledger/eventstore/pgstore"
	"github.com/caseledger/caseledger/migrations"
	"github.com/caseledger/caseledger/migrations/pgtest"
)

// newStore returns a store on a fresh migrated database, acting as caseledger_app, and the
// database URL (admin user).
func newStore(tb testing.TB) (*pgstore.Store, string) {
	tb.Helper()
	dsn := pgtest.NewDatabase(tb)
	return openStore(tb, dsn, migrations.RoleApp), dsn
}

// openStore opens a store on dsn as role.
func openStore(tb testing.TB, dsn, role string) *pgstore.Store {
	tb.Helper()
	pool := pgtest.Pool(tb, dsn, role)
	s, err := pgstore.New(testCtx(tb), pool, pgstore.Config{PollInterval: time.Second})
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	return s
}

func testCtx(tb testing.TB) context.Context {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	tb.Cleanup(cancel)
	return ctx
}

func adminPool(tb testing.TB, dsn string) *pgxpool.Pool {
	tb.Helper()
	return pgtest.Pool(tb, dsn, "")
}
