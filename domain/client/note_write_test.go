package client_test

import (
	"errors"
	"testing"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
)

func TestAuthoriseNoteWrite(t *testing.T) {
	t.Parallel()
	note := domain.ID{11}
	tests := []struct {
		name     string
		actor    domain.Actor
		what     string
		note     domain.ID
		moved    bool
		wantKind domain.Kind
		wantCode string
	}{
		{name: "holder writes a progress note", actor: alice, what: client.AccessNote, note: note},
		{name: "holder writes a psychotherapy note", actor: alice, what: client.AccessPsychotherapyNote, note: note},
		{name: "another therapist", actor: bob, what: client.AccessNote, note: note, wantKind: domain.KindNotFound, wantCode: "client_not_found"},
		{name: "former holder after a transfer", actor: alice, what: client.AccessNote, note: note, moved: true, wantKind: domain.KindNotFound, wantCode: "client_not_found"},
		{name: "new holder after a transfer", actor: bob, what: client.AccessNote, note: note, moved: true},
		{name: "manager", actor: manager, what: client.AccessNote, note: note, wantKind: domain.KindForbidden, wantCode: "write_note_forbidden"},
		{name: "dpo", actor: dpo, what: client.AccessNote, note: note, wantKind: domain.KindForbidden, wantCode: "write_note_forbidden"},
		{name: "the client", actor: self, what: client.AccessNote, note: note, wantKind: domain.KindForbidden, wantCode: "write_note_forbidden"},
		{name: "unknown notebook", actor: alice, what: "record", note: note, wantKind: domain.KindInvalid, wantCode: "invalid_what"},
		{name: "no note id", actor: alice, what: client.AccessNote, wantKind: domain.KindInvalid, wantCode: "invalid_note_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newPractice(t)
			c := register(t, p, "1990-01-01")
			if tt.moved {
				_, err := c.TransferRecord(dpo, p, client.Transfer{To: bob.UserID, Basis: client.TransferByDPO, Reason: "leaving"}, t0)
				ok(t, err)
			}
			ev, err := c.AuthoriseNoteWrite(tt.actor, tt.what, tt.note, "NoteDrafted", t0)
			if tt.wantKind != "" {
				var de *domain.Error
				if !errors.As(err, &de) || de.Kind != tt.wantKind || de.Code != tt.wantCode {
					t.Fatalf("error = %v, want %s %s", err, tt.wantKind, tt.wantCode)
				}
				return
			}
			ok(t, err)
			want := client.NoteWriteAuthorised{By: tt.actor, What: tt.what, NoteID: tt.note, Write: "NoteDrafted", At: t0}
			if ev != want {
				t.Fatalf("event = %+v, want %+v", ev, want)
			}
		})
	}
}
