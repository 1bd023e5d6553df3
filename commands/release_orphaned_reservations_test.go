package commands_test

import (
	"context"
	"testing"
	"time"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
)

// TestReleaseOrphanedReservations simulates a process that stopped after reserving a slot: the
// sweep frees that slot once the grace has passed, and leaves complete bookings alone.
func TestReleaseOrphanedReservations(t *testing.T) {
	t.Parallel()
	s := newSchedClinic(t)
	ctx := context.Background()
	complete := s.book(t, s.at(t, "2026-03-04", 10, 0))

	// The half-finished booking: a calendar reservation whose details were never written.
	c, _, loc, err := commands.LoadCalendar(ctx, s.deps, s.alice.UserID)
	must(t, err)
	orphan := newID(t)
	start := s.at(t, "2026-03-04", 14, 0)
	ev, err := c.Reserve(scheduling.ReserveRequest{AppointmentID: orphan, Slot: scheduling.Interval{Start: start, End: start.Add(50 * time.Minute)}}, s.clock.Now(), loc)
	must(t, err)
	must(t, appendCalendarEvent(t, s, ev))

	h := commands.NewReleaseOrphanedReservationsHandler(s.deps)
	_, err = h.Handle(ctx, s.alice, s.alice.UserID, time.Second)
	wantKind(t, err, domain.KindInvalid, "invalid_grace")
	_, err = h.Handle(ctx, s.bob, s.alice.UserID, 5*time.Minute)
	wantKind(t, err, domain.KindNotFound, "calendar_not_found")

	released, err := h.Handle(ctx, s.alice, s.alice.UserID, 5*time.Minute)
	must(t, err)
	if len(released) != 0 {
		t.Fatalf("released %v inside the grace period", released)
	}
	s.clock.Advance(6 * time.Minute)
	released, err = h.Handle(ctx, domain.Actor{Role: domain.RoleSystem}, s.alice.UserID, 5*time.Minute)
	must(t, err)
	if len(released) != 1 || released[0] != orphan {
		t.Fatalf("released %v, want only %s", released, orphan)
	}
	c, _, _, err = commands.LoadCalendar(ctx, s.deps, s.alice.UserID)
	must(t, err)
	if r, _ := c.Reservation(orphan); r.Status != scheduling.StatusBookingFailed {
		t.Errorf("orphan is %s", r.Status)
	}
	if r, _ := c.Reservation(complete); r.Status != scheduling.StatusBooked {
		t.Errorf("complete booking is %s", r.Status)
	}
	s.book(t, start) // the slot is free again
}
