package eventstore

import (
	"fmt"
	"math"

	"github.com/google/uuid"
)

// Limits on the envelope fields, checked by ValidateAppend before anything is written.
const (
	// MaxStreamIDBytes is the longest stream id.
	MaxStreamIDBytes = 200
	// MaxTypeBytes is the longest event type.
	MaxTypeBytes = 200
	// MaxRoleBytes is the longest actor role.
	MaxRoleBytes = 64
	// MaxAppendEvents is the most events one Append may write.
	MaxAppendEvents = 10000
)

// InvalidInputError says which part of an Append was refused and why. errors.Is(err,
// ErrInvalidInput) holds for it. Its message names fields and indexes, never their contents beyond
// lengths, so it is safe to log.
type InvalidInputError struct {
	// Code is stable and machine-readable, such as "invalid_stream_id" or "payload_too_large".
	Code string
	// Index is the position of the offending event in the batch, or -1 for the stream id or batch.
	Index int
	// Reason explains the refusal in words.
	Reason string
}

func (e *InvalidInputError) Error() string {
	if e.Index >= 0 {
		return fmt.Sprintf("%s: event %d: %s: %v", e.Code, e.Index, e.Reason, ErrInvalidInput)
	}
	return fmt.Sprintf("%s: %s: %v", e.Code, e.Reason, ErrInvalidInput)
}

func (e *InvalidInputError) Unwrap() error { return ErrInvalidInput }

func invalid(code string, index int, format string, args ...any) error {
	return &InvalidInputError{Code: code, Index: index, Reason: fmt.Sprintf(format, args...)}
}

// Validate returns nil when s is 1 to MaxStreamIDBytes bytes of [a-z0-9_.:-], and an
// *InvalidInputError with code "invalid_stream_id" otherwise.
func (s StreamID) Validate() error {
	if len(s) == 0 || len(s) > MaxStreamIDBytes {
		return invalid("invalid_stream_id", -1, "stream id must be 1 to %d bytes, got %d", MaxStreamIDBytes, len(s))
	}
	for i := 0; i < len(s); i++ {
		if !streamByte(s[i]) {
			return invalid("invalid_stream_id", -1, "stream id byte %d is not one of [a-z0-9_.:-]", i)
		}
	}
	return nil
}

// ValidateAppend checks an Append's stream id and events as every Store does before writing:
// a valid stream id; 1 to MaxAppendEvents events; each with a non-nil id unique in the batch,
// a type of 1 to MaxTypeBytes bytes of [A-Za-z0-9_.:/-], a schema version from 0 to 2^31-1,
// an occurred-at time in years 1 to 9999, an actor role of at most MaxRoleBytes bytes of
// [a-z0-9_.:-], and a payload of at most MaxPayloadBytes. It returns the first violation as an
// *InvalidInputError.
func ValidateAppend(stream StreamID, events []EventData) error {
	if err := stream.Validate(); err != nil {
		return err
	}
	if len(events) == 0 {
		return invalid("no_events", -1, "an append needs at least one event")
	}
	if len(events) > MaxAppendEvents {
		return invalid("too_many_events", -1, "an append takes at most %d events, got %d", MaxAppendEvents, len(events))
	}
	var seen map[uuid.UUID]struct{} // only batches can repeat an id
	if len(events) > 1 {
		seen = make(map[uuid.UUID]struct{}, len(events))
	}
	for i, e := range events {
		if e.ID == uuid.Nil {
			return invalid("missing_event_id", i, "event id is nil")
		}
		if _, dup := seen[e.ID]; dup {
			return invalid("duplicate_event_id", i, "event id %s appears twice in the batch", e.ID)
		}
		if seen != nil {
			seen[e.ID] = struct{}{}
		}
		if e.Type == "" {
			return invalid("missing_type", i, "event type is empty")
		}
		if len(e.Type) > MaxTypeBytes {
			return invalid("invalid_type", i, "event type is %d bytes, the limit is %d", len(e.Type), MaxTypeBytes)
		}
		for j := 0; j < len(e.Type); j++ {
			if c := e.Type[j]; !typeByte(c) {
				return invalid("invalid_type", i, "event type byte %d is not one of [A-Za-z0-9_.:/-]", j)
			}
		}
		if e.SchemaVersion < 0 || e.SchemaVersion > math.MaxInt32 {
			return invalid("invalid_schema_version", i, "schema version %d is outside 0 to 2^31-1", e.SchemaVersion)
		}
		if y := e.OccurredAt.UTC().Year(); y < 1 || y > 9999 {
			return invalid("invalid_occurred_at", i, "occurred-at year %d is outside 1 to 9999", y)
		}
		if len(e.Actor.Role) > MaxRoleBytes {
			return invalid("invalid_actor_role", i, "actor role is %d bytes, the limit is %d", len(e.Actor.Role), MaxRoleBytes)
		}
		for j := 0; j < len(e.Actor.Role); j++ {
			if !streamByte(e.Actor.Role[j]) {
				return invalid("invalid_actor_role", i, "actor role byte %d is not one of [a-z0-9_.:-]", j)
			}
		}
		if len(e.Payload) > MaxPayloadBytes {
			return invalid("payload_too_large", i, "payload is %d bytes, the limit is %d", len(e.Payload), MaxPayloadBytes)
		}
	}
	return nil
}

func streamByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == ':' || c == '-'
}

func typeByte(c byte) bool {
	return streamByte(c) || c >= 'A' && c <= 'Z' || c == '/'
}
