package keyring_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/pgstore"
	"github.com/caseledger/caseledger/migrations"
	"github.com/caseledger/caseledger/migrations/pgtest"
)

// TestShredLeavesNothingReadable is the proof of crypto-shredding against real PostgreSQL: a
// client's distinctive words go through the real event store, sealed; they appear in no column of
// any table before or after the shred, and after it no key material of the client remains in any
// table.
func TestShredLeavesNothingReadable(t *testing.T) {
	t.Parallel()
	pg := newPG(t)
	ctx := context.Background()
	app := pgtest.Pool(t, pg.dsn, migrations.RoleApp)
	log, err := pgstore.New(ctx, app, pgstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	k := pg.keyring(t, newMaster(t), log)
	subject := newID(t)
	stream := eventstore.StreamID("client-" + subject.String())
	const marker = "Xanthippe Vorderwald-Quist"
	var events []eventstore.EventData
	for i := 0; i < 5; i++ {
		e := eventstore.EventData{
			ID: newID(t), Type: "NoteAuthored", SchemaVersion: 1, OccurredAt: time.Now().UTC().Truncate(time.Microsecond),
			Actor:   eventstore.Actor{UserID: newID(t), Role: string(domain.RoleTherapist)},
			Subject: subject,
			Payload: []byte(fmt.Sprintf(`{"body":"session %d: %s spoke about her brother"}`, i, marker)),
		}
		if err := k.Seal(ctx, stream, &e); err != nil {
			t.Fatal(err)
		}
		events = append(events, e)
	}
	if _, err := log.Append(ctx, stream, eventstore.NoStream(), events...); err != nil {
		t.Fatal(err)
	}
	recs, err := log.ReadStream(ctx, stream, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := k.Open(ctx, recs[0]); err != nil || !bytes.Contains(got, []byte(marker)) {
		t.Fatalf("Open before shred = %q, %v", got, err)
	}
	var wrapped []byte
	if err := pg.admin.QueryRow(ctx, `SELECT wrapped FROM keyring_subject_keys WHERE subject_id = $1`, subject).Scan(&wrapped); err != nil {
		t.Fatal(err)
	}

	if hits := scanDatabase(t, pg.admin, []byte(stream)); !slices.Contains(hits, "public.event_log.stream_id") {
		t.Fatalf("the scan does not find the stream id in the log (found it in %v): it cannot find anything", hits)
	}
	if hits := scanDatabase(t, pg.admin, []byte(marker)); len(hits) > 0 {
		t.Fatalf("before shred, the plaintext is stored in %v", hits)
	}
	if hits := scanDatabase(t, pg.admin, wrapped); len(hits) != 1 || hits[0] != "public.keyring_subject_keys.wrapped" {
		t.Fatalf("before shred, the wrapped keyset is stored in %v, want only the key table", hits)
	}

	if !inTableFile(t, pg.admin, "keyring_subject_keys", wrapped) {
		t.Fatal("the wrapped keyset is not in the key table's file before the shred: the file check cannot fail")
	}

	res, err := k.Shred(ctx, subject, shredRequest(t, subject))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Vacuumed {
		t.Fatalf("key table not vacuumed: %v", res.VacuumErr)
	}
	if hits := scanDatabase(t, pg.admin, []byte(marker)); len(hits) > 0 {
		t.Fatalf("after shred, the plaintext is stored in %v", hits)
	}
	if hits := scanDatabase(t, pg.admin, wrapped); len(hits) > 0 {
		t.Fatalf("after shred, the wrapped keyset is still stored in %v", hits)
	}
	if inTableFile(t, pg.admin, "keyring_subject_keys", wrapped) {
		t.Fatal("after shred, the wrapped keyset's bytes are still in the key table's file")
	}
	var keys int
	if err := pg.admin.QueryRow(ctx, `SELECT count(*) FROM keyring_subject_keys WHERE subject_id = $1`, subject).Scan(&keys); err != nil || keys != 0 {
		t.Fatalf("keyset rows after shred: %d, %v", keys, err)
	}
	// The tombstone holds ids and a time only: no column that could hold key bytes.
	var cols []string
	rows, err := pg.admin.Query(ctx, `SELECT column_name || ':' || data_type FROM information_schema.columns
		WHERE table_name = 'keyring_tombstones' ORDER BY ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	if cols, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(cols) != "[subject_id:uuid request_id:uuid key_ids:ARRAY erased_at:timestamp with time zone]" {
		t.Fatalf("tombstone columns %v", cols)
	}
	// The log still verifies and still holds the ciphertext, which no longer opens.
	recs, err = log.ReadStream(ctx, stream, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 6 || recs[5].Type != "SubjectErased" {
		t.Fatalf("stream after shred: %d events", len(recs))
	}
	if _, err := k.Open(ctx, recs[0]); !errors.Is(err, domain.ErrErased) {
		t.Fatalf("Open after shred = %v, want ErrErased", err)
	}
	if bytes.Contains(recs[5].Payload, []byte(marker)) {
		t.Fatal("SubjectErased holds the plaintext")
	}
	report, err := log.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !report.OK || report.Events != 6 {
		t.Fatalf("log does not verify after shred: %+v", report)
	}
}

// inTableFile reports whether needle is in the main data file of table, after a CHECKPOINT has
// written every dirty page to it. It needs a superuser (pg_read_binary_file).
func inTableFile(tb testing.TB, admin *pgxpool.Pool, table string, needle []byte) bool {
	tb.Helper()
	ctx := context.Background()
	if _, err := admin.Exec(ctx, `CHECKPOINT`); err != nil {
		tb.Fatal(err)
	}
	var found bool
	err := admin.QueryRow(ctx, `SELECT position($1::bytea IN pg_read_binary_file(pg_relation_filepath($2::regclass))) > 0`,
		needle, table).Scan(&found)
	if err != nil {
		tb.Fatal(err)
	}
	return found
}

// scanDatabase returns "schema.table.column" for every column, of any type, of every ordinary or
// partitioned table and materialised view in the database (outside pg_catalog, information_schema
// and TOAST, whose contents the columns already show) that holds needle: as raw bytes in a bytea,
// or in the column's text form either as UTF-8 or as the hex PostgreSQL shows bytea in (so arrays,
// composites and any other type holding bytea are covered too).
func scanDatabase(tb testing.TB, pool *pgxpool.Pool, needle []byte) []string {
	tb.Helper()
	ctx := context.Background()
	rows, err := pool.Query(ctx, `
		SELECT n.nspname, c.relname, a.attname, t.typname
		FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
		JOIN pg_type t ON t.oid = a.atttypid
		WHERE c.relkind IN ('r', 'p', 'm')
		  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`)
	if err != nil {
		tb.Fatal(err)
	}
	type col struct{ schema, table, column, typ string }
	cols, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (col, error) {
		var c col
		return c, r.Scan(&c.schema, &c.table, &c.column, &c.typ)
	})
	if err != nil {
		tb.Fatal(err)
	}
	if len(cols) < 10 {
		tb.Fatalf("the catalogue lists only %d columns to scan", len(cols))
	}
	hexNeedle := []byte(hex.EncodeToString(needle))
	var hits []string
	for _, c := range cols {
		column := pgx.Identifier{c.column}.Sanitize()
		asText := fmt.Sprintf(`convert_to(%s::text, 'UTF8')`, column)
		cond := fmt.Sprintf(`position($1::bytea IN %[1]s) > 0 OR position($2::bytea IN %[1]s) > 0`, asText)
		if c.typ == "bytea" {
			cond = fmt.Sprintf(`position($1::bytea IN %s) > 0`, column)
		}
		q := fmt.Sprintf(`SELECT count(*) FROM %s WHERE %s`, pgx.Identifier{c.schema, c.table}.Sanitize(), cond)
		args := []any{needle}
		if c.typ != "bytea" {
			args = append(args, hexNeedle)
		}
		var n int
		if err := pool.QueryRow(ctx, q, args...).Scan(&n); err != nil {
			tb.Fatalf("scan %s.%s.%s: %v", c.schema, c.table, c.column, err)
		}
		if n > 0 {
			hits = append(hits, c.schema+"."+c.table+"."+c.column)
		}
	}
	return hits
}

// TestScanDatabaseFindsEveryColumnType is the control of scanDatabase: a needle stored in columns
// of many types, arrays, a composite and a materialised view is found in each of them.
func TestScanDatabaseFindsEveryColumnType(t *testing.T) {
	t.Parallel()
	pg := newPG(t)
	ctx := context.Background()
	const needle = "Quirinal Oxleigh-Varnum"
	setup := []string{
		`CREATE TYPE scan_pair AS (label text, blob bytea)`,
		`CREATE TABLE scan_probe (
			n int, t text, v varchar(100), c char(40), j json, jb jsonb, x xml, b bytea,
			ta text[], va varchar[], jba jsonb[], ba bytea[], p scan_pair)`,
		`INSERT INTO scan_probe (n) VALUES (1)`,
		`INSERT INTO scan_probe (t, v, c, j, jb, x, b, ta, va, jba, ba, p) SELECT
			s, s, s, json_build_object('k', s), jsonb_build_object('k', s),
			xmlelement(name k, s), convert_to(s, 'UTF8'), ARRAY[s], ARRAY[s::varchar],
			ARRAY[jsonb_build_object('k', s)], ARRAY[convert_to(s, 'UTF8')],
			ROW('x', convert_to(s, 'UTF8'))::scan_pair
			FROM (SELECT $1::text AS s) needle`,
		`CREATE MATERIALIZED VIEW scan_view AS SELECT t AS copied FROM scan_probe`,
	}
	for i, q := range setup {
		var args []any
		if i == 3 {
			args = []any{needle}
		}
		if _, err := pg.admin.Exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	hits := scanDatabase(t, pg.admin, []byte(needle))
	for _, want := range []string{"t", "v", "c", "j", "jb", "x", "b", "ta", "va", "jba", "ba", "p"} {
		if !slices.Contains(hits, "public.scan_probe."+want) {
			t.Errorf("the scan misses the needle in scan_probe.%s (found it in %v)", want, hits)
		}
	}
	if !slices.Contains(hits, "public.scan_view.copied") {
		t.Errorf("the scan misses the materialised view (found the needle in %v)", hits)
	}
	if slices.Contains(hits, "public.scan_probe.n") {
		t.Error("the scan reports a column that does not hold the needle")
	}
}
