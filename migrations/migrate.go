// Package migrations holds the ordered SQL migrations of the Caseledger database, embedded in the
// binary, and the runner that applies them.
//
// Files are named NNNN_description.sql and applied in name order, each in its own transaction, and
// recorded by name in schema_migrations. Number ranges are reserved per area so that parallel work
// never collides: 0001-0009 foundation and event log, 0010-0019 keyring, 0020-0029 domain and
// scheduling, 0030-0049 read models, 0050-0059 API and sign-in, 0060-0069 SAR, erasure and audit.
package migrations

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"

	"github.com/jackc/pgx/v5"
)

//go:embed *.sql
var files embed.FS

// lockKey is the advisory lock that serialises concurrent migration runs on one database.
const lockKey = 0x6361_73656c_6467 // "caseledg"

// Names returns the embedded migration names in the order Apply applies them.
func Names() []string {
	entries, _ := fs.Glob(files, "*.sql")
	sort.Strings(entries)
	return entries
}

// Apply applies every embedded migration not yet recorded in schema_migrations, in order, each in
// its own transaction, and returns the names it applied. It is safe to call concurrently from
// several processes: an advisory lock serialises them. conn must belong to a role allowed to create
// roles and tables (the database owner or a superuser).
func Apply(ctx context.Context, conn *pgx.Conn) ([]string, error) { return applyAllBut(ctx, conn, nil) }

// applyAllBut is Apply of every migration but those named in later: what a database of an
// earlier release holds, for the tests of upgrades.
func applyAllBut(ctx context.Context, conn *pgx.Conn, later map[string]bool) ([]string, error) {
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(lockKey)); err != nil {
		return nil, fmt.Errorf("migrate: lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, int64(lockKey))

	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name text PRIMARY KEY,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return nil, fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	done := map[string]bool{}
	rows, err := conn.Query(ctx, `SELECT name FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("migrate: read schema_migrations: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("migrate: read schema_migrations: %w", err)
	}
	for _, n := range names {
		done[n] = true
	}

	var applied []string
	for _, name := range Names() {
		if done[name] || later[name] {
			continue
		}
		body, err := files.ReadFile(name)
		if err != nil {
			return applied, fmt.Errorf("migrate %s: %w", name, err)
		}
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (name) VALUES ($1)`, name)
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("migrate %s: %w", name, err)
		}
		applied = append(applied, name)
	}
	return applied, nil
}
