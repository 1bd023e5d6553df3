package commands

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
)

// readBatch is how many events loadStream reads per round trip.
const readBatch = 1000

// Loaded is a stream read back and decoded: its events in order and the version to pass as the
// expected version of the next append. Exists is false for a stream with no events.
type Loaded struct {
	Events  []domain.Event
	Version uint64
	Exists  bool
}

// Expected returns the expected version that appends only if the stream is still as loaded.
func (l Loaded) Expected() eventstore.ExpectedVersion {
	if !l.Exists {
		return eventstore.NoStream()
	}
	return eventstore.Exact(l.Version)
}

// loadStream reads every event of stream, opens sealed payloads and decodes them with decode.
// A missing stream is not an error: it returns Loaded{Exists: false}. A shredded subject's events
// fail with an error matching domain.ErrErased.
func loadStream(ctx context.Context, d Deps, stream eventstore.StreamID, decode domain.Decoder) (Loaded, error) {
	return (&cachedStream{}).refresh(ctx, d, stream, decode, true)
}

// Envelope is what appendEvents needs besides the events: who acts, whose data it is, and the
// causal chain. A zero Subject leaves the payloads plaintext (for events without personal data).
type Envelope struct {
	Actor         domain.Actor
	Subject       domain.ID
	CorrelationID domain.ID
	CausationID   domain.ID
	// SchemaVersion is stamped on every event; 0 means 1.
	SchemaVersion int
}

// appendEvents encodes events as JSON, seals them under env.Subject's key when it is set, and
// appends them to stream atomically with the expected version. Event ids are fresh UUIDv7s.
func appendEvents(ctx context.Context, d Deps, stream eventstore.StreamID, expected eventstore.ExpectedVersion, env Envelope, events ...domain.Event) (eventstore.AppendResult, error) {
	now := d.Clock.Now().UTC()
	schema := env.SchemaVersion
	if schema == 0 {
		schema = 1
	}
	data := make([]eventstore.EventData, 0, len(events))
	for _, ev := range events {
		payload, err := json.Marshal(ev)
		if err != nil {
			return eventstore.AppendResult{}, fmt.Errorf("encode %s: %w", ev.EventType(), err)
		}
		id, err := uuid.NewV7()
		if err != nil {
			return eventstore.AppendResult{}, fmt.Errorf("event id: %w", err)
		}
		e := eventstore.EventData{
			ID:            id,
			Type:          ev.EventType(),
			SchemaVersion: schema,
			OccurredAt:    now.Truncate(time.Microsecond),
			Actor:         eventstore.Actor{UserID: uuid.UUID(env.Actor.UserID), Role: string(env.Actor.Role)},
			Subject:       uuid.UUID(env.Subject),
			CorrelationID: uuid.UUID(env.CorrelationID),
			CausationID:   uuid.UUID(env.CausationID),
			Payload:       payload,
		}
		if e.CorrelationID == uuid.Nil {
			e.CorrelationID = id
		}
		if e.Subject != uuid.Nil {
			if err := d.Sealer.Seal(ctx, stream, &e); err != nil {
				return eventstore.AppendResult{}, fmt.Errorf("seal %s: %w", e.Type, err)
			}
		}
		data = append(data, e)
	}
	res, err := d.Log.Append(ctx, stream, expected, data...)
	if err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("append %s: %w", stream, err)
	}
	return res, nil
}

// StreamFor returns the stream id "<category>-<id>". Ids carry no personal data.
func StreamFor(category string, id domain.ID) eventstore.StreamID {
	return eventstore.StreamID(category + "-" + id.String())
}
