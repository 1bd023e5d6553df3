package keyring_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/keyring"
	"github.com/caseledger/caseledger/migrations"
	"github.com/caseledger/caseledger/migrations/pgtest"
)

func TestPostgresRoundTripAndPersistence(t *testing.T) {
	t.Parallel()
	pg := newPG(t)
	m := newMaster(t)
	a := pg.keyring(t, m, nil)
	subject := newID(t)
	stream := eventstore.StreamID("client-" + subject.String())
	r := sealed(t, a, stream, subject, secret)
	// Another process with the same master opens it from the stored keyset.
	b := pg.keyring(t, m, nil)
	got, err := b.Open(context.Background(), r)
	if err != nil || string(got) != secret {
		t.Fatalf("Open in a second keyring = %q, %v", got, err)
	}
	var n int
	if err := pg.admin.QueryRow(context.Background(), `SELECT count(*) FROM keyring_subject_keys WHERE subject_id = $1`, subject).Scan(&n); err != nil || n != 1 {
		t.Fatalf("keyset rows for subject: %d, %v", n, err)
	}
}

func TestWrongMasterIsRefusedAtStart(t *testing.T) {
	t.Parallel()
	pg := newPG(t)
	m := newMaster(t)
	pg.keyring(t, m, nil)
	// Same id, different key: what a wrong keyset file or passphrase looks like.
	impostor, err := keyring.NewMaster(m.ID(), newMasterAEAD(t), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pg.tryKeyring(t, impostor, nil); !errors.Is(err, keyring.ErrMasterMismatch) {
		t.Fatalf("New with the wrong master = %v, want ErrMasterMismatch", err)
	}
}

func TestWrappedKeysetIsBoundToItsSubject(t *testing.T) {
	t.Parallel()
	pg := newPG(t)
	m := newMaster(t)
	k := pg.keyring(t, m, nil)
	ctx := context.Background()
	victim, attacker := newID(t), newID(t)
	r := sealed(t, k, eventstore.StreamID("client-"+victim.String()), victim, secret)
	_ = sealed(t, k, eventstore.StreamID("client-"+attacker.String()), attacker, "{}")
	// Copy the attacker's wrapped keyset over the victim's row: the master AEAD's associated data
	// (the subject id) no longer matches, so it must not unwrap.
	if _, err := pg.admin.Exec(ctx, `UPDATE keyring_subject_keys v SET wrapped = a.wrapped, key_ids = a.key_ids
		FROM keyring_subject_keys a WHERE v.subject_id = $1 AND a.subject_id = $2`, victim, attacker); err != nil {
		t.Fatal(err)
	}
	fresh := pg.keyring(t, m, nil)
	if _, err := fresh.Open(ctx, r); !errors.Is(err, keyring.ErrDecrypt) {
		t.Fatalf("Open with another subject's keyset = %v, want ErrDecrypt", err)
	}
	e := eventstore.EventData{ID: newID(t), Type: "T", Subject: victim, Payload: []byte("{}")}
	if err := fresh.Seal(ctx, "client-x", &e); !errors.Is(err, keyring.ErrDecrypt) {
		t.Fatalf("Seal with another subject's keyset = %v, want ErrDecrypt", err)
	}
}

func TestKeyTablesArePrivate(t *testing.T) {
	t.Parallel()
	pg := newPG(t)
	k := pg.keyring(t, newMaster(t), nil)
	ctx := context.Background()
	subject := newID(t)
	_ = sealed(t, k, "client-x", subject, "{}")
	if _, err := k.Token(ctx, "client-name", "x"); err != nil {
		t.Fatal(err)
	}
	reader := pgtest.Pool(t, pg.dsn, migrations.RoleReader)
	app := pgtest.Pool(t, pg.dsn, migrations.RoleApp)
	for _, table := range []string{"keyring_subject_keys", "keyring_tombstones", "keyring_practice_keys", "keyring_masters", "keyring_kdf"} {
		t.Run(table, func(t *testing.T) {
			var n int
			err := reader.QueryRow(ctx, fmt.Sprintf(`SELECT count(*) FROM %s`, table)).Scan(&n)
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
				t.Fatalf("caseledger_reader reading %s: %v, want permission denied", table, err)
			}
			if err := app.QueryRow(ctx, fmt.Sprintf(`SELECT count(*) FROM %s`, table)).Scan(&n); err != nil {
				t.Fatalf("caseledger_app reading %s: %v", table, err)
			}
		})
	}
	t.Run("functions", func(t *testing.T) {
		_, err := reader.Exec(ctx, `SELECT keyring_shred($1, $1, now())`, subject)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
			t.Fatalf("caseledger_reader calling keyring_shred: %v, want permission denied", err)
		}
	})
}

func TestConcurrentFirstUseMintsOneKeyset(t *testing.T) {
	t.Parallel()
	pg := newPG(t)
	m := newMaster(t)
	rings := []*keyring.Keyring{pg.keyring(t, m, nil), pg.keyring(t, m, nil), pg.keyring(t, m, nil)}
	subject := newID(t)
	stream := eventstore.StreamID("client-" + subject.String())
	var wg sync.WaitGroup
	recs := make([]eventstore.RecordedEvent, 12)
	for i := range recs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			recs[i] = sealed(t, rings[i%len(rings)], stream, subject, secret)
		}()
	}
	wg.Wait()
	for i, r := range recs {
		for j, k := range rings {
			if _, err := k.Open(context.Background(), r); err != nil {
				t.Fatalf("event %d sealed by keyring %d does not open in keyring %d: %v", i, i%len(rings), j, err)
			}
		}
	}
}
