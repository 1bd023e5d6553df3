package projections_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/migrations"
	"github.com/caseledger/caseledger/migrations/pgtest"
	"github.com/caseledger/caseledger/projections"
)

// registeredTables returns projection_tables as projector name -> sorted table names.
func registeredTables(tb testing.TB, pool *pgxpool.Pool) map[string][]string {
	tb.Helper()
	rows, err := pool.Query(context.Background(), `SELECT projector, table_name FROM projection_tables
		ORDER BY projector, table_name`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var p, t string
		if err := rows.Scan(&p, &t); err != nil {
			tb.Fatal(err)
		}
		out[p] = append(out[p], t)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// partitions returns every partition (a table, not an index) of the public schema as "parent/partition", sorted.
func partitions(tb testing.TB, pool *pgxpool.Pool) []string {
	tb.Helper()
	rows, err := pool.Query(context.Background(), `SELECT p.relname || '/' || c.relname
		FROM pg_inherits i
		JOIN pg_class c ON c.oid = i.inhrelid
		JOIN pg_class p ON p.oid = i.inhparent
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relispartition AND c.relkind IN ('r', 'p')
		ORDER BY 1`)
	if err != nil {
		tb.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// wantPartitions returns the partitions generation gen of every registered table should have.
func wantPartitions(registry map[string][]string, gen int) []string {
	var out []string
	for _, tables := range registry {
		for _, t := range tables {
			out = append(out, fmt.Sprintf("%s/%s_g%d", t, t, gen))
		}
	}
	sort.Strings(out)
	return out
}

// TestProjectionTablesMatchTheProjectors keeps the registry the checkpoint triggers create
// partitions from equal to what each Go projector says it writes, and checks that every
// read-model table is registered and partitioned by list of generation.
func TestProjectionTablesMatchTheProjectors(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t)
	admin := pgtest.Pool(t, dsn, "")
	registry := registeredTables(t, admin)

	want := map[string][]string{}
	for _, p := range projections.All(nil) {
		tables := append([]string(nil), p.Tables()...)
		sort.Strings(tables)
		want[p.Name()] = tables
	}
	for name, tables := range want {
		if !reflect.DeepEqual(registry[name], tables) {
			t.Errorf("projector %s: Tables() = %v, projection_tables holds %v", name, tables, registry[name])
		}
	}
	for name := range registry {
		if _, ok := want[name]; !ok {
			t.Errorf("projection_tables names projector %s, which projections.All does not have", name)
		}
	}

	registered := map[string]bool{}
	for _, tables := range registry {
		for _, tb := range tables {
			registered[tb] = true
		}
	}
	for _, tb := range readModelTables(t, admin) {
		if !registered[tb] {
			t.Errorf("read-model table %s is in no projector's projection_tables rows", tb)
		}
	}
	for tb := range registered {
		var strategy string
		var key []string
		err := admin.QueryRow(context.Background(), `SELECT pt.partstrat::text, array(
				SELECT a.attname::text FROM unnest(pt.partattrs::int2[]) AS k(attnum)
				JOIN pg_attribute a ON a.attrelid = pt.partrelid AND a.attnum = k.attnum)
			FROM pg_partitioned_table pt WHERE pt.partrelid = to_regclass('public.' || quote_ident($1))`, tb).Scan(&strategy, &key)
		if err != nil {
			t.Errorf("%s: not a partitioned table: %v", tb, err)
			continue
		}
		if strategy != "l" || !reflect.DeepEqual(key, []string{"generation"}) {
			t.Errorf("%s: partitioned by %s %v; want list of generation", tb, strategy, key)
		}
	}
}

// TestRebuildDropsTheOldGenerationsPartitions checks that each generation of a projector has one
// partition per registered table, that retiring a generation drops its partitions, that the
// request role reads through the parent table but cannot select from a partition, and that a
// checkpoint of a projector with no registered tables creates no partition.
func TestRebuildDropsTheOldGenerationsPartitions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	admin := pgtest.Pool(t, e.dsn, "")
	registry := registeredTables(t, admin)
	a := newID()
	c := e.registerClient(t, a, clientDetails("Orla", "Pendergast", "orla@example.org", "1980-02-03", ""))
	e.registerClient(t, newID(), clientDetails("Ines", "Thorvald", "ines@example.org", "1981-04-05", ""))
	catchUp(t, e.dsn, e.engine)

	if got, want := partitions(t, admin), wantPartitions(registry, 1); !reflect.DeepEqual(got, want) {
		t.Fatalf("before the rebuild, partitions %v; want %v", got, want)
	}
	if n := unanalyzed(t, admin); n == 0 {
		t.Fatal("generation 1, filled incrementally, reads as analyzed: the check below could not fail")
	}
	if err := e.engine.Rebuild(ctx, ""); err != nil {
		t.Fatalf("rebuild: %v", err)
	}
	if got, want := partitions(t, admin), wantPartitions(registry, 2); !reflect.DeepEqual(got, want) {
		t.Fatalf("after the rebuild, partitions %v; want %v", got, want)
	}
	if n := unanalyzed(t, admin); n != 0 {
		t.Errorf("%d partitions of the rebuilt generation were switched in without statistics", n)
	}

	reader := pgtest.Pool(t, e.dsn, migrations.RoleReader)
	got, err := rowsAs(t, reader, therapist(a), "rm_clients")
	if err != nil {
		t.Fatalf("read through the parent: %v", err)
	}
	if len(got) != 1 || got[0]["client_id"] != c.String() {
		t.Errorf("through the parent the therapist sees %v; want their one client", got)
	}
	for _, role := range []string{migrations.RoleReader, migrations.RoleApp} {
		pool := reader
		if role == migrations.RoleApp {
			pool = e.app
		}
		_, err := rowsAs(t, pool, therapist(a), "rm_clients_g2")
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
			t.Errorf("%s selecting from a partition directly: %v; want permission denied (42501)", role, err)
		}
	}

	before := partitions(t, admin)
	if _, err := e.app.Exec(ctx, `INSERT INTO projection_checkpoints (name, generation, active, position)
		VALUES ('unregistered_projector', 1, true, $1)`, eventstore.Start.String()); err != nil {
		t.Fatal(err)
	}
	if got := partitions(t, admin); !reflect.DeepEqual(got, before) {
		t.Errorf("a checkpoint of an unregistered projector changed the partitions to %v", got)
	}
	if _, err := e.app.Exec(ctx, `DELETE FROM projection_checkpoints WHERE name = 'unregistered_projector'`); err != nil {
		t.Fatal(err)
	}
	if got := partitions(t, admin); !reflect.DeepEqual(got, before) {
		t.Errorf("deleting a checkpoint of an unregistered projector changed the partitions to %v", got)
	}
}

// unanalyzed counts the read-model partitions never analyzed (pg_class.reltuples is -1 until the
// first ANALYZE or VACUUM).
func unanalyzed(t *testing.T, admin *pgxpool.Pool) int {
	t.Helper()
	var n int
	if err := admin.QueryRow(context.Background(), `SELECT count(*) FROM pg_class
		WHERE relispartition AND relkind = 'r' AND relname LIKE 'rm\_%' AND reltuples < 0`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
