package keyring_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/tink"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/keyring"
	"github.com/caseledger/caseledger/migrations"
	"github.com/caseledger/caseledger/migrations/pgtest"
)

// newKeyring returns a keyring on storage s (fresh when nil) with master m (fresh when nil).
func newKeyring(tb testing.TB, s keyring.Storage, m *keyring.Master, events keyring.EventAppender) *keyring.Keyring {
	tb.Helper()
	if s == nil {
		s = keyring.NewMemoryStorage()
	}
	if m == nil {
		m = newMaster(tb)
	}
	k, err := keyring.New(context.Background(), keyring.Config{Storage: s, Master: m, Events: events})
	if err != nil {
		tb.Fatalf("keyring.New: %v", err)
	}
	tb.Cleanup(k.Close)
	return k
}

func newMaster(tb testing.TB) *keyring.Master {
	tb.Helper()
	m, err := keyring.NewRandomMaster()
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func newID(tb testing.TB) uuid.UUID {
	tb.Helper()
	id, err := uuid.NewV7()
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

// sealed returns an event for subject on stream with payload, sealed by k, as the log records it.
func sealed(tb testing.TB, k *keyring.Keyring, stream eventstore.StreamID, subject uuid.UUID, payload string) eventstore.RecordedEvent {
	tb.Helper()
	e := eventstore.EventData{
		ID:            newID(tb),
		Type:          "NoteAuthored",
		SchemaVersion: 1,
		OccurredAt:    time.Now().UTC(),
		Subject:       subject,
		Payload:       []byte(payload),
	}
	if err := k.Seal(context.Background(), stream, &e); err != nil {
		tb.Fatalf("Seal: %v", err)
	}
	return eventstore.RecordedEvent{EventData: e, StreamID: stream}
}

// pgEnv is one migrated test database with an admin pool for inspection.
type pgEnv struct {
	dsn   string
	admin *pgxpool.Pool
}

func newPG(tb testing.TB) pgEnv {
	tb.Helper()
	dsn := pgtest.NewDatabase(tb)
	return pgEnv{dsn: dsn, admin: pgtest.Pool(tb, dsn, "")}
}

// keyring opens a keyring acting as caseledger_app on its own pool (like a separate process).
func (p pgEnv) keyring(tb testing.TB, m *keyring.Master, events keyring.EventAppender, previous ...*keyring.Master) *keyring.Keyring {
	tb.Helper()
	k, err := p.tryKeyring(tb, m, events, previous...)
	if err != nil {
		tb.Fatalf("keyring.New: %v", err)
	}
	return k
}

func (p pgEnv) tryKeyring(tb testing.TB, m *keyring.Master, events keyring.EventAppender, previous ...*keyring.Master) (*keyring.Keyring, error) {
	tb.Helper()
	pool := pgtest.Pool(tb, p.dsn, migrations.RoleApp)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	k, err := keyring.New(ctx, keyring.Config{
		Storage:  keyring.NewPostgresStorage(pool),
		Master:   m,
		Previous: previous,
		Events:   events,
	})
	if err == nil {
		tb.Cleanup(k.Close)
	}
	return k, err
}

// eventually retries check until it returns nil or 10 seconds pass.
func eventually(tb testing.TB, check func() error) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func newMasterAEAD(tb testing.TB) tink.AEAD {
	tb.Helper()
	h, err := keyset.NewHandle(aead.AES256GCMKeyTemplate())
	if err != nil {
		tb.Fatal(err)
	}
	a, err := aead.New(h)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}
