package commands

import (
	"context"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/note"
)

// ReviseNote replaces the fields of a draft note with a new version.
type ReviseNote struct {
	ClientID domain.ID
	NoteID   domain.ID
	Kind     note.Kind
	Fields   map[string]string
}

// ReviseNoteHandler handles ReviseNote. It is safe for concurrent use.
type ReviseNoteHandler struct{ d Deps }

// NewReviseNoteHandler returns a handler over d.
func NewReviseNoteHandler(d Deps) *ReviseNoteHandler { return &ReviseNoteHandler{d: d} }

// Handle appends NoteRevised. Only the author may, while holding the record; a signed note is a
// KindConflict error ("note_signed").
func (h *ReviseNoteHandler) Handle(ctx context.Context, actor domain.Actor, cmd ReviseNote) error {
	return changeNotebook(ctx, h.d, actor, cmd.ClientID, cmd.Kind, func(nc notebookContext) (domain.Event, error) {
		return nc.notebook.Revise(actor, nc.client, nc.practice, cmd.NoteID, cmd.Fields, h.d.Clock.Now())
	})
}
