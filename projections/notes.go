package projections

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/note"
	"github.com/caseledger/caseledger/eventstore"
)

// Notes projects session notes: metadata (rm_notes), the body sealed under the client's key,
// addenda (rm_note_addenda, sealed likewise) and blind-index tokens of every word of the note and
// its addenda for search (rm_notes.search_tokens). A record transfer moves the client's notes to the new
// therapist (psychotherapy notes then stay invisible to them: only their author reads those);
// SubjectErased deletes them.
type Notes struct {
	Keys Keys
}

// Name implements Projector.
func (Notes) Name() string { return "notes" }

// Tables implements Projector.
func (Notes) Tables() []string { return noteTables }

// noteWordPurpose is the keyring purpose of note search tokens.
const noteWordPurpose = "note-word"

var noteEvents = map[string]bool{"NoteDrafted": true, "NoteRevised": true, "NoteSigned": true, "NoteAddendumAdded": true}

var noteTables = []string{"rm_notes", "rm_note_addenda"}

// Apply implements Projector.
func (p Notes) Apply(ctx context.Context, tx Tx, e *eventstore.RecordedEvent) error {
	switch {
	case e.Type == subjectErasedType:
		subject, err := erasedSubject(e)
		if err != nil {
			return err
		}
		deleteRows(tx, subject, noteTables...)
		return nil
	case e.Type == "RecordTransferred" || e.Type == "RecordArchived":
		ev, erased, err := decodeClient(ctx, tx, p.Keys, e)
		if err != nil || erased {
			return err
		}
		to := uuid.Nil
		if t, ok := ev.(client.RecordTransferred); ok {
			to = toUUID(t.To)
		}
		for _, t := range noteTables {
			tx.ExecByClient(t, `UPDATE `+t+` SET therapist_id = $3 WHERE generation = $1 AND client_id = $2`, tx.Generation, e.Subject, nullID(to))
		}
		return nil
	case !noteEvents[e.Type]:
		return nil
	}
	ev, erased, err := tx.decode(ctx, p.Keys, e, note.Decode)
	if err != nil || erased {
		return err
	}
	g := tx.Generation
	switch ev := ev.(type) {
	case note.NoteDrafted:
		id := toUUID(ev.NoteID)
		body, err := p.sealBody(ctx, e.Subject, id, ev.Fields)
		if err != nil {
			return err
		}
		// The note is held by whoever holds the client's record, as the clients projection knows
		// it; at drafting time that is the author.
		author, clientID := toUUID(ev.AuthorID), toUUID(ev.ClientID)
		tokens, err := p.tokens(ctx, tx, slices.Collect(maps.Values(ev.Fields))...)
		if err != nil {
			return err
		}
		return tx.Put(notesTable, id, clientID, &author, author, string(ev.Kind), toUUID(ev.TemplateID),
			nullID(toUUID(ev.AppointmentID)), "draft", 1, (*string)(nil), body, 0, ev.At, ev.At, (*time.Time)(nil), tokens)
	case note.NoteRevised:
		id := toUUID(ev.NoteID)
		body, err := p.sealBody(ctx, e.Subject, id, ev.Fields)
		if err != nil {
			return err
		}
		tokens, err := p.tokens(ctx, tx, slices.Collect(maps.Values(ev.Fields))...)
		if err != nil {
			return err
		}
		tx.ExecOne(`UPDATE rm_notes SET body_sealed = $3, version = version + 1, updated_at = $4, search_tokens = $5
			WHERE generation = $1 AND note_id = $2`, g, id, body, ev.At, tokens)
		return nil
	case note.NoteSigned:
		return tx.Update(notesTable, []any{toUUID(ev.NoteID)}, Set{"status", "signed"}, Set{"content_hash", &ev.ContentHash},
			Set{"signed_at", &ev.At}, Set{"updated_at", ev.At})
	case note.NoteAddendumAdded:
		id, add := toUUID(ev.NoteID), toUUID(ev.AddendumID)
		text, err := p.Keys.SealValue(ctx, e.Subject, []byte(ev.Text), fieldAD("rm_note_addenda", add, "text_sealed"))
		if err != nil {
			return err
		}
		tx.ExecOne(`INSERT INTO rm_note_addenda (generation, addendum_id, note_id, client_id, therapist_id, author_id,
			note_author, kind, text_sealed, added_at)
			SELECT $1, $3, n.note_id, n.client_id, n.therapist_id, $4, n.author_id, n.kind, $5, $6
			  FROM rm_notes n WHERE n.generation = $1 AND n.note_id = $2`, g, id, add, toUUID(ev.AuthorID), text, ev.At)
		tokens, err := p.tokens(ctx, tx, ev.Text)
		if err != nil {
			return err
		}
		tx.ExecOne(`UPDATE rm_notes SET addenda = addenda + 1, updated_at = $3,
			search_tokens = ARRAY(SELECT DISTINCT t FROM unnest(search_tokens || $4::bigint[]) AS t ORDER BY t)
			WHERE generation = $1 AND note_id = $2`, g, id, ev.At, tokens)
		return nil
	}
	return nil
}

// sealBody seals the JSON of a note's fields under the client's key, bound to rm_notes.body_sealed.
func (p Notes) sealBody(ctx context.Context, client, noteID uuid.UUID, fields map[string]string) ([]byte, error) {
	plain, err := json.Marshal(fields)
	if err != nil {
		return nil, err
	}
	return p.Keys.SealValue(ctx, client, plain, fieldAD("rm_notes", noteID, "body_sealed"))
}

// tokens returns the search tokens of the words of texts, distinct and in ascending order (as
// PostgreSQL orders bigint), so that a note's search_tokens are the same however it was built.
func (p Notes) tokens(ctx context.Context, tx Tx, texts ...string) ([]int64, error) {
	var tokens []int64
	for _, text := range texts {
		for w := range wordsOf(text) {
			t, err := tx.wordToken(ctx, p.Keys, w)
			if err != nil {
				return nil, err
			}
			tokens = append(tokens, t)
		}
	}
	slices.Sort(tokens)
	return slices.Compact(tokens), nil
}

// notesTable is rm_notes for keyed writes.
var (
	notesTable = NewRowTable("rm_notes", 1, "note_id", "client_id", "therapist_id", "author_id", "kind",
		"template_id", "appointment_id", "status", "version", "content_hash", "body_sealed", "addenda",
		"drafted_at", "updated_at", "signed_at", "search_tokens")
)
