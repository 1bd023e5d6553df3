package main_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/pgstore"
	"github.com/caseledger/caseledger/migrations"
	"github.com/caseledger/caseledger/migrations/pgtest"
)

// appendPlain appends n plaintext events to a fresh stream and returns the stream id and the ids
// of the events.
func appendPlain(tb testing.TB, store *pgstore.Store, n int) (eventstore.StreamID, []uuid.UUID) {
	tb.Helper()
	stream := eventstore.StreamID("test-" + uuid.NewString())
	var ids []uuid.UUID
	var evs []eventstore.EventData
	for i := 0; i < n; i++ {
		id := uuid.Must(uuid.NewV7())
		ids = append(ids, id)
		evs = append(evs, eventstore.EventData{
			ID: id, Type: "TestHappened", SchemaVersion: 1, OccurredAt: time.Now().UTC(),
			Actor:   eventstore.Actor{UserID: uuid.New(), Role: "system"},
			Payload: []byte(`{"n":` + string(rune('0'+i)) + `}`),
		})
	}
	if _, err := store.Append(context.Background(), stream, eventstore.NoStream(), evs...); err != nil {
		tb.Fatalf("append: %v", err)
	}
	return stream, ids
}

func TestVerifyCommand(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t)
	store, err := pgstore.New(context.Background(), pgtest.Pool(t, dsn, migrations.RoleApp), pgstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"CASELEDGER_DATABASE_URL": dsn, "CASELEDGER_DATA_DIR": t.TempDir()}

	t.Run("empty log verifies", func(t *testing.T) {
		code, stdout, stderr := dispatch(t, vars, "verify")
		if code != 0 || !strings.Contains(stdout, "0 streams, 0 events") || !strings.Contains(stdout, "OK") {
			t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
		}
	})

	t.Run("needs no master key", func(t *testing.T) {
		noKey := map[string]string{"CASELEDGER_MASTER_KEY": "passphrase-env:CASELEDGER_TEST_UNSET_PASSPHRASE"}
		for k, v := range vars {
			noKey[k] = v
		}
		if code, stdout, stderr := dispatch(t, noKey, "verify"); code != 0 {
			t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
		}
	})

	t.Run("an unmigrated database is an error, and stays unmigrated", func(t *testing.T) {
		empty := pgtest.NewEmptyDatabase(t)
		code, _, stderr := dispatch(t, map[string]string{"CASELEDGER_DATABASE_URL": empty, "CASELEDGER_DATA_DIR": t.TempDir()}, "verify")
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s", code, stderr)
		}
		var tables int
		if err := pgtest.Pool(t, empty, "").QueryRow(context.Background(),
			`SELECT count(*) FROM pg_tables WHERE tablename = 'event_log'`).Scan(&tables); err != nil {
			t.Fatal(err)
		}
		if tables != 0 {
			t.Fatal("verify migrated the database")
		}
	})

	appendPlain(t, store, 3)
	victim, ids := appendPlain(t, store, 4)

	t.Run("intact log verifies", func(t *testing.T) {
		code, stdout, stderr := dispatch(t, vars, "verify")
		if code != 0 || !strings.Contains(stdout, "2 streams, 7 events") || !strings.Contains(stdout, "hash chains: OK") {
			t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
		}
	})

	t.Run("an altered event fails naming it", func(t *testing.T) {
		admin := pgtest.Pool(t, dsn, "")
		ctx := context.Background()
		tamper := []string{
			`ALTER TABLE event_log DISABLE TRIGGER event_log_no_update_delete`,
			`UPDATE event_log SET payload = '{"n":"forged"}' WHERE stream_id = '` + string(victim) + `' AND version = 2`,
			`ALTER TABLE event_log ENABLE TRIGGER event_log_no_update_delete`,
		}
		for _, q := range tamper {
			if _, err := admin.Exec(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		code, stdout, stderr := dispatch(t, vars, "verify")
		if code != 1 {
			t.Fatalf("exit %d, want 1\nstdout: %s\nstderr: %s", code, stdout, stderr)
		}
		for _, want := range []string{string(victim), "version 2", ids[2].String()} {
			if !strings.Contains(stderr, want) || !strings.Contains(stdout, want) {
				t.Errorf("output does not name %q\nstdout: %s\nstderr: %s", want, stdout, stderr)
			}
		}
	})

	t.Run("unreadable checkpoint file", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "checkpoints.json")
		if err := os.WriteFile(bad, []byte("not json"), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, file := range []string{bad, filepath.Join(t.TempDir(), "missing.json")} {
			if code, stdout, stderr := dispatch(t, vars, "verify", "--against", file); code != 1 {
				t.Fatalf("--against %s: exit %d, want 1\nstdout: %s\nstderr: %s", file, code, stdout, stderr)
			}
		}
	})
}
