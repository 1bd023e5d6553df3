package note

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/practice"
)

// Kind is the kind of a note, and of the notebook that holds it.
type Kind string

// The note kinds.
const (
	// KindProgress is a progress note: part of the clinical record.
	KindProgress Kind = "progress"
	// KindPsychotherapy is a psychotherapy note (HIPAA 164.501): kept apart, author-only.
	KindPsychotherapy Kind = "psychotherapy"
)

// Valid reports whether k is a note kind.
func (k Kind) Valid() bool { return k == KindProgress || k == KindPsychotherapy }

// Status is where a note stands.
type Status string

// The note statuses.
const (
	StatusDraft  Status = "draft"
	StatusSigned Status = "signed"
)

// MaxAddendumBytes bounds the text of one addendum.
const MaxAddendumBytes = 64 << 10

// Note is one session note as its history makes it now.
type Note struct {
	ID            domain.ID
	ClientID      domain.ID
	AuthorID      domain.ID
	Kind          Kind
	TemplateID    domain.ID
	AppointmentID domain.ID
	Status        Status
	// Fields is the current (for a signed note: the signed) version.
	Fields map[string]string
	// Versions is every version of the fields, oldest first; the last equals Fields.
	Versions    []Version
	SignedBy    domain.ID
	SignedAt    time.Time
	ContentHash string
	Addenda     []Addendum
}

// Version is one version of a note's fields.
type Version struct {
	Fields map[string]string
	At     time.Time
}

// Addendum is a correction or addition to a signed note.
type Addendum struct {
	ID       domain.ID
	AuthorID domain.ID
	Text     string
	At       time.Time
}

// Notebook is the aggregate of one client's notes of one kind. Build an empty one with New or
// rebuild one with Rebuild. It is not safe for concurrent use.
type Notebook struct {
	clientID domain.ID
	kind     Kind
	notes    map[domain.ID]*Note
	order    []domain.ID
}

// New returns an empty notebook of kind for a client.
func New(clientID domain.ID, kind Kind) *Notebook {
	return &Notebook{clientID: clientID, kind: kind, notes: map[domain.ID]*Note{}}
}

// Rebuild replays a notebook's stream. It is not a constructor: it checks nothing; an empty
// history gives an empty notebook.
func Rebuild(clientID domain.ID, kind Kind, history []domain.Event) *Notebook {
	b := New(clientID, kind)
	for _, ev := range history {
		b.Apply(ev)
	}
	return b
}

// Apply changes the state by one event. It cannot fail; events for unknown notes are ignored.
func (b *Notebook) Apply(ev domain.Event) {
	switch e := ev.(type) {
	case NoteDrafted:
		fields := maps.Clone(e.Fields)
		b.notes[e.NoteID] = &Note{
			ID: e.NoteID, ClientID: e.ClientID, AuthorID: e.AuthorID, Kind: e.Kind, TemplateID: e.TemplateID,
			AppointmentID: e.AppointmentID, Status: StatusDraft, Fields: fields,
			Versions: []Version{{Fields: fields, At: e.At}},
		}
		b.order = append(b.order, e.NoteID)
	case NoteRevised:
		if n := b.notes[e.NoteID]; n != nil {
			n.Fields = maps.Clone(e.Fields)
			n.Versions = append(n.Versions, Version{Fields: n.Fields, At: e.At})
		}
	case NoteSigned:
		if n := b.notes[e.NoteID]; n != nil {
			n.Status, n.SignedBy, n.SignedAt, n.ContentHash = StatusSigned, e.SignedBy, e.At, e.ContentHash
		}
	case NoteAddendumAdded:
		if n := b.notes[e.NoteID]; n != nil {
			n.Addenda = append(n.Addenda, Addendum{ID: e.AddendumID, AuthorID: e.AuthorID, Text: e.Text, At: e.At})
		}
	}
}

// ContentHash returns the hex SHA-256 of fields encoded as a JSON object with keys in byte order
// (Go's encoding/json order for maps): the hash a signature covers.
func ContentHash(fields map[string]string) string {
	b, _ := json.Marshal(fields) // a map[string]string always encodes
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// mayWrite authorises writing notes for c: only the holder, and only while the record may be used.
func (b *Notebook) mayWrite(actor domain.Actor, c *client.Client) error {
	if err := c.Authorise(actor, "write_note", client.Holder); err != nil {
		return err
	}
	return c.RequireActive()
}

// own returns the note id, for its author only: another therapist holding the record gets
// KindForbidden ("not_note_author"); a note that does not exist, KindNotFound.
func (b *Notebook) own(actor domain.Actor, id domain.ID) (*Note, error) {
	n := b.notes[id]
	if n == nil {
		return nil, domain.NotFound("note", id)
	}
	if n.AuthorID != actor.UserID {
		return nil, domain.Forbidden("not_note_author", "only the author may change note "+id.String())
	}
	return n, nil
}

// Draft starts a note of the notebook's kind for client c, from template templateID of practice
// p, optionally linked to an appointment. Fields may be incomplete until signing.
func (b *Notebook) Draft(actor domain.Actor, c *client.Client, p *practice.Practice, id, templateID, appointmentID domain.ID, fields map[string]string, at time.Time) (domain.Event, error) {
	if err := b.mayWrite(actor, c); err != nil {
		return nil, err
	}
	if id.IsZero() {
		return nil, domain.Invalid("note_id", "is required")
	}
	if _, ok := b.notes[id]; ok {
		return nil, domain.Conflict("note_exists", "note "+id.String()+" exists")
	}
	tpl, ok := p.NoteTemplate(templateID)
	if !ok {
		return nil, domain.NotFound("note_template", templateID)
	}
	if err := tpl.CheckFields(fields, false); err != nil {
		return nil, err
	}
	ev := NoteDrafted{
		NoteID: id, ClientID: c.ID(), AuthorID: actor.UserID, Kind: b.kind, TemplateID: templateID,
		AppointmentID: appointmentID, Fields: maps.Clone(fields), At: at.UTC(),
	}
	b.Apply(ev)
	return ev, nil
}

// Revise replaces a draft's fields. Only its author, holding the record, may; a signed note is a
// KindConflict error ("note_signed").
func (b *Notebook) Revise(actor domain.Actor, c *client.Client, p *practice.Practice, id domain.ID, fields map[string]string, at time.Time) (domain.Event, error) {
	if err := b.mayWrite(actor, c); err != nil {
		return nil, err
	}
	n, err := b.own(actor, id)
	if err != nil {
		return nil, err
	}
	if n.Status == StatusSigned {
		return nil, domain.Conflict("note_signed", "note "+id.String()+" is signed: add an addendum")
	}
	tpl, ok := p.NoteTemplate(n.TemplateID)
	if !ok {
		return nil, domain.NotFound("note_template", n.TemplateID)
	}
	if err := tpl.CheckFields(fields, false); err != nil {
		return nil, err
	}
	if maps.Equal(fields, n.Fields) {
		return nil, domain.Invalid("fields", "nothing changed")
	}
	ev := NoteRevised{NoteID: id, Fields: maps.Clone(fields), At: at.UTC()}
	b.Apply(ev)
	return ev, nil
}

// Sign signs a draft whose required fields are all filled. Only its author, holding the record,
// may; signing twice is a KindConflict error ("note_signed").
func (b *Notebook) Sign(actor domain.Actor, c *client.Client, p *practice.Practice, id domain.ID, at time.Time) (domain.Event, error) {
	if err := b.mayWrite(actor, c); err != nil {
		return nil, err
	}
	n, err := b.own(actor, id)
	if err != nil {
		return nil, err
	}
	if n.Status == StatusSigned {
		return nil, domain.Conflict("note_signed", "note "+id.String()+" is already signed")
	}
	tpl, ok := p.NoteTemplate(n.TemplateID)
	if !ok {
		return nil, domain.NotFound("note_template", n.TemplateID)
	}
	if err := tpl.CheckFields(n.Fields, true); err != nil {
		return nil, err
	}
	ev := NoteSigned{NoteID: id, SignedBy: actor.UserID, ContentHash: ContentHash(n.Fields), At: at.UTC()}
	b.Apply(ev)
	return ev, nil
}

// AddAddendum adds a correction or addition to a signed note. The therapist holding the record
// may (for a psychotherapy note: only its author); a draft is a KindConflict error
// ("note_not_signed"): revise it instead.
func (b *Notebook) AddAddendum(actor domain.Actor, c *client.Client, id, addendumID domain.ID, text string, at time.Time) (domain.Event, error) {
	if err := b.mayWrite(actor, c); err != nil {
		return nil, err
	}
	n, err := b.readable(actor, id)
	if err != nil {
		return nil, err
	}
	if n.Status != StatusSigned {
		return nil, domain.Conflict("note_not_signed", "note "+id.String()+" is a draft: revise it")
	}
	if addendumID.IsZero() {
		return nil, domain.Invalid("addendum_id", "is required")
	}
	for _, a := range n.Addenda {
		if a.ID == addendumID {
			return nil, domain.Conflict("addendum_exists", "addendum "+addendumID.String()+" exists")
		}
	}
	if strings.TrimSpace(text) == "" || len(text) > MaxAddendumBytes || !utf8.ValidString(text) {
		return nil, domain.Invalid("text", "must be non-blank UTF-8 of at most 64 KiB")
	}
	ev := NoteAddendumAdded{NoteID: id, AddendumID: addendumID, AuthorID: actor.UserID, Text: text, At: at.UTC()}
	b.Apply(ev)
	return ev, nil
}

// Read returns a copy of note id for actor. Progress notes: the therapist holding c's record.
// Psychotherapy notes: their author, while holding the record; to anyone else holding it they do
// not exist (KindNotFound). A therapist not holding the record gets KindNotFound; every other role
// KindForbidden ("read_note_forbidden"). Errors never carry note content.
func (b *Notebook) Read(actor domain.Actor, c *client.Client, id domain.ID) (Note, error) {
	if err := c.Authorise(actor, "read_note", client.Holder); err != nil {
		return Note{}, err
	}
	n, err := b.readable(actor, id)
	if err != nil {
		return Note{}, err
	}
	return n.clone(), nil
}

// readable returns note id if actor, already known to hold the record, may see it.
func (b *Notebook) readable(actor domain.Actor, id domain.ID) (*Note, error) {
	n := b.notes[id]
	if n == nil || (n.Kind == KindPsychotherapy && n.AuthorID != actor.UserID) {
		return nil, domain.NotFound("note", id)
	}
	return n, nil
}

// List returns copies of the notes actor may read, oldest first, with the same authorisation as
// Read.
func (b *Notebook) List(actor domain.Actor, c *client.Client) ([]Note, error) {
	if err := c.Authorise(actor, "read_note", client.Holder); err != nil {
		return nil, err
	}
	var out []Note
	for _, id := range b.order {
		if n, err := b.readable(actor, id); err == nil {
			out = append(out, n.clone())
		}
	}
	return out, nil
}

// ReadInEmergency returns a copy of progress note id for a therapist reading under a break-glass
// grant that the caller has checked is live. Psychotherapy notes stay with their author: in a
// psychotherapy notebook every note is KindNotFound, as is a missing note. Roles other than
// therapist get KindForbidden ("read_note_forbidden").
func (b *Notebook) ReadInEmergency(actor domain.Actor, id domain.ID) (Note, error) {
	if err := b.emergencyReader(actor); err != nil {
		return Note{}, err
	}
	n := b.notes[id]
	if n == nil {
		return Note{}, domain.NotFound("note", id)
	}
	return n.clone(), nil
}

// ListInEmergency returns copies of every progress note, oldest first, with the authorisation of
// ReadInEmergency (a psychotherapy notebook is KindNotFound as a whole).
func (b *Notebook) ListInEmergency(actor domain.Actor) ([]Note, error) {
	if err := b.emergencyReader(actor); err != nil {
		return nil, err
	}
	out := make([]Note, 0, len(b.order))
	for _, id := range b.order {
		out = append(out, b.notes[id].clone())
	}
	return out, nil
}

// emergencyReader authorises a break-glass read of this notebook by actor.
func (b *Notebook) emergencyReader(actor domain.Actor) error {
	if actor.Role != domain.RoleTherapist {
		return domain.Forbidden("read_note_forbidden", "only a therapist can read notes under emergency access")
	}
	if b.kind != KindProgress {
		return domain.NotFound("client", b.clientID)
	}
	return nil
}

func (n *Note) clone() Note {
	out := *n
	out.Fields = maps.Clone(n.Fields)
	out.Versions = make([]Version, len(n.Versions))
	for i, v := range n.Versions {
		out.Versions[i] = Version{Fields: maps.Clone(v.Fields), At: v.At}
	}
	out.Addenda = append([]Addendum(nil), n.Addenda...)
	return out
}
