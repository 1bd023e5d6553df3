package commands_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/keyring"
)

// TestCalendarSurvivesClientErasure shreds a client's key: the therapist's calendar still loads
// and keeps the slot busy (anonymously), while the appointment's details, the client's waitlist
// entry and any new booking for the client are gone.
func TestCalendarSurvivesClientErasure(t *testing.T) {
	t.Parallel()
	s := newSchedClinic(t)
	ctx := context.Background()
	start := s.at(t, "2026-03-04", 10, 0)
	id := s.book(t, start)
	w := commands.NewWaitlistHandler(s.deps)
	_, err := w.Join(ctx, s.alice, commands.JoinWaitlist{PracticeID: s.practiceID, ClientID: s.client, Priority: 5})
	must(t, err)

	_, err = s.keys.Shred(ctx, uuid.UUID(s.client), keyring.ShredRequest{
		RequestID: uuid.New(), Stream: commands.ClientStream(s.client),
		Actor: eventstore.Actor{UserID: uuid.UUID(s.dpo.UserID), Role: string(domain.RoleDPO)},
	})
	must(t, err)

	c, _, _, err := commands.LoadCalendar(ctx, s.deps, s.alice.UserID)
	must(t, err)
	if r, ok := c.Reservation(id); !ok || r.Status != scheduling.StatusBooked {
		t.Fatalf("reservation after erasure: %+v %v", r, ok)
	}
	_, _, err = commands.LoadAppointment(ctx, s.deps, s.alice, id)
	wantKind(t, err, domain.KindErased, "appointment_erased")
	_, err = commands.NewCancelAppointmentHandler(s.deps).Handle(ctx, s.alice, commands.CancelAppointment{AppointmentID: id})
	wantKind(t, err, domain.KindErased, "")

	matches, err := w.Matches(ctx, s.alice, s.practiceID, s.alice.UserID, s.service, scheduling.Interval{Start: start.Add(3 * time.Hour), End: start.Add(4 * time.Hour)})
	must(t, err)
	if len(matches) != 0 {
		t.Fatalf("erased client still on the waitlist: %+v", matches)
	}
	_, err = commands.NewBookAppointmentHandler(s.deps).Handle(ctx, s.alice, s.booking(start.Add(3*time.Hour)))
	wantKind(t, err, domain.KindErased, "client_erased")
	free, err := commands.NewSlotSearchHandler(s.deps).Search(ctx, s.alice, s.alice.UserID, scheduling.SlotQuery{From: start.Add(-time.Hour), To: start.Add(2 * time.Hour), Length: 50 * time.Minute})
	must(t, err)
	for _, f := range free {
		if f.Overlaps(scheduling.Interval{Start: start, End: start.Add(50 * time.Minute)}) {
			t.Fatalf("erased client's slot offered as free: %v", f)
		}
	}
}

func TestCalendarSettings(t *testing.T) {
	t.Parallel()
	s := newSchedClinic(t)
	ctx := context.Background()
	cfg := commands.NewConfigureCalendarHandler(s.deps)
	av := commands.NewSetAvailabilityHandler(s.deps)
	good := scheduling.Policy{TimeZone: "Europe/London", SlotStepMinutes: 15}
	day := scheduling.Date{Year: 2026, Month: 3, Day: 7}
	cases := []struct {
		name string
		run  func() error
		kind domain.Kind
		code string
	}{
		{"unknown zone", func() error {
			p := good
			p.TimeZone = "Mars/Olympus_Mons"
			return cfg.Handle(ctx, s.alice, commands.ConfigureCalendar{TherapistID: s.alice.UserID, Policy: p})
		}, domain.KindInvalid, "invalid_time_zone"},
		{"server-local zone refused", func() error {
			p := good
			p.TimeZone = "Local"
			return cfg.Handle(ctx, s.alice, commands.ConfigureCalendar{TherapistID: s.alice.UserID, Policy: p})
		}, domain.KindInvalid, "invalid_time_zone"},
		{"another therapist's calendar", func() error {
			return cfg.Handle(ctx, s.bob, commands.ConfigureCalendar{TherapistID: s.alice.UserID, Policy: good})
		}, domain.KindNotFound, "calendar_not_found"},
		{"manager may not change hours", func() error {
			return av.SetWeeklyHours(ctx, s.manager, s.alice.UserID, nil)
		}, domain.KindNotFound, "calendar_not_found"},
		{"admin may", func() error {
			return cfg.Handle(ctx, s.admin, commands.ConfigureCalendar{TherapistID: s.alice.UserID, Policy: good})
		}, "", ""},
		{"overlapping hours", func() error {
			return av.SetWeeklyHours(ctx, s.alice, s.alice.UserID, scheduling.WeeklyHours{
				{Weekday: 1, LocalRange: scheduling.LocalRange{Start: 540, End: 720}},
				{Weekday: 1, LocalRange: scheduling.LocalRange{Start: 600, End: 800}},
			})
		}, domain.KindInvalid, "invalid_weekly_hours"},
		{"clearing a date without an exception", func() error {
			return av.ClearException(ctx, s.alice, s.alice.UserID, day)
		}, domain.KindNotFound, "exception_not_found"},
		{"unconfigured calendar takes no hours", func() error {
			return av.SetWeeklyHours(ctx, s.bob, s.bob.UserID, nil)
		}, domain.KindConflict, "calendar_not_configured"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			if tc.kind == "" {
				must(t, err)
				return
			}
			wantKind(t, err, tc.kind, tc.code)
		})
	}
	t.Run("a Saturday exception opens the day, clearing it closes it again", func(t *testing.T) {
		sat := s.at(t, "2026-03-07", 10, 0)
		must(t, av.SetException(ctx, s.alice, s.alice.UserID, scheduling.DayException{Date: day, Hours: []scheduling.LocalRange{{Start: 600, End: 720}}}))
		s.book(t, sat)
		must(t, av.ClearException(ctx, s.alice, s.alice.UserID, day))
		_, err := commands.NewBookAppointmentHandler(s.deps).Handle(ctx, s.alice, s.booking(sat.Add(time.Hour)))
		wantKind(t, err, domain.KindConflict, "outside_availability")
	})
}
