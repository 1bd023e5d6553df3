package projections_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
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
	return queryStrings(tb, pool, `SELECT p.relname || '/' || c.relname
		FROM pg_inherits i
		JOIN pg_class c ON c.oid = i.inhrelid
		JOIN pg_class p ON p.oid = i.inhparent
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relispartition AND c.relkind IN ('r', 'p')
		ORDER BY 1`)
}

// queryStrings runs a query of one text column on pool and returns its values.
func queryStrings(tb testing.TB, pool *pgxpool.Pool, sql string, args ...any) []string {
	tb.Helper()
	rows, err := pool.Query(context.Background(), sql, args...)
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
	if got := missingIndexes(t, admin, `active`); len(got) != 0 {
		t.Errorf("the rebuilt generation was switched in with indexes missing or extra: %v", got)
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

// missingIndexes lists, as "partition/index", the indexes projection_indexes asks for that the
// partitions of the given generations (name -> generation) do not have, and the indexes of those
// partitions that it does not ask for (the partitions of the parents' primary keys aside).
func missingIndexes(t *testing.T, admin *pgxpool.Pool, where string) []string {
	t.Helper()
	return queryStrings(t, admin, `
		WITH gens AS (SELECT name, generation FROM projection_checkpoints WHERE `+where+`),
		want AS (
			SELECT p.table_name || '_g' || g.generation AS part,
			       p.table_name || '_g' || g.generation || '_' || x.index_name AS idx
			  FROM gens g JOIN projection_tables p ON p.projector = g.name
			  JOIN projection_indexes x ON x.table_name = p.table_name),
		have AS (
			SELECT c.relname AS part, i.relname AS idx
			  FROM gens g JOIN projection_tables p ON p.projector = g.name
			  JOIN pg_class c ON c.relname = p.table_name || '_g' || g.generation
			  JOIN pg_index x ON x.indrelid = c.oid
			  JOIN pg_class i ON i.oid = x.indexrelid
			 WHERE NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = x.indexrelid))
		SELECT 'missing ' || coalesce(w.part, h.part) || '/' || coalesce(w.idx, h.idx)
		  FROM want w FULL JOIN have h ON h.idx = w.idx
		 WHERE w.idx IS NULL OR h.idx IS NULL
		ORDER BY 1`)
}

// TestSecondaryIndexesAreBuiltOnceAGenerationIsFilled checks the life of the read models'
// secondary indexes: the parent tables keep only unique keys (anything else would be maintained
// row by row through every rebuild), an active generation's partitions get every index
// projection_indexes lists as soon as they are created, an inactive (rebuilding) generation's get
// none until projection_partitions_finish builds them or the generation is switched in, and a
// rebuild switches in a generation that has them all.
func TestSecondaryIndexesAreBuiltOnceAGenerationIsFilled(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	admin := pgtest.Pool(t, dsn, "")
	app := pgtest.Pool(t, dsn, migrations.RoleApp)

	parentIndexes := queryStrings(t, admin, `SELECT i.indexrelid::regclass::text FROM pg_index i
		JOIN pg_class c ON c.oid = i.indrelid
		WHERE c.relkind = 'p' AND c.relname LIKE 'rm\_%' AND NOT i.indisunique ORDER BY 1`)
	if len(parentIndexes) != 0 {
		t.Errorf("non-unique indexes on read-model parent tables %v: list them in projection_indexes instead", parentIndexes)
	}
	unknown := queryStrings(t, admin, `SELECT x.table_name FROM projection_indexes x
		WHERE NOT EXISTS (SELECT 1 FROM projection_tables p WHERE p.table_name = x.table_name)`)
	if len(unknown) != 0 {
		t.Errorf("projection_indexes names tables no projector has: %v", unknown)
	}

	insertGeneration1(t, app, "audit", true)
	if got := missingIndexes(t, admin, `name = 'audit'`); len(got) != 0 {
		t.Errorf("active generation created with indexes missing or extra: %v", got)
	}
	insertGeneration1(t, app, "notes", false)
	insertGeneration1(t, app, "clients", false)
	if got := missingIndexes(t, admin, `name IN ('notes', 'clients')`); len(got) == 0 {
		t.Error("inactive generations were created with their secondary indexes: a rebuild would maintain them row by row")
	}
	if _, err := app.Exec(ctx, `SELECT projection_partitions_finish('notes', 1)`); err != nil {
		t.Fatalf("finish as %s: %v", migrations.RoleApp, err)
	}
	if got := missingIndexes(t, admin, `name = 'notes'`); len(got) != 0 {
		t.Errorf("after projection_partitions_finish: %v", got)
	}
	if _, err := app.Exec(ctx, `UPDATE projection_checkpoints SET active = true WHERE name = 'clients'`); err != nil {
		t.Fatal(err)
	}
	if got := missingIndexes(t, admin, `name = 'clients'`); len(got) != 0 {
		t.Errorf("a generation switched in without finishing lacks: %v", got)
	}
	for _, role := range []string{migrations.RoleReader, migrations.RoleApp} {
		pool := app
		if role == migrations.RoleReader {
			pool = pgtest.Pool(t, dsn, role)
		}
		var pgErr *pgconn.PgError
		_, err := pool.Exec(ctx, `SELECT projection_partitions_index('notes', 1)`)
		if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
			t.Errorf("%s calling projection_partitions_index: %v; want permission denied (42501)", role, err)
		}
	}
}

// TestFinishSamplesStatisticsCheaply checks the settings projection_partitions_finish runs with
// (migration 0035): a rebuilt generation is analyzed with statistics target 10, so a column of 15
// distinct values gets a histogram of at most 11 bounds (the server's target, 100, would keep all
// 15), and its indexes are built without parallel workers.
func TestFinishSamplesStatisticsCheaply(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	admin := pgtest.Pool(t, e.dsn, "")
	for i := range 15 {
		e.registerClient(t, newID(), clientDetails("Given", fmt.Sprint("Family", i), fmt.Sprintf("c%d@example.org", i), "1980-02-03", ""))
	}
	catchUp(t, e.dsn, e.engine)
	if err := e.engine.Rebuild(ctx, "audit"); err != nil {
		t.Fatalf("rebuild: %v", err)
	}
	var bounds int
	if err := admin.QueryRow(ctx, `SELECT coalesce(array_length(histogram_bounds::text::bigint[], 1), 0) FROM pg_stats
		WHERE tablename = 'rm_audit_trail_g2' AND attname = 'seq'`).Scan(&bounds); err != nil {
		t.Fatalf("statistics of the rebuilt audit trail: %v", err)
	}
	if bounds < 2 || bounds > 11 {
		t.Errorf("the rebuilt audit trail's seq histogram has %d bounds; want 2 to 11 (statistics target 10)", bounds)
	}
	var settings []string
	if err := admin.QueryRow(ctx, `SELECT proconfig FROM pg_proc WHERE proname = 'projection_partitions_finish'`).Scan(&settings); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(settings, "max_parallel_maintenance_workers=0") {
		t.Errorf("projection_partitions_finish runs with %v; want max_parallel_maintenance_workers=0 among them", settings)
	}
}

// TestRebuildingPartitionsAreSealedBeforeUse checks the life of a generation's protection
// (migration 0037): an active generation's partitions are created sealed (row-level security on
// and forced, no grant for the request or application roles); a rebuilding generation's are
// created open to caseledger_app alone, so that its rows go in by COPY, and take a sealed state in
// projection_partitions_finish, or at the latest when the generation is switched in. While open,
// the request role still cannot read them.
func TestRebuildingPartitionsAreSealedBeforeUse(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	admin := pgtest.Pool(t, dsn, "")
	app := pgtest.Pool(t, dsn, migrations.RoleApp)
	reader := pgtest.Pool(t, dsn, migrations.RoleReader)

	// state is, per partition of projector name, "sealed", or what is open about it.
	state := func(name string) map[string]string {
		t.Helper()
		rows, err := admin.Query(ctx, `SELECT c.relname,
			CASE WHEN c.relrowsecurity AND c.relforcerowsecurity
			      AND NOT has_table_privilege($2, c.oid, 'SELECT,INSERT,UPDATE,DELETE')
			      AND NOT has_table_privilege($3, c.oid, 'SELECT,INSERT,UPDATE,DELETE')
			     THEN 'sealed'
			     ELSE format('rls=%s app_insert=%s reader_select=%s', c.relrowsecurity,
			                 has_table_privilege($2, c.oid, 'INSERT'), has_table_privilege($3, c.oid, 'SELECT')) END
			FROM projection_tables p JOIN pg_class c ON c.relname = p.table_name || '_g1'
			WHERE p.projector = $1 ORDER BY 1`, name, migrations.RoleApp, migrations.RoleReader)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for rows.Next() {
			var rel, st string
			if err := rows.Scan(&rel, &st); err != nil {
				t.Fatal(err)
			}
			out[rel] = st
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if len(out) == 0 {
			t.Fatalf("projector %s has no partitions", name)
		}
		return out
	}
	expect := func(name, want string) {
		t.Helper()
		for rel, got := range state(name) {
			if got != want {
				t.Errorf("%s: %s; want %s", rel, got, want)
			}
		}
	}

	insertGeneration1(t, app, "audit", true)
	expect("audit", "sealed")

	insertGeneration1(t, app, "notes", false)
	insertGeneration1(t, app, "clients", false)
	expect("notes", "rls=f app_insert=t reader_select=f")
	copyInto := func(table string) error {
		t.Helper()
		c, err := app.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Release()
		_, err = c.Conn().PgConn().CopyFrom(ctx, strings.NewReader(""), "COPY "+table+" (generation) FROM STDIN")
		return err
	}
	if err := copyInto("rm_notes_g1"); err != nil {
		t.Errorf("COPY into a rebuilding partition: %v", err)
	}
	if err := copyInto("rm_audit_caseload_g1"); err == nil {
		t.Error("COPY into an active generation's partition was accepted")
	}
	if _, err := reader.Exec(ctx, `SELECT * FROM rm_notes_g1`); err == nil {
		t.Error("the request role read a rebuilding partition directly")
	}
	if _, err := app.Exec(ctx, `SELECT projection_partitions_finish('notes', 1)`); err != nil {
		t.Fatal(err)
	}
	expect("notes", "sealed")
	if _, err := app.Exec(ctx, `UPDATE projection_checkpoints SET active = true WHERE name = 'clients'`); err != nil {
		t.Fatal(err)
	}
	expect("clients", "sealed")
	var pgErr *pgconn.PgError
	if _, err := app.Exec(ctx, `SELECT projection_partitions_seal('notes', 1)`); !errors.As(err, &pgErr) || pgErr.Code != "42501" {
		t.Errorf("%s calling projection_partitions_seal: %v; want permission denied (42501)", migrations.RoleApp, err)
	}
}

// TestIndexBuildsTakeOnlyListedIndexes checks the functions a rebuild's finish builds indexes
// with, side by side (migration 0038): the list names exactly the indexes a generation's
// partitions lack, a build makes one of them, and caseledger_app cannot make them build anything
// projection_indexes does not list for that projector; the request role cannot call them at all.
func TestIndexBuildsTakeOnlyListedIndexes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	app := pgtest.Pool(t, dsn, migrations.RoleApp)
	reader := pgtest.Pool(t, dsn, migrations.RoleReader)
	insertGeneration1(t, app, "audit", false)
	want := []string{"rm_audit_caseload.therapist", "rm_audit_trail.actor", "rm_audit_trail.erasure", "rm_audit_trail.seq", "rm_audit_trail.subject", "rm_audit_trail.time"}
	if got := unindexedGeneration1(t, app, "audit"); !slices.Equal(got, want) {
		t.Fatalf("unindexed %v; want %v", got, want)
	}
	if _, err := app.Exec(ctx, `SELECT projection_partitions_build_index('audit', 1, 'rm_audit_trail', 'actor')`); err != nil {
		t.Fatal(err)
	}
	if got := unindexedGeneration1(t, app, "audit"); slices.Contains(got, "rm_audit_trail.actor") || len(got) != len(want)-1 {
		t.Fatalf("after building rm_audit_trail.actor: %v", got)
	}
	for _, args := range [][]any{
		{"audit", 1, "rm_audit_trail", "nothing"},
		{"audit", 1, "rm_notes", "client"},
		{"audit", 1, "rm_audit_trail; DROP TABLE rm_notes", "actor"},
		{"audit", 2, "rm_audit_trail", "actor"},
	} {
		if _, err := app.Exec(ctx, `SELECT projection_partitions_build_index($1, $2, $3, $4)`, args...); err == nil {
			t.Errorf("build_index%v was accepted", args)
		}
	}
	var pgErr *pgconn.PgError
	if _, err := reader.Exec(ctx, `SELECT projection_partitions_build_index('audit', 1, 'rm_audit_trail', 'seq')`); !errors.As(err, &pgErr) || pgErr.Code != "42501" {
		t.Errorf("%s calling projection_partitions_build_index: %v; want permission denied (42501)", migrations.RoleReader, err)
	}
}

// insertGeneration1 inserts generation 1 of projector name's checkpoint, active or not, which
// creates its partitions.
func insertGeneration1(tb testing.TB, app *pgxpool.Pool, name string, active bool) {
	tb.Helper()
	if _, err := app.Exec(context.Background(), `INSERT INTO projection_checkpoints (name, generation, active, position)
		VALUES ($1, 1, $2, $3)`, name, active, eventstore.Start.String()); err != nil {
		tb.Fatal(err)
	}
}

// TestClientIndexesOfARebuildingGeneration checks the function a rebuild calls before writing a
// batch that finds rows by client (migration 0039): it builds the listed indexes of that table
// whose key starts with client_id or subject_id, and no other; it does nothing for a table whose
// primary key serves (none listed) or a generation without partitions; the request role cannot
// call it.
func TestClientIndexesOfARebuildingGeneration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	app := pgtest.Pool(t, dsn, migrations.RoleApp)
	reader := pgtest.Pool(t, dsn, migrations.RoleReader)
	insertGeneration1(t, app, "audit", false)
	insertGeneration1(t, app, "appointments", false)
	for _, args := range [][]any{{"audit", 1, "rm_audit_trail"}, {"audit", 1, "rm_audit_caseload"}, {"appointments", 1, "rm_appointments"}, {"appointments", 7, "rm_appointments"}} {
		if _, err := app.Exec(ctx, `SELECT projection_partitions_index_clients($1, $2, $3)`, args...); err != nil {
			t.Fatalf("index_clients%v: %v", args, err)
		}
	}
	if got, want := unindexedGeneration1(t, app, "audit"), []string{"rm_audit_caseload.therapist", "rm_audit_trail.actor", "rm_audit_trail.seq", "rm_audit_trail.time"}; !slices.Equal(got, want) {
		t.Errorf("audit still lacks %v; want %v (subject and erasure built)", got, want)
	}
	if got, want := unindexedGeneration1(t, app, "appointments"), []string{"rm_appointments.calendar"}; !slices.Equal(got, want) {
		t.Errorf("appointments still lacks %v; want %v (client built)", got, want)
	}
	var pgErr *pgconn.PgError
	if _, err := reader.Exec(ctx, `SELECT projection_partitions_index_clients('audit', 1, 'rm_audit_trail')`); !errors.As(err, &pgErr) || pgErr.Code != "42501" {
		t.Errorf("%s calling projection_partitions_index_clients: %v; want permission denied (42501)", migrations.RoleReader, err)
	}
}

// unindexedGeneration1 lists, as "table.index", the secondary indexes generation 1 of projector
// name still lacks (projection_partitions_unindexed).
func unindexedGeneration1(tb testing.TB, app *pgxpool.Pool, name string) []string {
	tb.Helper()
	return queryStrings(tb, app, `SELECT table_name || '.' || index_name FROM projection_partitions_unindexed($1, 1)`, name)
}

// TestFinishRefusesADuplicateKeyOfAnInsertOnlyTable checks the tables whose keys are unique
// indexes built after a rebuild's fill (migration 0040): a duplicate that got into the filling
// generation fails its finish, so the generation is never switched in, while the same rows
// without the duplicate finish with the key unique.
func TestFinishRefusesADuplicateKeyOfAnInsertOnlyTable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	app := pgtest.Pool(t, dsn, migrations.RoleApp)
	insertGeneration1(t, app, "practice_reports", false)
	appointment, therapist, client := newID(), newID(), newID()
	if _, err := app.Exec(ctx, `INSERT INTO rm_practice_session_subjects (generation, appointment_id, client_id)
		VALUES (1, $1, $2), (1, $1, $2)`, appointment, client); err != nil {
		t.Fatalf("a filling generation refused a duplicate at once (its key would be maintained row by row): %v", err)
	}
	_, err := app.Exec(ctx, `SELECT projection_partitions_finish('practice_reports', 1)`)
	if pgErr := (*pgconn.PgError)(nil); !errors.As(err, &pgErr) || pgErr.Code != "23505" {
		t.Fatalf("finish of a generation holding a duplicate key: %v; want unique_violation", err)
	}
	if _, err := app.Exec(ctx, `DELETE FROM rm_practice_session_subjects WHERE ctid = (
		SELECT max(ctid) FROM rm_practice_session_subjects_g1)`); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Exec(ctx, `INSERT INTO rm_practice_sessions (generation, appointment_id, therapist_id, service_type_id,
		starts_at, minutes, status) VALUES (1, $1, $2, $2, now(), 50, 'booked')`, appointment, therapist); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Exec(ctx, `SELECT projection_partitions_finish('practice_reports', 1)`); err != nil {
		t.Fatalf("finish without the duplicate: %v", err)
	}
	if got := unindexedGeneration1(t, app, "practice_reports"); len(got) != 0 {
		t.Errorf("finished generation lacks %v", got)
	}
}

// failingReads is a store whose ReadAll fails from its failAt-th call on.
type failingReads struct {
	eventstore.Store
	calls, failAt int
	mu            sync.Mutex
}

var errReadFailed = errors.New("read failed (test)")

func (f *failingReads) ReadAll(ctx context.Context, from eventstore.Position, limit int) ([]eventstore.RecordedEvent, error) {
	f.mu.Lock()
	f.calls++
	fail := f.calls >= f.failAt
	f.mu.Unlock()
	if fail {
		return nil, errReadFailed
	}
	return f.Store.ReadAll(ctx, from, limit)
}

// TestRebuildThatCannotReadTheLogSwitchesNothingIn: when the log cannot be read to its end, the
// rebuild fails, every projector keeps its active generation, and the incomplete generation is
// neither indexed nor switched in (the next rebuild deletes it).
func TestRebuildThatCannotReadTheLogSwitchesNothingIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	admin := pgtest.Pool(t, e.dsn, "")
	for range 3 {
		e.registerClient(t, newID(), clientDetails("Orla", "Pendergast", "orla@example.org", "1980-02-03", ""))
	}
	catchUp(t, e.dsn, e.engine)
	active := func() []string {
		return queryStrings(t, admin, `SELECT name || '/' || generation FROM projection_checkpoints WHERE active ORDER BY 1`)
	}
	before := active()

	store := &failingReads{Store: e.store, failAt: 2}
	engine, err := projections.New(projections.Config{Store: store, Pool: e.app, Projectors: projections.All(e.keys), RebuildBatch: 2})
	if err != nil {
		t.Fatal(err)
	}
	if err := engine.Rebuild(ctx, ""); !errors.Is(err, errReadFailed) {
		t.Fatalf("rebuild over a failing read: %v; want the read's error", err)
	}
	if store.calls < 2 {
		t.Fatalf("the log was read %d times: the failure came before any batch was applied", store.calls)
	}
	if got := active(); !reflect.DeepEqual(got, before) {
		t.Errorf("active generations %v after the failed rebuild; want %v", got, before)
	}
	var indexes int
	if err := admin.QueryRow(ctx, `SELECT count(*) FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid
		WHERE c.relname LIKE 'rm\_%\_g2'
		  AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = x.indexrelid)`).Scan(&indexes); err != nil {
		t.Fatal(err)
	}
	if indexes != 0 {
		t.Errorf("the incomplete generation got %d of the indexes built after the fill", indexes)
	}
	if err := e.engine.Rebuild(ctx, ""); err != nil {
		t.Fatalf("the next rebuild: %v", err)
	}
	if got := missingIndexes(t, admin, `active`); len(got) != 0 {
		t.Errorf("the next rebuild switched in a generation with indexes missing or extra: %v", got)
	}
}
