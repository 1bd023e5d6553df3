// Package jsonevent builds the strict JSON event decoders of the clinical-record aggregates
// (practice, client, note), so each of them declares only its table of event types.
package jsonevent

import (
	"fmt"

	"github.com/caseledger/caseledger/domain"
)

// SchemaVersion is the only payload schema version the clinical-record events have so far.
const SchemaVersion = 1

// Of returns a function that decodes a payload strictly into a fresh T: unknown fields, trailing
// data and malformed JSON are ErrInvalid errors that name the event type, never the payload.
func Of[T domain.Event]() func(eventType string, payload []byte) (domain.Event, error) {
	return func(eventType string, payload []byte) (domain.Event, error) {
		var v T
		switch err := Strict(payload, &v); err {
		case nil:
			return v, nil
		case ErrTrailing:
			return nil, domain.Invalid("payload", eventType+" has trailing data")
		default:
			return nil, domain.Invalid("payload", eventType+" does not decode")
		}
	}
}

// Decoder returns a domain.Decoder for the event types in types. An unknown type or schema
// version is an ErrInvalid error; it never panics, whatever the bytes.
func Decoder(area string, types map[string]func(string, []byte) (domain.Event, error)) domain.Decoder {
	return func(eventType string, schemaVersion int, payload []byte) (domain.Event, error) {
		dec, ok := types[eventType]
		if !ok {
			return nil, domain.Invalid("event_type", fmt.Sprintf("unknown %s event type %q", area, clip(eventType)))
		}
		if schemaVersion != SchemaVersion {
			return nil, domain.Invalid("schema_version", fmt.Sprintf("%s has no schema version %d", eventType, schemaVersion))
		}
		return dec(eventType, payload)
	}
}

// clip keeps an unknown event type short in error messages.
func clip(s string) string {
	if len(s) <= 64 {
		return s
	}
	return s[:64] + "…"
}
