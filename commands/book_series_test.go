package commands_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
)

func (s *schedClinic) series(start time.Time, rule string) commands.BookSeries {
	return commands.BookSeries{
		TherapistID: s.alice.UserID, ClientID: s.client, ServiceTypeID: s.service,
		Start: start, Duration: 50 * time.Minute, Rule: rule, Place: scheduling.Place{VideoLink: "https://video.example/r/1"},
	}
}

// TestBookSeriesRules expands weekly, fortnightly and custom rules in the calendar's zone: the
// London series crosses the change to summer time on 29 March 2026 and stays at 10:00 local.
func TestBookSeriesRules(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, rule string
		wantUTC    []string
	}{
		{"weekly across the spring change", "FREQ=WEEKLY;COUNT=4",
			[]string{"2026-03-17T10:00:00Z", "2026-03-24T10:00:00Z", "2026-03-31T09:00:00Z", "2026-04-07T09:00:00Z"}},
		{"fortnightly", "RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=3",
			[]string{"2026-03-17T10:00:00Z", "2026-03-31T09:00:00Z", "2026-04-14T09:00:00Z"}},
		{"custom: Tuesdays and Thursdays until 26 March", "FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20260326T235959Z",
			[]string{"2026-03-17T10:00:00Z", "2026-03-19T10:00:00Z", "2026-03-24T10:00:00Z", "2026-03-26T10:00:00Z"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSchedClinic(t)
			ctx := context.Background()
			res, err := commands.NewBookSeriesHandler(s.deps).Handle(ctx, s.alice, s.series(s.at(t, "2026-03-17", 10, 0), tc.rule))
			must(t, err)
			if len(res.Appointments) != len(tc.wantUTC) {
				t.Fatalf("%d occurrences, want %d", len(res.Appointments), len(tc.wantUTC))
			}
			for i, id := range res.Appointments {
				a, _, err := commands.LoadAppointment(ctx, s.deps, s.asClient(), id)
				must(t, err)
				if got := a.Slot().Start.UTC().Format(time.RFC3339); got != tc.wantUTC[i] {
					t.Errorf("occurrence %d at %s, want %s", i, got, tc.wantUTC[i])
				}
				if a.Series() != res.SeriesID {
					t.Errorf("occurrence %d in series %s", i, a.Series())
				}
			}
		})
	}
}

// TestBookSeriesNewYork crosses the autumn change in New York: 09:00 local throughout.
func TestBookSeriesNewYork(t *testing.T) {
	t.Parallel()
	s := newSchedClinic(t)
	ctx := context.Background()
	ny, err := time.LoadLocation("America/New_York")
	must(t, err)
	must(t, commands.NewConfigureCalendarHandler(s.deps).Handle(ctx, s.alice, commands.ConfigureCalendar{
		TherapistID: s.alice.UserID, Policy: scheduling.Policy{TimeZone: "America/New_York", SlotStepMinutes: 15},
	}))
	s.clock.Advance(230 * 24 * time.Hour) // mid-October 2026
	res, err := commands.NewBookSeriesHandler(s.deps).Handle(ctx, s.alice, s.series(time.Date(2026, 10, 27, 9, 0, 0, 0, ny), "FREQ=WEEKLY;COUNT=2"))
	must(t, err)
	want := []string{"2026-10-27T13:00:00Z", "2026-11-03T14:00:00Z"}
	for i, id := range res.Appointments {
		a, _, err := commands.LoadAppointment(ctx, s.deps, s.alice, id)
		must(t, err)
		if got := a.Slot().Start.UTC().Format(time.RFC3339); got != want[i] {
			t.Errorf("occurrence %d at %s, want %s", i, got, want[i])
		}
	}
}

func TestBookSeriesRefuses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, rule string
		actor      func(s *schedClinic) domain.Actor
		kind       domain.Kind
		code       string
	}{
		{"no end", "FREQ=WEEKLY", nil, domain.KindInvalid, "invalid_rule"},
		{"hourly", "FREQ=HOURLY;COUNT=3", nil, domain.KindInvalid, "invalid_rule"},
		{"not a rule", "every tuesday", nil, domain.KindInvalid, "invalid_rule"},
		{"too many", "FREQ=DAILY;COUNT=500", nil, domain.KindInvalid, "invalid_rule"},
		{"client may not book a series", "FREQ=WEEKLY;COUNT=2", func(s *schedClinic) domain.Actor { return s.asClient() }, domain.KindNotFound, "client_not_found"},
		{"manager may not book a series", "FREQ=WEEKLY;COUNT=2", func(s *schedClinic) domain.Actor { return s.manager }, domain.KindForbidden, "booking_not_allowed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSchedClinic(t)
			a := s.alice
			if tc.actor != nil {
				a = tc.actor(s)
			}
			_, err := commands.NewBookSeriesHandler(s.deps).Handle(context.Background(), a, s.series(s.at(t, "2026-03-17", 10, 0), tc.rule))
			wantKind(t, err, tc.kind, tc.code)
		})
	}
}

// TestBookSeriesReportsConflicts books nothing when occurrences conflict and names each one.
func TestBookSeriesReportsConflicts(t *testing.T) {
	t.Parallel()
	s := newSchedClinic(t)
	ctx := context.Background()
	s.book(t, s.at(t, "2026-03-24", 10, 30))
	must(t, commands.NewSetAvailabilityHandler(s.deps).SetException(ctx, s.alice, s.alice.UserID, scheduling.DayException{Date: scheduling.Date{Year: 2026, Month: 4, Day: 7}, Closed: true}))
	_, err := commands.NewBookSeriesHandler(s.deps).Handle(ctx, s.alice, s.series(s.at(t, "2026-03-17", 10, 0), "FREQ=WEEKLY;COUNT=5"))
	var sce *scheduling.SeriesConflictError
	if !errors.As(err, &sce) {
		t.Fatalf("got %v, want a series conflict", err)
	}
	wantKind(t, err, domain.KindConflict, "series_conflict")
	got := map[int]string{}
	for _, c := range sce.Conflicts {
		got[c.Index] = c.Code
	}
	if len(got) != 2 || got[1] != "slot_taken" || got[3] != "outside_availability" {
		t.Fatalf("conflicts %+v", sce.Conflicts)
	}
	c, _, _, err := commands.LoadCalendar(ctx, s.deps, s.alice.UserID)
	must(t, err)
	if n := len(c.Reservations(s.at(t, "2026-03-16", 0, 0), s.at(t, "2026-04-30", 0, 0))); n != 1 {
		t.Fatalf("calendar holds %d reservations, want only the earlier booking", n)
	}
}

// TestChangeSeriesFrom cancels or moves this-and-following occurrences.
func TestChangeSeriesFrom(t *testing.T) {
	t.Parallel()
	t.Run("cancel this and following", func(t *testing.T) {
		t.Parallel()
		s := newSchedClinic(t)
		ctx := context.Background()
		res, err := commands.NewBookSeriesHandler(s.deps).Handle(ctx, s.alice, s.series(s.at(t, "2026-03-17", 10, 0), "FREQ=WEEKLY;COUNT=4"))
		must(t, err)
		cxs, err := commands.NewChangeSeriesHandler(s.deps).CancelFrom(ctx, s.asClient(), res.Appointments[1], "ending therapy")
		must(t, err)
		if len(cxs) != 3 {
			t.Fatalf("%d cancellations, want 3", len(cxs))
		}
		for i, id := range res.Appointments {
			a, _, err := commands.LoadAppointment(ctx, s.deps, s.alice, id)
			must(t, err)
			want := scheduling.StatusCancelled
			if i == 0 {
				want = scheduling.StatusBooked
			}
			if a.Status() != want {
				t.Errorf("occurrence %d is %s, want %s", i, a.Status(), want)
			}
		}
	})
	t.Run("move this and following across the spring change", func(t *testing.T) {
		t.Parallel()
		s := newSchedClinic(t)
		ctx := context.Background()
		res, err := commands.NewBookSeriesHandler(s.deps).Handle(ctx, s.alice, s.series(s.at(t, "2026-03-17", 10, 0), "FREQ=WEEKLY;COUNT=4"))
		must(t, err)
		h := commands.NewChangeSeriesHandler(s.deps)
		wantKind(t, h.MoveFrom(ctx, s.asClient(), res.Appointments[1], s.at(t, "2026-03-25", 14, 0), 0, ""), domain.KindForbidden, "therapist_only")
		must(t, h.MoveFrom(ctx, s.alice, res.Appointments[1], s.at(t, "2026-03-25", 14, 0), 0, "room change"))
		want := []string{"2026-03-17T10:00:00Z", "2026-03-25T14:00:00Z", "2026-04-01T13:00:00Z", "2026-04-08T13:00:00Z"}
		for i, id := range res.Appointments {
			a, _, err := commands.LoadAppointment(ctx, s.deps, s.alice, id)
			must(t, err)
			if got := a.Slot().Start.UTC().Format(time.RFC3339); got != want[i] {
				t.Errorf("occurrence %d at %s, want %s", i, got, want[i])
			}
		}
	})
	t.Run("single appointment is not a series", func(t *testing.T) {
		t.Parallel()
		s := newSchedClinic(t)
		id := s.book(t, s.at(t, "2026-03-17", 10, 0))
		_, err := commands.NewChangeSeriesHandler(s.deps).CancelFrom(context.Background(), s.alice, id, "")
		wantKind(t, err, domain.KindConflict, "not_in_series")
	})
}
