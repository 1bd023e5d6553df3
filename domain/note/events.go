package note

import (
	"time"

	"github.com/caseledger/caseledger/domain"
)

// NoteDrafted starts a note: its kind, template, the appointment it records (zero when none) and
// the first version of its fields.
type NoteDrafted struct {
	NoteID        domain.ID         `json:"note_id"`
	ClientID      domain.ID         `json:"client_id"`
	AuthorID      domain.ID         `json:"author_id"`
	Kind          Kind              `json:"kind"`
	TemplateID    domain.ID         `json:"template_id"`
	AppointmentID domain.ID         `json:"appointment_id,omitzero"`
	Fields        map[string]string `json:"fields"`
	At            time.Time         `json:"at"`
}

// NoteRevised replaces the fields of a draft with a new version.
type NoteRevised struct {
	NoteID domain.ID         `json:"note_id"`
	Fields map[string]string `json:"fields"`
	At     time.Time         `json:"at"`
}

// NoteSigned signs a draft. ContentHash is the hex SHA-256 of the signed fields (see
// ContentHash); the note is immutable from then on.
type NoteSigned struct {
	NoteID      domain.ID `json:"note_id"`
	SignedBy    domain.ID `json:"signed_by"`
	ContentHash string    `json:"content_hash"`
	At          time.Time `json:"at"`
}

// NoteAddendumAdded appends a correction or addition to a signed note.
type NoteAddendumAdded struct {
	NoteID     domain.ID `json:"note_id"`
	AddendumID domain.ID `json:"addendum_id"`
	AuthorID   domain.ID `json:"author_id"`
	Text       string    `json:"text"`
	At         time.Time `json:"at"`
}

func (NoteDrafted) EventType() string       { return "NoteDrafted" }
func (NoteRevised) EventType() string       { return "NoteRevised" }
func (NoteSigned) EventType() string        { return "NoteSigned" }
func (NoteAddendumAdded) EventType() string { return "NoteAddendumAdded" }

// NoteOf returns the id of the note ev is about, and false when ev is not a notebook event.
func NoteOf(ev domain.Event) (domain.ID, bool) {
	switch e := ev.(type) {
	case NoteDrafted:
		return e.NoteID, true
	case NoteRevised:
		return e.NoteID, true
	case NoteSigned:
		return e.NoteID, true
	case NoteAddendumAdded:
		return e.NoteID, true
	}
	return domain.ID{}, false
}
