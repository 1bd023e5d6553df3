package keyring_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/keyring"
)

// newMemoryKeyring returns a keyring on storage s (fresh when nil) with master m (fresh when nil).
func newMemoryKeyring(tb testing.TB, s keyring.Storage, m *keyring.Master, events keyring.EventAppender) *keyring.Keyring {
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
