package migrations_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/caseledger/caseledger/migrations"
	"github.com/caseledger/caseledger/migrations/pgtest"
)

func TestApplyIsIdempotentAndRecordsEveryFile(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	again, err := migrations.Apply(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 0 {
		t.Fatalf("second Apply applied %v, want nothing", again)
	}
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(migrations.Names()) {
		t.Fatalf("schema_migrations has %d rows, want %d", n, len(migrations.Names()))
	}
}

func TestRolesExistWithoutBypass(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t)
	pool := pgtest.Pool(t, dsn, "")
	for _, role := range []string{migrations.RoleOwner, migrations.RoleApp, migrations.RoleReader} {
		var super, bypass, login bool
		err := pool.QueryRow(context.Background(),
			`SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = $1`, role).Scan(&super, &bypass, &login)
		if err != nil {
			t.Fatalf("role %s: %v", role, err)
		}
		if super || bypass || login {
			t.Errorf("role %s: super=%v bypassrls=%v login=%v, want all false", role, super, bypass, login)
		}
	}
}

func TestConcurrentDatabasesMigrate(t *testing.T) {
	t.Parallel()
	// Roles are per server: migrating several fresh databases at once must not trip on CREATE ROLE.
	for i := 0; i < 4; i++ {
		t.Run("db", func(t *testing.T) {
			t.Parallel()
			pgtest.NewDatabase(t)
		})
	}
}
