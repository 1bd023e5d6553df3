package commands_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/note"
)

// grantList is an in-process list of break-glass grants: therapist and client to grant id and
// expiry.
type grantList struct {
	mu     sync.Mutex
	grants map[[2]domain.ID]struct {
		id    domain.ID
		until time.Time
	}
}

func (g *grantList) grant(therapist, clientID, id domain.ID, until time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.grants == nil {
		g.grants = map[[2]domain.ID]struct {
			id    domain.ID
			until time.Time
		}{}
	}
	g.grants[[2]domain.ID{therapist, clientID}] = struct {
		id    domain.ID
		until time.Time
	}{id, until}
}

func (g *grantList) ActiveGrant(_ context.Context, therapist, clientID domain.ID, now time.Time) (domain.ID, bool, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	e, ok := g.grants[[2]domain.ID{therapist, clientID}]
	if !ok || !now.Before(e.until) {
		return domain.ID{}, false, nil
	}
	return e.id, true, nil
}

// TestEmergencyReadNote covers the break-glass read of notes on PostgreSQL: who may, what they
// see, and what is recorded.
func TestEmergencyReadNote(t *testing.T) {
	t.Parallel()
	c, _ := newPostgresClinic(t)
	ctx := context.Background()
	cl := c.register(t, c.alice)
	progress := c.draftSigned(t, c.alice, cl, note.KindProgress)
	psy := c.draftSigned(t, c.alice, cl, note.KindPsychotherapy)
	grants := &grantList{}
	grantID := newID(t)
	read := commands.NewReadNoteHandler(c.deps).WithEmergencyGrants(grants)
	emergency := func(a domain.Actor, noteID domain.ID, kind note.Kind) ([]note.Note, error) {
		return read.Handle(ctx, a, commands.ReadNote{ClientID: cl, NoteID: noteID, Kind: kind, Emergency: true})
	}

	t.Run("refused before a grant", func(t *testing.T) {
		_, err := emergency(c.bob, domain.ID{}, note.KindProgress)
		wantKind(t, err, domain.KindNotFound, "client_not_found")
		_, err = commands.NewReadNoteHandler(c.deps).Handle(ctx, c.bob, commands.ReadNote{ClientID: cl, Emergency: true})
		wantKind(t, err, domain.KindNotFound, "client_not_found") // no grants configured
	})
	grants.grant(c.bob.UserID, cl, grantID, c.clock.Now().Add(time.Hour))
	cases := []struct {
		name   string
		actor  domain.Actor
		noteID domain.ID
		kind   note.Kind
		kindOf domain.Kind // "" = allowed
		code   string
	}{
		{"every progress note", c.bob, domain.ID{}, note.KindProgress, "", ""},
		{"one progress note", c.bob, progress, "", "", ""},
		{"a progress note that does not exist", c.bob, newID(t), note.KindProgress, domain.KindNotFound, "note_not_found"},
		{"psychotherapy notes", c.bob, domain.ID{}, note.KindPsychotherapy, domain.KindNotFound, "client_not_found"},
		{"one psychotherapy note", c.bob, psy, note.KindPsychotherapy, domain.KindNotFound, "client_not_found"},
		{"an unknown kind", c.bob, domain.ID{}, "diary", domain.KindInvalid, "invalid_kind"},
		{"a therapist without a grant", actor(t, domain.RoleTherapist), domain.ID{}, note.KindProgress, domain.KindNotFound, "client_not_found"},
		{"the DPO", c.dpo, domain.ID{}, note.KindProgress, domain.KindForbidden, "read_note_forbidden"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			notes, err := emergency(tc.actor, tc.noteID, tc.kind)
			if tc.kindOf != "" {
				wantKind(t, err, tc.kindOf, tc.code)
				return
			}
			must(t, err)
			if len(notes) != 1 || notes[0].ID != progress || notes[0].Kind != note.KindProgress {
				t.Fatalf("read %+v, want only the progress note", notes)
			}
		})
	}
	t.Run("each read is recorded with the grant, refusals are not", func(t *testing.T) {
		l, err := c.store.ReadStream(ctx, commands.StreamFor("client", cl), 0, 1000)
		must(t, err)
		var got []client.RecordAccessed
		for _, e := range l {
			if e.Type != "RecordAccessed" {
				continue
			}
			plain, err := c.keys.Open(ctx, e)
			must(t, err)
			ev, err := client.Decode(e.Type, e.SchemaVersion, plain)
			must(t, err)
			if ra := ev.(client.RecordAccessed); ra.By.UserID == c.bob.UserID {
				got = append(got, ra)
			}
		}
		if len(got) != 2 {
			t.Fatalf("%d reads recorded for Bob, want 2: %+v", len(got), got)
		}
		for _, ra := range got {
			if ra.Purpose != client.EmergencyPurpose || ra.GrantID != grantID || ra.What != client.AccessNote {
				t.Errorf("recorded as %+v", ra)
			}
		}
	})
	t.Run("refused once the grant expired", func(t *testing.T) {
		c.clock.Advance(2 * time.Hour)
		_, err := emergency(c.bob, domain.ID{}, note.KindProgress)
		wantKind(t, err, domain.KindNotFound, "client_not_found")
	})
}
