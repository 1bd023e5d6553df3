package projections

import (
	"context"
	"encoding/json"
	"sort"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/note"
	"github.com/caseledger/caseledger/eventstore"
)

// Notes projects session notes: metadata (rm_notes), the body sealed under the client's key,
// addenda (rm_note_addenda, sealed likewise) and blind-index tokens of every word of the note and
// its addenda for search (rm_note_tokens). A record transfer moves the client's notes to the new
// therapist (psychotherapy notes then stay invisible to them: only their author reads those);
// SubjectErased deletes them.
type Notes struct {
	Keys Keys
}

// Name implements Projector.
func (Notes) Name() string { return "notes" }

// Tables implements Projector.
func (Notes) Tables() []string { return []string{"rm_notes", "rm_note_addenda", "rm_note_tokens"} }

// noteWordPurpose is the keyring purpose of note search tokens.
const noteWordPurpose = "note-word"

var noteEvents = map[string]bool{"NoteDrafted": true, "NoteRevised": true, "NoteSigned": true, "NoteAddendumAdded": true}

var noteTables = []string{"rm_notes", "rm_note_addenda", "rm_note_tokens"}

// Apply implements Projector.
func (p Notes) Apply(ctx context.Context, tx Tx, e eventstore.RecordedEvent) error {
	switch {
	case e.Type == subjectErasedType:
		subject, err := erasedSubject(e)
		if err != nil {
			return err
		}
		deleteRows(tx, subject, noteTables...)
		return nil
	case e.Type == "RecordTransferred" || e.Type == "RecordArchived":
		ev, erased, err := decodeClient(ctx, p.Keys, e)
		if err != nil || erased {
			return err
		}
		to := uuid.Nil
		if t, ok := ev.(client.RecordTransferred); ok {
			to = toUUID(t.To)
		}
		for _, t := range noteTables {
			tx.Exec(`UPDATE `+t+` SET therapist_id = $3 WHERE generation = $1 AND client_id = $2`, tx.Generation, e.Subject, nullID(to))
		}
		return nil
	case !noteEvents[e.Type]:
		return nil
	}
	payload, erased, err := openEvent(ctx, p.Keys, e)
	if err != nil || erased {
		return err
	}
	ev, err := note.Decode(e.Type, e.SchemaVersion, payload)
	if err != nil {
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
		tx.Exec(`INSERT INTO rm_notes (generation, note_id, client_id, therapist_id, author_id, kind, template_id,
			appointment_id, status, version, body_sealed, drafted_at, updated_at)
			VALUES ($1, $2, $3, $4, $4, $5, $6, $7, 'draft', 1, $8, $9, $9)`,
			g, id, toUUID(ev.ClientID), toUUID(ev.AuthorID), string(ev.Kind), toUUID(ev.TemplateID),
			nullID(toUUID(ev.AppointmentID)), body, ev.At)
		return p.index(ctx, tx, id, fieldWords(ev.Fields))
	case note.NoteRevised:
		id := toUUID(ev.NoteID)
		body, err := p.sealBody(ctx, e.Subject, id, ev.Fields)
		if err != nil {
			return err
		}
		tx.ExecOne(`UPDATE rm_notes SET body_sealed = $3, version = version + 1, updated_at = $4
			WHERE generation = $1 AND note_id = $2`, g, id, body, ev.At)
		tx.Exec(`DELETE FROM rm_note_tokens WHERE generation = $1 AND note_id = $2`, g, id)
		return p.index(ctx, tx, id, fieldWords(ev.Fields))
	case note.NoteSigned:
		tx.ExecOne(`UPDATE rm_notes SET status = 'signed', content_hash = $3, signed_at = $4, updated_at = $4
			WHERE generation = $1 AND note_id = $2`, g, toUUID(ev.NoteID), ev.ContentHash, ev.At)
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
		tx.ExecOne(`UPDATE rm_notes SET addenda = addenda + 1, updated_at = $3 WHERE generation = $1 AND note_id = $2`, g, id, ev.At)
		return p.index(ctx, tx, id, normalisedWords(ev.Text))
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

// index queues the search tokens of words for the note, with its client, holder, author and kind.
func (p Notes) index(ctx context.Context, tx Tx, noteID uuid.UUID, words []string) error {
	if len(words) == 0 {
		return nil
	}
	tokens := make([][]byte, 0, len(words))
	for _, w := range words {
		t, err := p.Keys.Token(ctx, noteWordPurpose, w)
		if err != nil {
			return err
		}
		tokens = append(tokens, t)
	}
	tx.Exec(`INSERT INTO rm_note_tokens (generation, note_id, client_id, therapist_id, author_id, kind, token)
		SELECT $1, n.note_id, n.client_id, n.therapist_id, n.author_id, n.kind, t
		  FROM rm_notes n, unnest($3::bytea[]) t WHERE n.generation = $1 AND n.note_id = $2
		ON CONFLICT DO NOTHING`, tx.Generation, noteID, tokens)
	return nil
}

// fieldWords returns the distinct normalised words of every field value, in a stable order.
func fieldWords(fields map[string]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range fields {
		for _, w := range normalisedWords(v) {
			if !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	sort.Strings(out)
	return out
}
