package eventstore

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Store is the contract every event log implements: PostgreSQL (the default), KurrentDB and the
// in-memory double. Every implementation passes the conformance suite in eventstoretest.
//
// Implementations are safe for concurrent use.
type Store interface {
	// Append writes events to the end of stream, atomically, if the stream's current version
	// satisfies expected. It returns the version of the last event written and its position.
	//
	// Appending events whose ids are all already in the stream at the same versions is idempotent:
	// it succeeds with the original result and writes nothing. Errors: ErrWrongExpectedVersion
	// (as a *WrongExpectedVersionError carrying the actual version), ErrInvalidInput (empty stream id,
	// no events, missing type, payload over MaxPayloadBytes), ErrDuplicateEvent (an event id already
	// used elsewhere in the log).
	Append(ctx context.Context, stream StreamID, expected ExpectedVersion, events ...EventData) (AppendResult, error)

	// ReadStream returns up to limit events of stream with version >= from, in version order.
	// A stream with no events returns ErrStreamNotFound. A from past the end returns an empty slice.
	ReadStream(ctx context.Context, stream StreamID, from uint64, limit int) ([]RecordedEvent, error)

	// ReadAll returns up to limit events strictly after from, in global commit order. An event is
	// never returned after a later-committed one, and no committed event is ever skipped: an event
	// becomes visible to ReadAll only when every event before it in that order is visible too.
	ReadAll(ctx context.Context, from Position, limit int) ([]RecordedEvent, error)

	// Tail calls handle with batches of events strictly after from, in global commit order, then
	// waits for new events (woken by notification, not tight polling) and continues. It returns
	// when ctx is done (with ctx.Err()) or when handle returns an error (with that error).
	// handle is never called concurrently and never with an empty batch.
	Tail(ctx context.Context, from Position, handle func([]RecordedEvent) error) error
}

// StreamID names a stream. It carries no personal data: by convention "<category>-<uuid>",
// such as "client-0190f3c2-...". Valid ids are 1 to 200 bytes of [a-z0-9_.:-].
type StreamID string

// MaxPayloadBytes is the largest payload one event may carry (4 MiB).
const MaxPayloadBytes = 4 << 20

// Actor is who caused an event: a user id and the role they acted in. It never holds a name.
type Actor struct {
	UserID uuid.UUID
	Role   string
}

// EventData is an event as written by a caller. ID should be a UUIDv7 chosen by the caller, so a
// retried append is idempotent.
type EventData struct {
	ID            uuid.UUID
	Type          string
	SchemaVersion int
	OccurredAt    time.Time
	Actor         Actor
	// Subject is the data subject whose key encrypts Payload; uuid.Nil when the payload holds no
	// personal data and is plaintext JSON.
	Subject uuid.UUID
	// KeyID identifies the subject's Tink key that encrypted Payload; 0 when plaintext.
	KeyID         uint32
	CorrelationID uuid.UUID
	CausationID   uuid.UUID
	// Payload is plaintext JSON, or Tink ciphertext when Subject is set.
	Payload []byte
}

// RecordedEvent is an event as stored in the log, with everything the log assigned to it.
type RecordedEvent struct {
	EventData
	StreamID   StreamID
	Version    uint64
	Position   Position
	RecordedAt time.Time
	PrevHash   [32]byte
	Hash       [32]byte
}

// AppendResult is the outcome of a successful Append.
type AppendResult struct {
	// Version is the stream version of the last event written (first event of a stream: 0).
	Version uint64
	// Position is the global position of the last event written.
	Position Position
}
