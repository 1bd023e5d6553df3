package domain

// Event is a domain event: a plain struct whose JSON encoding is the event's payload. EventType is
// the stable name stored in the log ("ClientRegistered"); it never changes once released, because
// renaming it orphans history. Schema changes bump SchemaVersion and keep decoding old versions.
type Event interface {
	EventType() string
}

// Decoder turns a stored payload back into an event. Every aggregate package provides one
// (a function Decode with this signature). It returns an ErrInvalid error for an unknown type or a
// payload that does not decode; it never panics, whatever the bytes.
type Decoder func(eventType string, schemaVersion int, payload []byte) (Event, error)
