package projections_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/migrations"
	"github.com/caseledger/caseledger/projections"
)

// TestReadsOnOneConnectionKeepActorsApart runs reads as two therapists, one after the other, on a
// pool of a single connection, so every read reuses the connection the other actor's read just
// used: each sees only their own appointments, nothing of the acting identity survives a read (a
// bare query on the same connection sees no caseledger.user_id), and a read cancelled half-way
// leaves the pool usable.
func TestReadsOnOneConnectionKeepActorsApart(t *testing.T) {
	t.Parallel()
	s := seed(t)
	ctx := context.Background()
	pool, err := migrations.ConnectAs(ctx, s.e.dsn, migrations.RoleReader, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	reader, err := projections.NewReader(pool, s.e.keys)
	if err != nil {
		t.Fatal(err)
	}
	from, to := at.Add(-time.Hour), at.Add(30*24*time.Hour)
	appointmentsOf := func(tb testing.TB, who domain.ID) []projections.Appointment {
		tb.Helper()
		as, err := reader.Appointments(ctx, therapist(who), from, to)
		if err != nil {
			tb.Fatalf("appointments of %s: %v", who, err)
		}
		return as
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	for i, who := range []domain.ID{s.a, s.b, s.a, s.b} {
		t.Run(map[bool]string{true: "therapist A", false: "therapist B"}[who == s.a], func(t *testing.T) {
			as := appointmentsOf(t, who)
			if len(as) != 2 {
				t.Fatalf("saw %d appointments, want their own 2", len(as))
			}
			for _, a := range as {
				if a.TherapistID != who {
					t.Errorf("saw appointment %s of therapist %s", a.AppointmentID, a.TherapistID)
				}
				if a.Location != "Room 4" {
					t.Errorf("location opened as %q", a.Location)
				}
			}
			var user, role string
			if err := pool.QueryRow(ctx, `SELECT current_setting('caseledger.user_id', true),
				current_setting('caseledger.role', true)`).Scan(&user, &role); err != nil {
				t.Fatal(err)
			}
			if user != "" || role != "" {
				t.Errorf("after the read the connection still acts as %q (%q)", user, role)
			}
			if i%2 == 1 {
				if _, err := reader.Client(cancelled, therapist(who), s.bClients[0]); !errors.Is(err, context.Canceled) {
					t.Errorf("cancelled read: got %v, want context.Canceled", err)
				}
			}
		})
	}
}

// TestNoteWithAddendaIsNotFoundForOthers checks the note read, which fetches the note and its
// addenda in one round trip: the holder gets both, another therapist gets NotFound (not the
// addenda alone).
func TestNoteWithAddendaIsNotFoundForOthers(t *testing.T) {
	t.Parallel()
	s := seed(t)
	ctx := context.Background()
	notes, err := s.e.reader.Notes(ctx, therapist(s.a), s.aClients[0])
	if err != nil {
		t.Fatal(err)
	}
	var signed domain.ID
	for _, n := range notes {
		if n.Addenda > 0 {
			signed = n.NoteID
		}
	}
	if signed.IsZero() {
		t.Fatalf("no note with an addendum among %d notes", len(notes))
	}
	cases := []struct {
		name    string
		actor   domain.Actor
		addenda int
		err     error
	}{
		{"holder reads note and addendum", therapist(s.a), 1, nil},
		{"another therapist gets not found", therapist(s.b), 0, domain.ErrNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n, err := s.e.reader.Note(ctx, tc.actor, signed)
			if !errors.Is(err, tc.err) {
				t.Fatalf("got %v, want %v", err, tc.err)
			}
			if len(n.Addenda) != tc.addenda {
				t.Fatalf("got %d addenda, want %d", len(n.Addenda), tc.addenda)
			}
			if tc.addenda > 0 && n.Addenda[0].Text != "Corrected: the Ravensworth incident" {
				t.Errorf("addendum opened as %q", n.Addenda[0].Text)
			}
		})
	}
}

// TestClientConsentsAnswersNotFoundInOneRead checks ClientConsents, which learns whether the
// client is visible in the same round trip as the consents: the holder gets the signed consent;
// another therapist and an unknown client get NotFound, not an empty list.
func TestClientConsentsAnswersNotFoundInOneRead(t *testing.T) {
	t.Parallel()
	s := seed(t)
	ctx := context.Background()
	cases := []struct {
		name   string
		actor  domain.Actor
		client domain.ID
		want   int
		err    error
	}{
		{"holder", therapist(s.a), s.aClients[0], 1, nil},
		{"another therapist", therapist(s.b), s.aClients[0], 0, domain.ErrNotFound},
		{"unknown client", therapist(s.a), newID(), 0, domain.ErrNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cs, err := s.e.reader.ClientConsents(ctx, tc.actor, tc.client)
			if !errors.Is(err, tc.err) || len(cs) != tc.want {
				t.Fatalf("got %d consents (%v), want %d (%v)", len(cs), err, tc.want, tc.err)
			}
		})
	}
}
