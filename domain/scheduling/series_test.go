package scheduling_test

import (
	"errors"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
)

// weekly returns n weekly occurrences of length minutes from the local time of first.
func weekly(tb testing.TB, first time.Time, n, minutes int, loc *time.Location) []scheduling.Occurrence {
	tb.Helper()
	out := make([]scheduling.Occurrence, n)
	for i := range out {
		l := first.In(loc)
		s := time.Date(l.Year(), l.Month(), l.Day()+7*i, l.Hour(), l.Minute(), 0, 0, loc)
		out[i] = scheduling.Occurrence{AppointmentID: newID(tb), Slot: scheduling.Interval{Start: s, End: s.Add(time.Duration(minutes) * time.Minute)}}
	}
	return out
}

func TestReserveSeriesReportsEveryConflict(t *testing.T) {
	t.Parallel()
	loc := mustLoc(t, london)
	now := utc(t, mondayMorning)
	c := newCalendar(t)
	// Tuesdays 10:00 BST from 2 June: the 16 June one clashes with a booking, 23 June is a holiday.
	book(t, c, iv(t, "2026-06-16T09:30:00Z", 50), now)
	ev, err := c.SetException(scheduling.DayException{Date: date(t, "2026-06-23"), Closed: true})
	if err != nil {
		t.Fatal(err)
	}
	c.Apply(ev)
	series := newID(t)
	occ := weekly(t, utc(t, "2026-06-02T09:00:00Z"), 6, 50, loc)
	_, err = c.ReserveSeries(series, occ, now, loc)
	var sce *scheduling.SeriesConflictError
	if !errors.As(err, &sce) {
		t.Fatalf("got %v, want a series conflict", err)
	}
	if !errors.Is(err, domain.ErrConflict) || domain.KindOf(err) != domain.KindConflict {
		t.Fatalf("series conflict is not KindConflict: %v", err)
	}
	want := []scheduling.OccurrenceConflict{
		{Index: 2, Start: occ[2].Slot.Start, Code: "slot_taken"},
		{Index: 3, Start: occ[3].Slot.Start, Code: "outside_availability"},
	}
	if len(sce.Conflicts) != len(want) {
		t.Fatalf("conflicts %+v, want %+v", sce.Conflicts, want)
	}
	for i := range want {
		if sce.Conflicts[i].Index != want[i].Index || sce.Conflicts[i].Code != want[i].Code || !sce.Conflicts[i].Start.Equal(want[i].Start) {
			t.Errorf("conflict %d = %+v, want %+v", i, sce.Conflicts[i], want[i])
		}
	}

	t.Run("without conflicts all are booked", func(t *testing.T) {
		evs, err := c.ReserveSeries(series, weekly(t, utc(t, "2026-06-03T09:00:00Z"), 4, 50, loc), now, loc)
		if err != nil || len(evs) != 4 {
			t.Fatalf("got %d events, %v", len(evs), err)
		}
		for _, e := range evs {
			if e.SeriesID != series {
				t.Errorf("series id %s", e.SeriesID)
			}
		}
	})
	t.Run("occurrences overlapping each other", func(t *testing.T) {
		o := weekly(t, utc(t, "2026-06-04T09:00:00Z"), 1, 50, loc)
		o = append(o, scheduling.Occurrence{AppointmentID: newID(t), Slot: iv(t, "2026-06-04T09:30:00Z", 50)})
		_, err := c.ReserveSeries(newID(t), o, now, loc)
		if !errors.As(err, &sce) || len(sce.Conflicts) != 1 || sce.Conflicts[0].Code != "series_overlaps_itself" {
			t.Fatalf("got %v", err)
		}
	})
}

// TestSeriesKeepsWallClockAcrossDST books a weekly Tuesday 10:00 London series across the March
// change, then moves this-and-following to Wednesdays 14:00: every occurrence stays at its local
// time while its UTC instant shifts by an hour.
func TestSeriesKeepsWallClockAcrossDST(t *testing.T) {
	t.Parallel()
	loc := mustLoc(t, london)
	now := utc(t, "2026-03-16T08:00:00Z")
	c := newCalendar(t)
	series := newID(t)
	occ := weekly(t, utc(t, "2026-03-17T10:00:00Z"), 4, 50, loc) // 17, 24, 31 March, 7 April
	evs, err := c.ReserveSeries(series, occ, now, loc)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		c.Apply(e)
	}
	if got := occ[2].Slot.Start.UTC().Format(time.RFC3339); got != "2026-03-31T09:00:00Z" {
		t.Fatalf("31 March occurrence at %s, want 09:00Z (10:00 BST)", got)
	}
	moves, err := c.MoveSeriesFrom(series, occ[1].Slot.Start, utc(t, "2026-03-25T14:00:00Z"), 50*time.Minute, now, loc)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"2026-03-25T14:00:00Z", "2026-04-01T13:00:00Z", "2026-04-08T13:00:00Z"}
	if len(moves) != len(want) {
		t.Fatalf("moves %v", moves)
	}
	for i, m := range moves {
		if got := m.Start.UTC().Format(time.RFC3339); got != want[i] || m.AppointmentID != occ[i+1].AppointmentID {
			t.Errorf("move %d to %s (%s), want %s", i, got, m.AppointmentID, want[i])
		}
	}

	t.Run("cancel this and following", func(t *testing.T) {
		cxs, err := c.CancelSeriesFrom(series, occ[2].Slot.Start, domain.RoleTherapist, now)
		if err != nil || len(cxs) != 2 {
			t.Fatalf("got %d cancellations, %v", len(cxs), err)
		}
		if cxs[0].Event.AppointmentID != occ[2].AppointmentID || cxs[1].Event.AppointmentID != occ[3].AppointmentID {
			t.Errorf("cancelled %v", cxs)
		}
	})
	t.Run("move into a conflict lists it", func(t *testing.T) {
		book(t, c, iv(t, "2026-04-08T13:00:00Z", 50), now)
		_, err := c.MoveSeriesFrom(series, occ[1].Slot.Start, utc(t, "2026-03-25T14:00:00Z"), 50*time.Minute, now, loc)
		var sce *scheduling.SeriesConflictError
		if !errors.As(err, &sce) || len(sce.Conflicts) != 1 || sce.Conflicts[0].Index != 2 {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("unknown series", func(t *testing.T) {
		_, err := c.CancelSeriesFrom(newID(t), now, domain.RoleTherapist, now)
		assertCode(t, err, "series_not_found")
	})
}
