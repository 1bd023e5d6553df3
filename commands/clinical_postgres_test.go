package commands_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/note"
	"github.com/caseledger/caseledger/eventstore/pgstore"
	"github.com/caseledger/caseledger/keyring"
	"github.com/caseledger/caseledger/migrations"
	"github.com/caseledger/caseledger/migrations/pgtest"
)

// newPostgresClinic is newClinic on a fresh PostgreSQL database: the PostgreSQL event store and
// the PostgreSQL keyring, acting as the application role. It returns the admin URL too.
func newPostgresClinic(tb testing.TB) (*clinic, string) {
	tb.Helper()
	ctx := context.Background()
	url := pgtest.NewDatabase(tb)
	pool := pgtest.Pool(tb, url, migrations.RoleApp)
	store, err := pgstore.New(ctx, pool, pgstore.Config{})
	must(tb, err)
	master, err := keyring.NewRandomMaster()
	must(tb, err)
	keys, err := keyring.New(ctx, keyring.Config{Storage: keyring.NewPostgresStorage(pool), Master: master, Events: store})
	must(tb, err)
	tb.Cleanup(keys.Close)
	clock := &testClock{now: clinicStart}
	return setUpClinic(tb, commands.Deps{Log: store, Sealer: keys, Clock: clock}, clock, store, keys), url
}

// TestPostgresClinicalRecordEndToEnd runs the clinical record's life on PostgreSQL with
// encryption on: registration, consent and the consent check, notes of both kinds, an audited
// read, a transfer, then erasure. At every stage no client name or note text is anywhere in the
// database in plaintext.
func TestPostgresClinicalRecordEndToEnd(t *testing.T) {
	t.Parallel()
	c, url := newPostgresClinic(t)
	ctx := context.Background()

	cl := c.register(t, c.alice)
	c.sign(t, cl, 1)
	d, err := commands.NewConsentCheck(c.deps).Check(ctx, cl, c.service, c.clock.Now())
	must(t, err)
	if !d.Allowed || d.Code != "" {
		t.Fatalf("consent check = %+v", d)
	}
	progress := c.draftSigned(t, c.alice, cl, note.KindProgress)
	psy := c.draftSigned(t, c.alice, cl, note.KindPsychotherapy)
	notes, err := c.readNote(ctx, c.alice, cl, progress, note.KindProgress)
	must(t, err)
	if notes[0].Fields["subjective"] != noteSecret+" v1" {
		t.Fatalf("note read back wrong: %q", notes[0].Fields["subjective"])
	}
	_, err = c.readNote(ctx, c.manager, cl, progress, note.KindProgress)
	wantKind(t, err, domain.KindForbidden, "read_note_forbidden")
	assertNowhere(t, url, secret, noteSecret)

	must(t, commands.NewTransferRecordHandler(c.deps).Handle(ctx, c.dpo, commands.TransferRecord{ClientID: cl, Transfer: client.Transfer{To: c.bob.UserID, Basis: client.TransferByDPO, Reason: "therapist leaving"}}))
	_, err = c.readNote(ctx, c.bob, cl, progress, note.KindProgress)
	must(t, err)
	_, err = c.readNote(ctx, c.bob, cl, psy, note.KindPsychotherapy)
	wantKind(t, err, domain.KindNotFound, "note_not_found")
	_, err = c.readNote(ctx, c.alice, cl, progress, note.KindProgress)
	wantKind(t, err, domain.KindNotFound, "client_not_found")

	req, err := commands.NewRequestErasureHandler(c.deps).Handle(ctx, domain.Actor{UserID: cl, Role: domain.RoleClient}, commands.RequestErasure{ClientID: cl})
	must(t, err)
	must(t, commands.NewDecideErasureHandler(c.deps, keyringShredder(c.keys)).Handle(ctx, c.dpo, commands.DecideErasure{ClientID: cl, RequestID: req, Decision: commands.EraseApprove}))
	_, _, err = commands.LoadClient(ctx, c.deps, cl)
	wantKind(t, err, domain.KindErased, "client_erased")
	assertNowhere(t, url, secret, noteSecret)
}

// assertNowhere fails if any of needles is in plaintext anywhere in the database at url. As a
// control that the scan works, the plaintext event type "ClientRegistered" must be found.
func assertNowhere(tb testing.TB, url string, needles ...string) {
	tb.Helper()
	if len(plaintextColumns(tb, url, "ClientRegistered")) == 0 {
		tb.Fatal("the scan does not find the plaintext event type: it cannot be trusted")
	}
	for _, n := range needles {
		if where := plaintextColumns(tb, url, n); len(where) > 0 {
			tb.Fatalf("%v hold personal data in plaintext", where)
		}
	}
}

// plaintextColumns scans every text, json, jsonb and bytea column of every table in the database
// at url and returns the columns that hold needle.
func plaintextColumns(tb testing.TB, url, needle string) []string {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	must(tb, err)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `
		SELECT quote_ident(c.table_schema) || '.' || quote_ident(c.table_name), quote_ident(c.column_name), c.data_type
		FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
		WHERE t.table_type = 'BASE TABLE' AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
		  AND c.data_type IN ('text', 'character varying', 'json', 'jsonb', 'bytea')`)
	must(tb, err)
	type col struct{ table, column, typ string }
	var cols []col
	for rows.Next() {
		var c col
		must(tb, rows.Scan(&c.table, &c.column, &c.typ))
		cols = append(cols, c)
	}
	must(tb, rows.Err())
	if len(cols) == 0 {
		tb.Fatal("no columns to scan")
	}
	var where []string
	for _, c := range cols {
		cond := fmt.Sprintf("position($1 in %s::text) > 0", c.column)
		if c.typ == "bytea" {
			cond = fmt.Sprintf("position(convert_to($1, 'UTF8') in %s) > 0", c.column)
		}
		var found bool
		must(tb, conn.QueryRow(ctx, fmt.Sprintf("SELECT EXISTS (SELECT 1 FROM %s WHERE %s)", c.table, cond), needle).Scan(&found))
		if found {
			where = append(where, c.table+"."+c.column)
		}
	}
	return where
}
