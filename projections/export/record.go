package export

import (
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
)

// SchemaID names the JSON export's schema and its version (schema/sar-export.schema.json).
const SchemaID = "https://caseledger.org/schemas/sar-export/v1"

// Record is everything kept about one client, folded from the log. Slices are in the order the
// events happened and never nil, so the JSON is stable.
type Record struct {
	Schema      string    `json:"$schema"`
	ClientID    domain.ID `json:"client_id"`
	GeneratedAt time.Time `json:"generated_at"`
	// AsOf is set for a replay: only events recorded at or before it were folded.
	AsOf *time.Time `json:"as_of,omitempty"`
	// Erased is true when the client's key was shredded: every sealed payload is unreadable and
	// the sections that need one are empty.
	Erased bool `json:"erased"`

	Person          *Person          `json:"person"`
	DetailsHistory  []DetailsChange  `json:"details_history"`
	Treatment       Treatment        `json:"treatment"`
	Custody         []Custody        `json:"custody"`
	Consents        []Consent        `json:"consents"`
	SharingConsents []SharingConsent `json:"sharing_consents"`
	Appointments    []Appointment    `json:"appointments"`
	Notes           []Note           `json:"notes"`
	AccessLog       []Access         `json:"access_log"`
	ErasureRequests []ErasureRequest `json:"erasure_requests"`
	RetentionEvents []RetentionEvent `json:"retention_reviews"`
	// PsychotherapyNotesIncluded says whether psychotherapy notes were asked for; by default they
	// are excluded, as HIPAA 164.524(a)(1)(i) allows.
	PsychotherapyNotesIncluded bool `json:"psychotherapy_notes_included"`
	// WithheldItems counts the items a clinician withheld after review (DPA 2018 Sch. 3 Pt 2).
	WithheldItems int `json:"withheld_items"`
	// Events is the raw history that was folded, one entry per event (replay only; empty in a
	// subject access export).
	Events []EventEntry `json:"events"`
}

// Person is the client's details as they stand, in the domain's own shape (client.Details), so
// the export and the event that carried them cannot drift apart. In an export, address lines are
// never nil.
type Person = client.Details

// Address is a postal address (client.Address).
type Address = client.Address

// Contact is a person to reach (client.Contact).
type Contact = client.Contact

// PrimaryCare is the client's GP or primary-care provider (client.PrimaryCare).
type PrimaryCare = client.PrimaryCare

// DetailsChange is one registration or rectification of the details (Art. 16).
type DetailsChange struct {
	At     time.Time `json:"at"`
	Fields []string  `json:"fields"`
	By     string    `json:"by"`
}

// Treatment is the record's kind and treatment status.
type Treatment struct {
	PracticeID   domain.ID `json:"practice_id"`
	RecordKind   string    `json:"record_kind"`
	RegisteredAt time.Time `json:"registered_at"`
	DischargedOn string    `json:"discharged_on,omitempty"`
	// ReadmittedOn is the start of the latest episode after a discharge; DischargedOn is then
	// empty until the next discharge.
	ReadmittedOn   string     `json:"readmitted_on,omitempty"`
	Restricted     bool       `json:"restricted"`
	RestrictedAt   *time.Time `json:"restricted_at,omitempty"`
	RestrictGround string     `json:"restriction_ground,omitempty"`
}

// Custody is one period in which a therapist held the record.
type Custody struct {
	TherapistID domain.ID  `json:"therapist_id"`
	From        time.Time  `json:"from"`
	Until       *time.Time `json:"until,omitempty"`
	Basis       string     `json:"basis,omitempty"`
}

// Consent is one signature of a consent to treatment, and its withdrawal if any.
type Consent struct {
	ServiceTypeID domain.ID  `json:"service_type_id"`
	Version       int        `json:"version"`
	ContentHash   string     `json:"content_hash"`
	Method        string     `json:"method"`
	Signer        string     `json:"signer"`
	GuardianName  string     `json:"guardian_name,omitempty"`
	SignedAt      time.Time  `json:"signed_at"`
	WithdrawnAt   *time.Time `json:"withdrawn_at,omitempty"`
}

// SharingConsent is a consent to share with a named third party.
type SharingConsent struct {
	ID            domain.ID  `json:"id"`
	RecipientKind string     `json:"recipient_kind"`
	RecipientName string     `json:"recipient_name"`
	Purpose       string     `json:"purpose"`
	Expires       time.Time  `json:"expires"`
	SignedAt      time.Time  `json:"signed_at"`
	WithdrawnAt   *time.Time `json:"withdrawn_at,omitempty"`
}

// Appointment is one appointment and what happened to it.
type Appointment struct {
	ID            domain.ID `json:"id"`
	TherapistID   domain.ID `json:"therapist_id"`
	ServiceTypeID domain.ID `json:"service_type_id"`
	Start         time.Time `json:"start"`
	End           time.Time `json:"end"`
	Status        string    `json:"status"`
	Location      string    `json:"location,omitempty"`
	BookedBy      string    `json:"booked_by"`
	// Changes lists reschedules and cancellations with their reasons.
	Changes  []AppointmentChange `json:"changes"`
	Redacted bool                `json:"redacted,omitempty"`
}

// AppointmentChange is one change to an appointment.
type AppointmentChange struct {
	Kind   string    `json:"kind"`
	By     string    `json:"by,omitempty"`
	Reason string    `json:"reason,omitempty"`
	At     time.Time `json:"at,omitzero"`
}

// Note is a session note: its current fields, every version, and its addenda.
type Note struct {
	ID            domain.ID         `json:"id"`
	Kind          string            `json:"kind"`
	AuthorID      domain.ID         `json:"author_id"`
	TemplateID    domain.ID         `json:"template_id"`
	AppointmentID domain.ID         `json:"appointment_id,omitzero"`
	Status        string            `json:"status"`
	Fields        map[string]string `json:"fields"`
	Versions      []NoteVersion     `json:"versions"`
	SignedAt      *time.Time        `json:"signed_at,omitempty"`
	ContentHash   string            `json:"content_hash,omitempty"`
	Addenda       []Addendum        `json:"addenda"`
	// Redacted is true when a clinician replaced the text after review.
	Redacted bool `json:"redacted,omitempty"`
}

// NoteVersion is one version of a note's fields.
type NoteVersion struct {
	Fields map[string]string `json:"fields"`
	At     time.Time         `json:"at"`
}

// Addendum is a correction or addition to a signed note.
type Addendum struct {
	ID       domain.ID `json:"id"`
	AuthorID domain.ID `json:"author_id"`
	Text     string    `json:"text"`
	At       time.Time `json:"at"`
}

// Access is one read of the client's clinical data: who, when, what and why.
type Access struct {
	At      time.Time `json:"at"`
	UserID  domain.ID `json:"user_id"`
	Role    string    `json:"role"`
	What    string    `json:"what"`
	ItemID  domain.ID `json:"item_id,omitzero"`
	Purpose string    `json:"purpose"`
}

// ErasureRequest is a request for erasure and the DPO's decision.
type ErasureRequest struct {
	ID          domain.ID  `json:"id"`
	RequestedBy string     `json:"requested_by"`
	RequestedAt time.Time  `json:"requested_at"`
	Decision    string     `json:"decision"`
	DecidedAt   *time.Time `json:"decided_at,omitempty"`
	Exemption   string     `json:"exemption,omitempty"`
	Until       *time.Time `json:"deferred_until,omitempty"`
}

// RetentionEvent is one step of a retention review.
type RetentionEvent struct {
	Kind       string    `json:"kind"`
	RecordKind string    `json:"record_kind"`
	Detail     string    `json:"detail"`
	At         time.Time `json:"at"`
}

// EventEntry is one event of the history as a replay shows it: its place in the log, who caused
// it, and whether its payload could still be read.
type EventEntry struct {
	Stream     string    `json:"stream"`
	Version    uint64    `json:"version"`
	Type       string    `json:"type"`
	OccurredAt time.Time `json:"occurred_at"`
	RecordedAt time.Time `json:"recorded_at"`
	ActorID    domain.ID `json:"actor_id"`
	ActorRole  string    `json:"actor_role"`
	// Erased is true when the payload was sealed under a shredded key.
	Erased bool `json:"erased"`
}
