package projections

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/caseledger/caseledger/domain"
)

// NoteMeta is what the notes read model says about a note without opening it.
type NoteMeta struct {
	NoteID        domain.ID
	ClientID      domain.ID
	AuthorID      domain.ID
	Kind          string // progress or psychotherapy
	TemplateID    domain.ID
	AppointmentID domain.ID
	Status        string // draft or signed
	Version       int
	ContentHash   string // set once signed
	Addenda       int
	DraftedAt     time.Time
	UpdatedAt     time.Time
	SignedAt      time.Time
}

// Addendum is a correction or addition to a signed note, opened.
type Addendum struct {
	AddendumID domain.ID
	AuthorID   domain.ID
	Text       string
	AddedAt    time.Time
}

// NoteContent is a note opened: its fields and addenda (oldest first).
type NoteContent struct {
	NoteMeta
	Fields  map[string]string
	Addenda []Addendum
}

const noteColumns = `note_id, client_id, author_id, kind, template_id, appointment_id, status, version,
	content_hash, addenda, drafted_at, updated_at, signed_at`

// Notes returns the metadata of a client's notes the actor may see (the therapist who holds the
// record: progress notes, and the psychotherapy notes they wrote), oldest first; nothing is opened.
func (r *Reader) Notes(ctx context.Context, actor domain.Actor, clientID domain.ID) ([]NoteMeta, error) {
	return r.readNotes(ctx, actor, `SELECT `+noteColumns+` FROM rm_notes WHERE client_id = $1`, toUUID(clientID))
}

// Note opens one note and its addenda, or returns a NotFound error when it does not exist or the
// actor may not read it (another therapist's client; another author's psychotherapy note).
func (r *Reader) Note(ctx context.Context, actor domain.Actor, noteID domain.ID) (NoteContent, error) {
	var out NoteContent
	found := false
	id := toUUID(noteID)
	// The addenda are read in the same round trip; they count only when the note itself is visible.
	err := r.read(ctx, actor, readQuery{what: "note", sql: `SELECT ` + noteColumns + `, body_sealed FROM rm_notes WHERE note_id = $1`,
		args: []any{id}, row: func(rows pgx.Rows) error {
			var body []byte
			m, err := scanNote(rows, &body)
			if err != nil {
				return err
			}
			found, out.NoteMeta = true, m
			plain, err := r.keys.OpenValue(ctx, uuid.UUID(m.ClientID), body, fieldAD("rm_notes", id, "body_sealed"))
			if err != nil {
				return fmt.Errorf("projections: open note %s: %w", id, err)
			}
			if err := json.Unmarshal(plain, &out.Fields); err != nil {
				return fmt.Errorf("projections: note %s does not decode", id)
			}
			return nil
		}}, readQuery{what: "note addenda", sql: `SELECT addendum_id, author_id, text_sealed, added_at FROM rm_note_addenda
		WHERE note_id = $1 ORDER BY added_at, addendum_id`, args: []any{id}, row: func(rows pgx.Rows) error {
		if !found {
			return nil
		}
		var a Addendum
		var aid, author uuid.UUID
		var sealed []byte
		if err := rows.Scan(&aid, &author, &sealed, &a.AddedAt); err != nil {
			return err
		}
		a.AddendumID, a.AuthorID = domain.ID(aid), domain.ID(author)
		var err error
		if a.Text, err = r.openText(ctx, uuid.UUID(out.ClientID), "rm_note_addenda", aid, "text_sealed", sealed); err != nil {
			return err
		}
		out.Addenda = append(out.Addenda, a)
		return nil
	}})
	if err != nil {
		return NoteContent{}, err
	}
	if !found {
		return NoteContent{}, domain.NotFound("note", noteID)
	}
	return out, nil
}

// SearchNotes returns the notes the actor may see that contain every word of query (case
// insensitive, whole words, in the note's fields or its addenda), newest first, through blind-index
// tokens: no plaintext is compared in the database. A query without words is invalid.
func (r *Reader) SearchNotes(ctx context.Context, actor domain.Actor, query string) ([]NoteMeta, error) {
	words := normalisedWords(query)
	if len(words) == 0 {
		return nil, domain.Invalid("query", "give at least one word")
	}
	tokens := make([]int64, 0, len(words))
	for _, w := range words {
		t, err := noteWordToken(ctx, r.keys, w)
		if err != nil {
			return nil, err
		}
		tokens = append(tokens, t)
	}
	out, err := r.readNotes(ctx, actor, `SELECT `+noteColumns+` FROM rm_notes WHERE search_tokens @> $1::bigint[]`, tokens)
	sort.SliceStable(out, func(i, j int) bool { return out[i].DraftedAt.After(out[j].DraftedAt) })
	return out, err
}

// readNotes reads rows of noteColumns as actor, oldest first.
func (r *Reader) readNotes(ctx context.Context, actor domain.Actor, sql string, args ...any) ([]NoteMeta, error) {
	var out []NoteMeta
	err := r.read(ctx, actor, readQuery{what: "notes", sql: sql, args: args, row: func(rows pgx.Rows) error {
		m, err := scanNote(rows)
		if err != nil {
			return err
		}
		out = append(out, m)
		return nil
	}})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].DraftedAt.Equal(out[j].DraftedAt) {
			return out[i].DraftedAt.Before(out[j].DraftedAt)
		}
		return out[i].NoteID.String() < out[j].NoteID.String()
	})
	return out, nil
}

// scanNote scans noteColumns, then extra destinations.
func scanNote(row pgx.Row, extra ...any) (NoteMeta, error) {
	var (
		m                            NoteMeta
		id, client, author, template uuid.UUID
		appointment                  *uuid.UUID
		hash                         *string
		signed                       *time.Time
	)
	dest := append([]any{&id, &client, &author, &m.Kind, &template, &appointment, &m.Status, &m.Version, &hash,
		&m.Addenda, &m.DraftedAt, &m.UpdatedAt, &signed}, extra...)
	if err := row.Scan(dest...); err != nil {
		return NoteMeta{}, err
	}
	m.NoteID, m.ClientID, m.AuthorID, m.TemplateID = domain.ID(id), domain.ID(client), domain.ID(author), domain.ID(template)
	if appointment != nil {
		m.AppointmentID = domain.ID(*appointment)
	}
	if hash != nil {
		m.ContentHash = *hash
	}
	if signed != nil {
		m.SignedAt = *signed
	}
	return m, nil
}
