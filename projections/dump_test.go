package projections_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/caseledger/caseledger/migrations/pgtest"
)

// TestDatabaseHoldsNoClientPlaintext seeds clients with distinctive names, emails, dates of birth
// and appointment locations, projects them, and scans every text, json and bytea column of every
// table of the database (the event log, the keys' tables, the read models, the checkpoints) for
// them: none may appear, in any case.
func TestDatabaseHoldsNoClientPlaintext(t *testing.T) {
	t.Parallel()
	s := seed(t)
	e := s.e
	c := e.registerClient(t, s.a, clientDetails("Zebulon", "Oyelaran-Pike", "zebulon.op@example.net", "1969-11-23", "+44 7700 900123"))
	e.book(t, s.a, c, newID(), at, "Lighthouse Suite Kirkwall")
	catchUp(t, e.dsn, e.engine)
	// The seed must be readable back through the Reader, or the scan below proves nothing.
	got, err := e.reader.Client(context.Background(), therapist(s.a), c)
	if err != nil || got.Details.FamilyName != "Oyelaran-Pike" {
		t.Fatalf("seeded client not readable: %v %+v", err, got.Details.FamilyName)
	}

	secrets := []string{"Quintessa", "Vandersloot", "q00@example.org", "Zebulon", "Oyelaran", "zebulon.op@example.net",
		"1969-11-23", "7700 900123", "Lighthouse Suite", "Marrowfield", "Ravensworth", "transference", "hygiene"}
	admin := pgtest.Pool(t, e.dsn, "")
	ctx := context.Background()
	rows, err := admin.Query(ctx, `SELECT table_name, column_name, data_type FROM information_schema.columns
		WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'bytea', 'ARRAY')`)
	if err != nil {
		t.Fatal(err)
	}
	type column struct{ table, name, typ string }
	var cols []column
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.table, &c.name, &c.typ); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	rows.Close()
	if len(cols) < 10 {
		t.Fatalf("only %d columns to scan", len(cols))
	}
	scanned := 0
	for _, c := range cols {
		col := pgx.Identifier{c.name}.Sanitize()
		cond := fmt.Sprintf(`strpos(lower(%s::text), lower($1)) > 0`, col)
		if c.typ == "bytea" {
			cond = fmt.Sprintf(`position(convert_to($1, 'UTF8') IN %[1]s) > 0 OR position(convert_to(lower($1), 'UTF8') IN %[1]s) > 0
				OR position(convert_to(upper($1), 'UTF8') IN %[1]s) > 0`, col)
		}
		for _, secret := range secrets {
			var n int
			q := fmt.Sprintf(`SELECT count(*) FROM %s WHERE %s`, pgx.Identifier{c.table}.Sanitize(), cond)
			if err := admin.QueryRow(ctx, q, secret).Scan(&n); err != nil {
				t.Fatalf("scan %s.%s: %v", c.table, c.name, err)
			}
			if n > 0 {
				t.Errorf("%s.%s holds %q in %d rows", c.table, c.name, secret, n)
			}
		}
		scanned++
	}
	// The scan itself must be able to see plaintext: a plaintext probe must be found.
	var probe int
	if err := admin.QueryRow(ctx, `SELECT count(*) FROM rm_audit_trail WHERE strpos(lower(stream_id), 'client-') > 0`).Scan(&probe); err != nil || probe == 0 {
		t.Fatalf("the scan's probe found nothing (%v): the scan is broken", err)
	}
	t.Logf("scanned %d columns for %d strings", scanned, len(secrets))
}
