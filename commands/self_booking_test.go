package commands_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
)

// TestHoldThenBook walks the portal flow: a client searches, holds a slot, another client cannot
// take it, the first books it with the hold; a hold left to expire frees its slot by itself.
func TestHoldThenBook(t *testing.T) {
	t.Parallel()
	s := newSchedClinic(t)
	ctx := context.Background()
	other, otherActor := s.portalClient(t)

	day := s.at(t, "2026-03-04", 0, 0)
	q := scheduling.SlotQuery{From: day, To: day.Add(24 * time.Hour), Length: 50 * time.Minute}
	slots, err := commands.NewSlotSearchHandler(s.deps).Search(ctx, s.asClient(), s.alice.UserID, q)
	must(t, err)
	if len(slots) == 0 || !slots[0].Start.Equal(s.at(t, "2026-03-04", 9, 0)) {
		t.Fatalf("slots %v", slots)
	}
	holds := commands.NewHoldSlotHandler(s.deps)
	hold, err := holds.Hold(ctx, s.asClient(), commands.HoldSlot{TherapistID: s.alice.UserID, ServiceTypeID: s.service, Start: slots[0].Start, Duration: 50 * time.Minute})
	must(t, err)
	if !hold.ExpiresAt.Equal(s.clock.Now().Add(15 * time.Minute)) {
		t.Errorf("hold expires %s", hold.ExpiresAt)
	}
	after, err := commands.NewSlotSearchHandler(s.deps).Search(ctx, otherActor, s.alice.UserID, q)
	must(t, err)
	if len(after) >= len(slots) || after[0].Start.Equal(slots[0].Start) {
		t.Errorf("held slot still offered: %v", after[:1])
	}
	book := commands.NewBookAppointmentHandler(s.deps)
	b := s.booking(slots[0].Start)
	b.ClientID = other
	_, err = book.Handle(ctx, otherActor, b)
	wantKind(t, err, domain.KindConflict, "slot_held")

	mine := s.booking(slots[0].Start)
	mine.HoldID = hold.HoldID
	_, err = book.Handle(ctx, s.asClient(), mine)
	must(t, err)

	// A second hold, left to expire.
	hold2, err := holds.Hold(ctx, s.asClient(), commands.HoldSlot{TherapistID: s.alice.UserID, ServiceTypeID: s.service, Start: s.at(t, "2026-03-04", 14, 0), Duration: 50 * time.Minute})
	must(t, err)
	s.clock.Advance(16 * time.Minute)
	late := s.booking(s.at(t, "2026-03-04", 14, 0))
	late.HoldID = hold2.HoldID
	_, err = book.Handle(ctx, s.asClient(), late)
	wantKind(t, err, domain.KindConflict, "hold_expired")
	b.Start = s.at(t, "2026-03-04", 14, 0)
	_, err = book.Handle(ctx, otherActor, b)
	must(t, err)
	wantKind(t, holds.Release(ctx, s.asClient(), s.alice.UserID, hold2.HoldID), domain.KindNotFound, "hold_not_found")
}

func TestSlotSearchAccess(t *testing.T) {
	t.Parallel()
	s := newSchedClinic(t)
	ctx := context.Background()
	day := s.at(t, "2026-03-03", 0, 0)
	q := scheduling.SlotQuery{From: day, To: day.Add(24 * time.Hour), Length: 50 * time.Minute}
	cases := []struct {
		name  string
		actor domain.Actor
		kind  domain.Kind
		want  int
	}{
		{"therapist sees the whole day", s.alice, "", 29},
		{"manager sees the whole day", s.manager, "", 29},
		{"client sees only what they may self-book (a day's notice)", s.asClient(), "", 29},
		{"another therapist", s.bob, domain.KindNotFound, 0},
		{"auditor", s.auditor, domain.KindNotFound, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := commands.NewSlotSearchHandler(s.deps).Search(ctx, tc.actor, s.alice.UserID, q)
			if tc.kind != "" {
				wantKind(t, err, tc.kind, "calendar_not_found")
				return
			}
			must(t, err)
			if len(got) != tc.want {
				t.Errorf("%d slots, want %d", len(got), tc.want)
			}
		})
	}
	t.Run("client's notice cuts the next morning", func(t *testing.T) {
		t.Parallel()
		tomorrow := scheduling.SlotQuery{From: s.at(t, "2026-03-02", 0, 0), To: s.at(t, "2026-03-03", 12, 0), Length: 50 * time.Minute}
		got, err := commands.NewSlotSearchHandler(s.deps).Search(ctx, s.asClient(), s.alice.UserID, tomorrow)
		must(t, err)
		if len(got) == 0 || !got[0].Start.Equal(s.at(t, "2026-03-03", 9, 0)) {
			t.Fatalf("client slots %v", got)
		}
		all, err := commands.NewSlotSearchHandler(s.deps).Search(ctx, s.alice, s.alice.UserID, tomorrow)
		must(t, err)
		if len(all) <= len(got) {
			t.Errorf("therapist sees %d slots, client %d: the therapist should also see today's", len(all), len(got))
		}
	})
}

// TestWaitlistOffersFreedSlot cancels an appointment and lists the matching waitlisted clients
// in priority order.
func TestWaitlistOffersFreedSlot(t *testing.T) {
	t.Parallel()
	s := newSchedClinic(t)
	ctx := context.Background()
	w := commands.NewWaitlistHandler(s.deps)
	c1, c2, c3 := s.register(t, s.alice), s.register(t, s.alice), s.register(t, s.bob)
	e1, err := w.Join(ctx, s.alice, commands.JoinWaitlist{PracticeID: s.practiceID, ClientID: c1, TherapistID: s.alice.UserID, Priority: 10})
	must(t, err)
	asC2 := domain.Actor{UserID: c2, Role: domain.RoleClient}
	_, err = w.Join(ctx, asC2, commands.JoinWaitlist{PracticeID: s.practiceID, ClientID: c2, ServiceTypeID: s.service, Priority: 50})
	wantKind(t, err, domain.KindInvalid, "invalid_priority")
	e2, err := w.Join(ctx, asC2, commands.JoinWaitlist{PracticeID: s.practiceID, ClientID: c2, ServiceTypeID: s.service})
	must(t, err)
	_, err = w.Join(ctx, s.bob, commands.JoinWaitlist{PracticeID: s.practiceID, ClientID: c3, TherapistID: s.bob.UserID, Priority: 99})
	must(t, err)
	_, err = w.Join(ctx, s.bob, commands.JoinWaitlist{PracticeID: s.practiceID, ClientID: c1, Priority: 1})
	wantKind(t, err, domain.KindNotFound, "client_not_found")
	_, err = w.Join(ctx, s.alice, commands.JoinWaitlist{PracticeID: s.practiceID, ClientID: c1, Priority: 500})
	wantKind(t, err, domain.KindInvalid, "invalid_priority")

	id := s.book(t, s.at(t, "2026-03-04", 10, 0))
	out, err := commands.NewCancelAppointmentHandler(s.deps).Handle(ctx, s.asClient(), commands.CancelAppointment{AppointmentID: id})
	must(t, err)
	matches, err := w.Matches(ctx, s.alice, s.practiceID, s.alice.UserID, s.service, out.FreedSlot)
	must(t, err)
	if len(matches) != 2 || matches[0].EntryID != e1 || matches[0].ClientID != c1 || matches[1].EntryID != e2 || matches[1].ClientID != c2 {
		t.Fatalf("matches %+v; want the therapist's priority 10 before the client's own 0", matches)
	}
	_, err = w.Matches(ctx, s.bob, s.practiceID, s.alice.UserID, s.service, out.FreedSlot)
	wantKind(t, err, domain.KindNotFound, "waitlist_not_found")

	must(t, w.Leave(ctx, s.alice, s.practiceID, e1, "booked"))
	matches, err = w.Matches(ctx, s.alice, s.practiceID, s.alice.UserID, s.service, out.FreedSlot)
	must(t, err)
	if len(matches) != 1 || matches[0].EntryID != e2 {
		t.Fatalf("after leaving: %+v", matches)
	}
	wantKind(t, w.Leave(ctx, s.alice, s.practiceID, e1, "booked"), domain.KindNotFound, "waitlist_entry_not_found")
}

// TestOneHoldPerClient checks that a client holds at most one slot on a calendar: a new hold
// releases the earlier one (which another client can then hold), holding the same slot again
// works, a refused hold leaves the earlier one to be released by the next, and the calendar still
// names no client.
func TestOneHoldPerClient(t *testing.T) {
	t.Parallel()
	s := newSchedClinic(t)
	ctx := context.Background()
	other, otherActor := s.portalClient(t)
	holds := commands.NewHoldSlotHandler(s.deps)
	hold := func(actor domain.Actor, hh int) error {
		_, err := holds.Hold(ctx, actor, commands.HoldSlot{TherapistID: s.alice.UserID, ServiceTypeID: s.service, Start: s.at(t, "2026-03-04", hh, 0), Duration: 50 * time.Minute})
		return err
	}
	held := func() int {
		t.Helper()
		c, _, loc, err := commands.LoadCalendar(ctx, s.deps, s.alice.UserID)
		must(t, err)
		n := 0
		for hh := 9; hh < 17; hh++ {
			if _, err := c.HoldSlot(newID(t), scheduling.Interval{Start: s.at(t, "2026-03-04", hh, 0), End: s.at(t, "2026-03-04", hh, 50)}, s.service, s.clock.Now(), loc); err != nil {
				n++
			}
		}
		return n
	}

	must(t, hold(s.asClient(), 9))
	must(t, hold(s.asClient(), 10))
	if n := held(); n != 1 {
		t.Fatalf("%d slots held after the client's second hold; want 1", n)
	}
	must(t, hold(otherActor, 9)) // the client's first slot is free again
	must(t, hold(s.asClient(), 10))
	if n := held(); n != 2 {
		t.Fatalf("%d slots held after holding the same slot again; want 2 (one per client)", n)
	}
	if err := hold(s.asClient(), 9); err == nil {
		t.Fatal("the client held the other client's slot")
	}
	must(t, hold(s.asClient(), 11))
	if n := held(); n != 2 {
		t.Fatalf("%d slots held after a refused hold and a new one; want 2", n)
	}
	recs, err := s.store.ReadStream(ctx, commands.CalendarStream(s.alice.UserID), 0, 1000)
	must(t, err)
	for _, r := range recs {
		if strings.Contains(string(r.Payload), s.client.String()) || strings.Contains(string(r.Payload), other.String()) {
			t.Fatalf("the calendar's %s names a client", r.Type)
		}
	}
}
