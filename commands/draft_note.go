package commands

import (
	"context"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/note"
)

// DraftNote starts a session note. NoteID may be preset (zero: a fresh UUIDv7); Kind is empty or
// note.KindProgress for a progress note, note.KindPsychotherapy for a psychotherapy note;
// AppointmentID is zero when the note records no appointment.
type DraftNote struct {
	ClientID      domain.ID
	NoteID        domain.ID
	Kind          note.Kind
	TemplateID    domain.ID
	AppointmentID domain.ID
	Fields        map[string]string
}

// DraftNoteHandler handles DraftNote. It is safe for concurrent use.
type DraftNoteHandler struct{ d Deps }

// NewDraftNoteHandler returns a handler over d.
func NewDraftNoteHandler(d Deps) *DraftNoteHandler { return &DraftNoteHandler{d: d} }

// Handle appends NoteDrafted to the client's notebook of the kind and returns the note id. Only
// the therapist holding the record may, and not while processing is restricted (note.Notebook.Draft).
func (h *DraftNoteHandler) Handle(ctx context.Context, actor domain.Actor, cmd DraftNote) (domain.ID, error) {
	id := cmd.NoteID
	if id.IsZero() {
		var err error
		if id, err = newID(); err != nil {
			return domain.ID{}, err
		}
	}
	err := changeNotebook(ctx, h.d, actor, cmd.ClientID, cmd.Kind, func(nc notebookContext) (domain.Event, error) {
		return nc.notebook.Draft(actor, nc.client, nc.practice, id, cmd.TemplateID, cmd.AppointmentID, cmd.Fields, h.d.Clock.Now())
	})
	if err != nil {
		return domain.ID{}, err
	}
	return id, nil
}
