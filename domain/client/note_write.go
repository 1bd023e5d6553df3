package client

import (
	"time"

	"github.com/caseledger/caseledger/domain"
)

// AuthoriseNoteWrite returns the NoteWriteAuthorised event that pins a note write to this record:
// actor writes event type write (such as "NoteSigned") to note noteID of the notebook what
// (AccessNote or AccessPsychotherapyNote). Only the therapist holding the record may; anyone else
// gets the error of Authorise (KindNotFound for another therapist). The caller appends the event to
// the client's stream at the version this record was loaded at, and only then appends the note
// event to the notebook: a transfer, archive or restriction that reached the client's stream first
// makes that append fail, and the write is decided again on the new state.
func (c *Client) AuthoriseNoteWrite(actor domain.Actor, what string, noteID domain.ID, write string, at time.Time) (domain.Event, error) {
	if err := c.Authorise(actor, "write_note", Holder); err != nil {
		return nil, err
	}
	if what != AccessNote && what != AccessPsychotherapyNote {
		return nil, domain.Invalid("what", "must be note or psychotherapy_note")
	}
	if noteID.IsZero() || write == "" {
		return nil, domain.Invalid("note_id", "must be set")
	}
	return NoteWriteAuthorised{By: actor, What: what, NoteID: noteID, Write: write, At: at.UTC()}, nil
}
