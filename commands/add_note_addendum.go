package commands

import (
	"context"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/note"
)

// AddNoteAddendum adds a correction or addition to a signed note. AddendumID may be preset (zero:
// a fresh UUIDv7).
type AddNoteAddendum struct {
	ClientID   domain.ID
	NoteID     domain.ID
	Kind       note.Kind
	AddendumID domain.ID
	Text       string
}

// AddNoteAddendumHandler handles AddNoteAddendum. It is safe for concurrent use.
type AddNoteAddendumHandler struct{ d Deps }

// NewAddNoteAddendumHandler returns a handler over d.
func NewAddNoteAddendumHandler(d Deps) *AddNoteAddendumHandler {
	return &AddNoteAddendumHandler{d: d}
}

// Handle appends NoteAddendumAdded and returns the addendum id. The therapist holding the record
// may (psychotherapy notes: only their author); a draft is a KindConflict error
// ("note_not_signed").
func (h *AddNoteAddendumHandler) Handle(ctx context.Context, actor domain.Actor, cmd AddNoteAddendum) (domain.ID, error) {
	id := cmd.AddendumID
	if id.IsZero() {
		var err error
		if id, err = newID(); err != nil {
			return domain.ID{}, err
		}
	}
	err := changeNotebook(ctx, h.d, actor, cmd.ClientID, cmd.Kind, func(nc notebookContext) (domain.Event, error) {
		return nc.notebook.AddAddendum(actor, nc.client, cmd.NoteID, id, cmd.Text, h.d.Clock.Now())
	})
	if err != nil {
		return domain.ID{}, err
	}
	return id, nil
}
