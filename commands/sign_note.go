package commands

import (
	"context"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/note"
)

// SignNote signs a draft note, making it immutable.
type SignNote struct {
	ClientID domain.ID
	NoteID   domain.ID
	Kind     note.Kind
}

// SignNoteHandler handles SignNote. It is safe for concurrent use.
type SignNoteHandler struct{ d Deps }

// NewSignNoteHandler returns a handler over d.
func NewSignNoteHandler(d Deps) *SignNoteHandler { return &SignNoteHandler{d: d} }

// Handle appends NoteSigned with the hash of the signed fields. Only the author may, while
// holding the record, once every required field is filled.
func (h *SignNoteHandler) Handle(ctx context.Context, actor domain.Actor, cmd SignNote) error {
	return changeNotebook(ctx, h.d, actor, cmd.ClientID, cmd.Kind, func(nc notebookContext) (domain.Event, error) {
		return nc.notebook.Sign(actor, nc.client, nc.practice, cmd.NoteID, h.d.Clock.Now())
	})
}
