package commands

import (
	"context"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/note"
)

// ReadNote asks to read one note, or (NoteID zero) every note of the kind the actor may read,
// for a stated purpose (a slug such as "treatment").
type ReadNote struct {
	ClientID domain.ID
	NoteID   domain.ID
	Kind     note.Kind
	Purpose  string
}

// ReadNoteHandler is the query side of session notes: it authorises, audits, then returns notes.
// It is safe for concurrent use.
type ReadNoteHandler struct{ d Deps }

// NewReadNoteHandler returns a handler over d.
func NewReadNoteHandler(d Deps) *ReadNoteHandler { return &ReadNoteHandler{d: d} }

// Handle returns the notes read: one note, or every readable note of the kind when NoteID is
// zero. Authorisation is note.Notebook.Read's: the therapist holding the record reads progress
// notes; psychotherapy notes only their author while holding it; other therapists get
// KindNotFound; managers, admins, DPOs and auditors KindForbidden, with no content in the error.
//
// Before anything is returned, RecordAccessed (who, what, which note, why) is appended to the
// client's stream at the version the authorisation was decided on. If the record changed
// meanwhile, the read is authorised again on the new state and retried (5 attempts in all, then
// KindConflict "concurrent_change"); if the append fails otherwise, nothing is returned.
func (h *ReadNoteHandler) Handle(ctx context.Context, actor domain.Actor, q ReadNote) ([]note.Note, error) {
	var notes []note.Note
	err := retryConcurrent(func() error {
		nc, err := loadNotebook(ctx, h.d, actor, q.ClientID, q.Kind)
		if err != nil {
			return err
		}
		if q.NoteID.IsZero() {
			notes, err = nc.notebook.List(actor, nc.client)
		} else {
			var n note.Note
			n, err = nc.notebook.Read(actor, nc.client, q.NoteID)
			notes = []note.Note{n}
		}
		if err != nil {
			return err
		}
		what := client.AccessNote
		if nc.kind == note.KindPsychotherapy {
			what = client.AccessPsychotherapyNote
		}
		ev, err := nc.client.RecordAccess(actor, what, q.NoteID, q.Purpose, h.d.Clock.Now())
		if err != nil {
			return err
		}
		return appendToClient(ctx, h.d, q.ClientID, nc.clientLoaded, actor, ev)
	})
	if err != nil {
		return nil, err
	}
	return notes, nil
}
