// Package commands holds one file per command: load the aggregate, authorise the actor, decide,
// append. It declares on its own side the small interfaces it needs from the event log, the keyring
// and the clock.
package commands

import (
	"context"
	"time"

	"github.com/caseledger/caseledger/eventstore"
)

// EventLog is the part of the event store commands use. eventstore.Store satisfies it.
type EventLog interface {
	Append(ctx context.Context, stream eventstore.StreamID, expected eventstore.ExpectedVersion, events ...eventstore.EventData) (eventstore.AppendResult, error)
	ReadStream(ctx context.Context, stream eventstore.StreamID, from uint64, limit int) ([]eventstore.RecordedEvent, error)
}

// Sealer encrypts and decrypts event payloads under their data subject's key. *keyring.Keyring
// satisfies it.
type Sealer interface {
	// Seal encrypts e.Payload in place under e.Subject's key and sets e.KeyID. The associated data
	// binds e.ID, stream, e.Type and e.Subject. It fails with an error matching domain.ErrErased when
	// the subject was shredded.
	Seal(ctx context.Context, stream eventstore.StreamID, e *eventstore.EventData) error
	// Open returns the plaintext payload of e. It fails with an error matching domain.ErrErased when
	// the subject's key was shredded, and with another error when the ciphertext or its associated
	// data was tampered with.
	Open(ctx context.Context, e eventstore.RecordedEvent) ([]byte, error)
}

// Clock tells the time. Tests pass a fixed one.
type Clock interface {
	Now() time.Time
}

// ClockFunc adapts a function to Clock.
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }

// Deps is what every handler is built from.
type Deps struct {
	Log    EventLog
	Sealer Sealer
	Clock  Clock
}
