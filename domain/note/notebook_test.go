package note_test

import (
	"strings"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/note"
	"github.com/caseledger/caseledger/domain/practice"
)

var t0 = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

var (
	admin    = domain.Actor{UserID: domain.ID{1}, Role: domain.RoleAdmin}
	dpo      = domain.Actor{UserID: domain.ID{2}, Role: domain.RoleDPO}
	alice    = domain.Actor{UserID: domain.ID{3}, Role: domain.RoleTherapist}
	bob      = domain.Actor{UserID: domain.ID{4}, Role: domain.RoleTherapist}
	manager  = domain.Actor{UserID: domain.ID{5}, Role: domain.RolePracticeManager}
	clientID = domain.ID{6}
	noteID   = domain.ID{30}
)

const content = "Confidentialissimo"

func ok(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

func setup(tb testing.TB) (*practice.Practice, *client.Client) {
	tb.Helper()
	p, _, err := practice.Open(admin, domain.ID{7}, practice.ConsentBlock, t0)
	ok(tb, err)
	for _, a := range []domain.Actor{alice, bob, dpo, manager} {
		_, err = p.AddStaff(admin, a.UserID, a.Role, t0)
		ok(tb, err)
	}
	c, _, err := client.Register(alice, p, clientID, alice.UserID, "", client.Details{GivenName: "A", FamilyName: "B", DateOfBirth: "1990-01-01"}, t0)
	ok(tb, err)
	return p, c
}

func dap(s string) map[string]string {
	return map[string]string{"data": content + s, "assessment": "a", "plan": "p"}
}

func code(err error) string {
	if e, isErr := err.(*domain.Error); isErr {
		return e.Code
	}
	if err != nil {
		return "untyped: " + err.Error()
	}
	return ""
}

func TestNoteLifecycleRules(t *testing.T) {
	t.Parallel()
	for _, kind := range []note.Kind{note.KindProgress, note.KindPsychotherapy} {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			p, c := setup(t)
			b := note.New(clientID, kind)
			steps := []struct {
				name string
				do   func() error
				want string
			}{
				{"manager cannot draft", func() error {
					_, err := b.Draft(manager, c, p, noteID, practice.TemplateDAP, domain.ID{}, dap(""), t0)
					return err
				}, "write_note_forbidden"},
				{"other therapist cannot draft", func() error {
					_, err := b.Draft(bob, c, p, noteID, practice.TemplateDAP, domain.ID{}, dap(""), t0)
					return err
				}, "client_not_found"},
				{"unknown template", func() error {
					_, err := b.Draft(alice, c, p, noteID, domain.ID{77}, domain.ID{}, dap(""), t0)
					return err
				}, "note_template_not_found"},
				{"field outside the template", func() error {
					_, err := b.Draft(alice, c, p, noteID, practice.TemplateDAP, domain.ID{}, map[string]string{"subjective": content}, t0)
					return err
				}, "invalid_note_field"},
				{"holder drafts a partial note", func() error {
					_, err := b.Draft(alice, c, p, noteID, practice.TemplateDAP, domain.ID{}, map[string]string{"data": content}, t0)
					return err
				}, ""},
				{"same id twice", func() error {
					_, err := b.Draft(alice, c, p, noteID, practice.TemplateDAP, domain.ID{}, dap(""), t0)
					return err
				}, "note_exists"},
				{"incomplete note cannot be signed", func() error { _, err := b.Sign(alice, c, p, noteID, t0); return err }, "invalid_note_field"},
				{"addendum to a draft", func() error { _, err := b.AddAddendum(alice, c, noteID, domain.ID{31}, "x", t0); return err }, "note_not_signed"},
				{"revise", func() error { _, err := b.Revise(alice, c, p, noteID, dap(" v2"), t0.Add(time.Minute)); return err }, ""},
				{"revise with no change", func() error { _, err := b.Revise(alice, c, p, noteID, dap(" v2"), t0); return err }, "invalid_fields"},
				{"sign", func() error { _, err := b.Sign(alice, c, p, noteID, t0.Add(time.Hour)); return err }, ""},
				{"signed is immutable", func() error { _, err := b.Revise(alice, c, p, noteID, dap(" v3"), t0); return err }, "note_signed"},
				{"addendum", func() error {
					_, err := b.AddAddendum(alice, c, noteID, domain.ID{31}, "correction", t0.Add(2*time.Hour))
					return err
				}, ""},
				{"blank addendum", func() error { _, err := b.AddAddendum(alice, c, noteID, domain.ID{32}, " ", t0); return err }, "invalid_text"},
				{"manager cannot read", func() error { _, err := b.Read(manager, c, noteID); return err }, "read_note_forbidden"},
				{"dpo cannot read", func() error { _, err := b.Read(dpo, c, noteID); return err }, "read_note_forbidden"},
				{"other therapist cannot read", func() error { _, err := b.Read(bob, c, noteID); return err }, "client_not_found"},
			}
			for _, s := range steps {
				err := s.do()
				if got := code(err); got != s.want {
					t.Fatalf("%s: code %q, want %q", s.name, got, s.want)
				}
				if err != nil && strings.Contains(err.Error(), content) {
					t.Fatalf("%s: error leaks note content: %v", s.name, err)
				}
			}
			n, err := b.Read(alice, c, noteID)
			ok(t, err)
			if n.Kind != kind || n.Status != note.StatusSigned || len(n.Versions) != 2 || n.Versions[0].Fields["data"] != content ||
				n.ContentHash != note.ContentHash(dap(" v2")) || len(n.Addenda) != 1 || !n.SignedAt.Equal(t0.Add(time.Hour)) {
				t.Fatalf("note %+v", n)
			}
		})
	}
}

// TestNotesAfterTransfer: progress notes follow the record; psychotherapy notes stay with their
// author, who loses them with the record.
func TestNotesAfterTransfer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind               note.Kind
		aliceCode, bobCode string
	}{
		{note.KindProgress, "client_not_found", ""},
		{note.KindPsychotherapy, "client_not_found", "note_not_found"},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			t.Parallel()
			p, c := setup(t)
			b := note.New(clientID, tt.kind)
			_, err := b.Draft(alice, c, p, noteID, practice.TemplateDAP, domain.ID{}, dap(""), t0)
			ok(t, err)
			_, err = c.TransferRecord(dpo, p, client.Transfer{To: bob.UserID, Basis: client.TransferByDPO, Reason: "leave"}, t0)
			ok(t, err)
			_, err = b.Read(alice, c, noteID)
			if got := code(err); got != tt.aliceCode {
				t.Fatalf("alice: %q, want %q", got, tt.aliceCode)
			}
			_, err = b.Read(bob, c, noteID)
			if got := code(err); got != tt.bobCode {
				t.Fatalf("bob: %q, want %q", got, tt.bobCode)
			}
			list, err := b.List(bob, c)
			ok(t, err)
			if want := map[note.Kind]int{note.KindProgress: 1, note.KindPsychotherapy: 0}[tt.kind]; len(list) != want {
				t.Fatalf("bob lists %d notes, want %d", len(list), want)
			}
			_, err = b.Sign(bob, c, p, noteID, t0)
			if got := code(err); got != "not_note_author" {
				t.Fatalf("bob signs alice's draft: %q", got)
			}
		})
	}
}

func TestRebuildKeepsHistory(t *testing.T) {
	t.Parallel()
	p, c := setup(t)
	b := note.New(clientID, note.KindProgress)
	var history []domain.Event
	for _, f := range []func() (domain.Event, error){
		func() (domain.Event, error) {
			return b.Draft(alice, c, p, noteID, practice.TemplateDAP, domain.ID{44}, dap(""), t0)
		},
		func() (domain.Event, error) { return b.Revise(alice, c, p, noteID, dap("2"), t0) },
		func() (domain.Event, error) { return b.Sign(alice, c, p, noteID, t0) },
		func() (domain.Event, error) { return b.AddAddendum(alice, c, noteID, domain.ID{31}, "more", t0) },
	} {
		ev, err := f()
		ok(t, err)
		history = append(history, ev)
	}
	want, _ := b.Read(alice, c, noteID)
	got, err := note.Rebuild(clientID, note.KindProgress, history).Read(alice, c, noteID)
	ok(t, err)
	if got.ContentHash != want.ContentHash || len(got.Versions) != 2 || len(got.Addenda) != 1 || got.AppointmentID != (domain.ID{44}) {
		t.Fatalf("rebuilt %+v", got)
	}
}
