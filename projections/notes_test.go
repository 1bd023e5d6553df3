package projections_test

import (
	"context"
	"errors"
	"testing"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/note"
	"github.com/caseledger/caseledger/projections"
)

func TestNotesReadAndSearch(t *testing.T) {
	t.Parallel()
	s := seed(t)
	ctx := context.Background()
	c := s.aClients[0]

	metas, err := s.e.reader.Notes(ctx, therapist(s.a), c)
	if err != nil {
		t.Fatal(err)
	}
	if len(metas) != 2 {
		t.Fatalf("A sees %d notes of their client, want 2 (progress and own psychotherapy note)", len(metas))
	}
	var progress, private projections.NoteMeta
	for _, m := range metas {
		if m.Kind == string(note.KindProgress) {
			progress = m
		} else {
			private = m
		}
	}
	if progress.Status != "signed" || progress.Addenda != 1 || progress.ContentHash != "h" {
		t.Errorf("progress note metadata: %+v", progress)
	}
	got, err := s.e.reader.Note(ctx, therapist(s.a), progress.NoteID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Fields["assessment"] != "Discussed sleep hygiene and the Marrowfield incident" || len(got.Addenda) != 1 ||
		got.Addenda[0].Text != "Corrected: the Ravensworth incident" {
		t.Errorf("opened note: %+v", got)
	}

	search := []struct {
		name  string
		actor domain.Actor
		query string
		want  int
	}{
		{"a word of the body", therapist(s.a), "marrowfield", 2}, // both of A's clients' progress notes
		{"a word of an addendum", therapist(s.a), "RAVENSWORTH", 2},
		{"every word must match", therapist(s.a), "sleep transference", 0},
		{"own psychotherapy notes", therapist(s.a), "transference", 2},
		{"another therapist's notes are not searched", therapist(s.b), "marrowfield", 2},
		{"a manager finds nothing", domain.Actor{UserID: newID(), Role: domain.RolePracticeManager}, "marrowfield", 0},
		{"the DPO reads no notes here", domain.Actor{UserID: newID(), Role: domain.RoleDPO}, "marrowfield", 0},
	}
	for _, tc := range search {
		t.Run(tc.name, func(t *testing.T) {
			found, err := s.e.reader.SearchNotes(ctx, tc.actor, tc.query)
			if err != nil {
				t.Fatal(err)
			}
			if len(found) != tc.want {
				t.Errorf("found %d notes, want %d", len(found), tc.want)
			}
			for _, n := range found {
				if tc.actor.Role == domain.RoleTherapist && n.AuthorID != tc.actor.UserID {
					t.Errorf("found note %s of another author", n.NoteID)
				}
			}
		})
	}

	// After a transfer, B reads the progress note but never A's psychotherapy note.
	s.e.emit(t, "client-"+c.String(), c, domain.Actor{UserID: newID(), Role: domain.RoleDPO}, client.RecordTransferred{
		From: s.a, To: s.b, Basis: client.TransferByDPO, Reason: "leave", At: at})
	catchUp(t, s.e.dsn, s.e.engine)
	if _, err := s.e.reader.Note(ctx, therapist(s.b), progress.NoteID); err != nil {
		t.Errorf("B reading the transferred progress note: %v", err)
	}
	for _, who := range []domain.Actor{therapist(s.b), therapist(s.a)} {
		if _, err := s.e.reader.Note(ctx, who, private.NoteID); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("%s reading the psychotherapy note after transfer: %v, want not found", who.UserID, err)
		}
	}
	if _, err := s.e.reader.SearchNotes(ctx, therapist(s.a), " ,. "); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("empty search: %v", err)
	}
}
