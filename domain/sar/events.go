package sar

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/caseledger/caseledger/domain"
)

// Channel is how a subject access request arrived.
type Channel string

// The channels a request can arrive by.
const (
	ChannelPortal   Channel = "portal"
	ChannelEmail    Channel = "email"
	ChannelLetter   Channel = "letter"
	ChannelInPerson Channel = "in_person"
	ChannelPhone    Channel = "phone"
)

// Valid reports whether c is one of the channels above.
func (c Channel) Valid() bool {
	switch c {
	case ChannelPortal, ChannelEmail, ChannelLetter, ChannelInPerson, ChannelPhone:
		return true
	}
	return false
}

// Identity is the state of the requester's identity check.
type Identity string

// The identity states: verified at receipt, or pending (the clock does not run).
const (
	IdentityVerified Identity = "verified"
	IdentityPending  Identity = "pending"
)

// SARReceived opens a request's stream. When Identity is pending the statutory clock has not
// started; it starts on the date identity is verified.
type SARReceived struct {
	RequestID  domain.ID `json:"request_id"`
	ClientID   domain.ID `json:"client_id"`
	ReceivedOn Date      `json:"received_on"`
	Channel    Channel   `json:"channel"`
	Identity   Identity  `json:"identity"`
	// ByRepresentative is true when someone acting for the client (a parent, a solicitor) made
	// the request; their authority is part of the identity check.
	ByRepresentative bool `json:"by_representative,omitempty"`
	// Regime and TimeZone are the rules the request follows for good (empty in requests recorded
	// before rules existed: UK GDPR, UTC).
	Regime   Regime    `json:"regime,omitempty"`
	TimeZone string    `json:"time_zone,omitempty"`
	At       time.Time `json:"at"`
}

// SARIdentityRequested stops a running clock on On: the DPO asked for proof of identity or for
// clarification (UK GDPR Art. 12A). Reason is free text and may be empty.
type SARIdentityRequested struct {
	On     Date      `json:"on"`
	Reason string    `json:"reason,omitempty"`
	At     time.Time `json:"at"`
}

// SARIdentityVerified starts the clock (when identity was pending at receipt) or restarts it.
// Method names how identity was checked, e.g. "photo_id", "known_to_therapist".
type SARIdentityVerified struct {
	On     Date      `json:"on"`
	Method string    `json:"method"`
	At     time.Time `json:"at"`
}

// SARExtended extends the deadline. Under UK GDPR it adds Months (the total over all extensions
// is at most two) for a complex or repeated request; under HIPAA it adds Days (at most 30, once)
// and InWriting records that the requester got the written statement of reasons and of the date
// of completion, Due. NotifiedOn is when the requester was told, within the first deadline.
type SARExtended struct {
	Months     int       `json:"months"`
	Days       int       `json:"days,omitempty"`
	InWriting  bool      `json:"in_writing,omitempty"`
	Due        Date      `json:"due,omitzero"`
	Reason     string    `json:"reason"`
	NotifiedOn Date      `json:"notified_on"`
	At         time.Time `json:"at"`
}

// Action is a reviewer's decision on one item of an export.
type Action string

// The review actions: leave the item out entirely, or keep its metadata and replace its text.
const (
	ActionWithhold Action = "withhold"
	ActionRedact   Action = "redact"
)

// ItemRef names one item of an export by kind ("note", "appointment", "consent", ...) and id.
type ItemRef struct {
	Kind string    `json:"kind"`
	ID   domain.ID `json:"id"`
}

// ItemDecision is a reviewer's decision to withhold or redact one item, with the reason (the
// serious-harm test of DPA 2018 Sch. 3 Pt 2, or a third party's data).
type ItemDecision struct {
	Item   ItemRef `json:"item"`
	Action Action  `json:"action"`
	Reason string  `json:"reason"`
}

// SARReviewed records a clinician's review of the export. Decisions lists only the items withheld
// or redacted; every other item is released as is. A later review replaces an earlier one.
type SARReviewed struct {
	ReviewerID domain.ID      `json:"reviewer_id"`
	Decisions  []ItemDecision `json:"decisions"`
	At         time.Time      `json:"at"`
}

// SARReleased records that the export was given to the requester. Digest is the hex SHA-256 of
// the released JSON export, so the exact release can be shown later. Late is true when On was
// after the deadline.
type SARReleased struct {
	On      Date      `json:"on"`
	Formats []string  `json:"formats"`
	Digest  string    `json:"digest"`
	Due     Date      `json:"due"`
	Late    bool      `json:"late,omitempty"`
	At      time.Time `json:"at"`
}

// RefusalReason is why a request was refused (UK GDPR Art. 12(5)).
type RefusalReason string

// The refusal reasons.
const (
	RefusalManifestlyUnfounded RefusalReason = "manifestly_unfounded"
	RefusalExcessive           RefusalReason = "excessive"
)

// SARRefused closes a request without release, with a reason code and an explanation.
type SARRefused struct {
	Reason RefusalReason `json:"reason"`
	Detail string        `json:"detail"`
	On     Date          `json:"on"`
	At     time.Time     `json:"at"`
}

// EventType names.
func (SARReceived) EventType() string          { return "SARReceived" }
func (SARIdentityRequested) EventType() string { return "SARIdentityRequested" }
func (SARIdentityVerified) EventType() string  { return "SARIdentityVerified" }
func (SARExtended) EventType() string          { return "SARExtended" }
func (SARReviewed) EventType() string          { return "SARReviewed" }
func (SARReleased) EventType() string          { return "SARReleased" }
func (SARRefused) EventType() string           { return "SARRefused" }

// decoders maps each event type of the "sar-" stream to its JSON decoder.
var decoders = map[string]func([]byte) (domain.Event, error){
	"SARReceived":          decodeAs[SARReceived],
	"SARIdentityRequested": decodeAs[SARIdentityRequested],
	"SARIdentityVerified":  decodeAs[SARIdentityVerified],
	"SARExtended":          decodeAs[SARExtended],
	"SARReviewed":          decodeAs[SARReviewed],
	"SARReleased":          decodeAs[SARReleased],
	"SARRefused":           decodeAs[SARRefused],
}

// Decode is the domain.Decoder of the "sar-" stream: it returns event values (not pointers).
// Unknown types, schema versions other than 1 and payloads that do not decode give an ErrInvalid
// error; it never panics.
func Decode(eventType string, schemaVersion int, payload []byte) (domain.Event, error) {
	return decodeWith(decoders, "subject access request", eventType, schemaVersion, payload)
}

// decodeWith decodes payload with the decoder table's entry for eventType; family names the
// stream kind in errors.
func decodeWith(table map[string]func([]byte) (domain.Event, error), family, eventType string, schemaVersion int, payload []byte) (domain.Event, error) {
	if schemaVersion != 1 {
		return nil, domain.Invalid("schema_version", fmt.Sprintf("%s version %d is not known", eventType, schemaVersion))
	}
	dec, ok := table[eventType]
	if !ok {
		return nil, domain.Invalid("event_type", fmt.Sprintf("%q is not a %s event", eventType, family))
	}
	ev, err := dec(payload)
	if err != nil {
		return nil, domain.Invalid("payload", fmt.Sprintf("%s does not decode", eventType))
	}
	return ev, nil
}

func decodeAs[T domain.Event](payload []byte) (domain.Event, error) {
	var v T
	if err := json.Unmarshal(payload, &v); err != nil {
		return nil, err
	}
	return v, nil
}
