package commands_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/practice"
	"github.com/caseledger/caseledger/domain/scheduling"
	"github.com/caseledger/caseledger/eventstore"
)

func TestBookAppointment(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		run   func(tb testing.TB, s *schedClinic) (commands.Booking, error)
		kind  domain.Kind
		code  string
		check func(tb testing.TB, s *schedClinic, b commands.Booking)
	}{
		{"therapist books own client", func(tb testing.TB, s *schedClinic) (commands.Booking, error) {
			return commands.NewBookAppointmentHandler(s.deps).Handle(context.Background(), s.alice, s.booking(s.at(tb, "2026-03-03", 10, 0)))
		}, "", "", func(tb testing.TB, s *schedClinic, b commands.Booking) {
			a, _, err := commands.LoadAppointment(context.Background(), s.deps, s.alice, b.AppointmentID)
			must(tb, err)
			if a.Client() != s.client || a.Status() != scheduling.StatusBooked || a.Location() != "Room 2" {
				tb.Errorf("appointment %+v", a)
			}
		}},
		{"overlapping slot", func(tb testing.TB, s *schedClinic) (commands.Booking, error) {
			s.book(tb, s.at(tb, "2026-03-03", 10, 0))
			return commands.NewBookAppointmentHandler(s.deps).Handle(context.Background(), s.alice, s.booking(s.at(tb, "2026-03-03", 10, 30)))
		}, domain.KindConflict, "slot_taken", nil},
		{"inside the buffer", func(tb testing.TB, s *schedClinic) (commands.Booking, error) {
			s.book(tb, s.at(tb, "2026-03-03", 10, 0))
			return commands.NewBookAppointmentHandler(s.deps).Handle(context.Background(), s.alice, s.booking(s.at(tb, "2026-03-03", 10, 55)))
		}, domain.KindConflict, "slot_taken", nil},
		{"outside working hours", func(tb testing.TB, s *schedClinic) (commands.Booking, error) {
			return commands.NewBookAppointmentHandler(s.deps).Handle(context.Background(), s.alice, s.booking(s.at(tb, "2026-03-03", 16, 30)))
		}, domain.KindConflict, "outside_availability", nil},
		{"another therapist's client looks missing", func(tb testing.TB, s *schedClinic) (commands.Booking, error) {
			b := s.booking(s.at(tb, "2026-03-03", 10, 0))
			b.TherapistID = s.bob.UserID
			return commands.NewBookAppointmentHandler(s.deps).Handle(context.Background(), s.bob, b)
		}, domain.KindNotFound, "client_not_found", nil},
		{"booking on another therapist's calendar", func(tb testing.TB, s *schedClinic) (commands.Booking, error) {
			return commands.NewBookAppointmentHandler(s.deps).Handle(context.Background(), s.bob, s.booking(s.at(tb, "2026-03-03", 10, 0)))
		}, domain.KindNotFound, "client_not_found", nil},
		{"practice manager may not book", func(tb testing.TB, s *schedClinic) (commands.Booking, error) {
			return commands.NewBookAppointmentHandler(s.deps).Handle(context.Background(), s.manager, s.booking(s.at(tb, "2026-03-03", 10, 0)))
		}, domain.KindForbidden, "booking_not_allowed", nil},
		{"no consent blocks", func(tb testing.TB, s *schedClinic) (commands.Booking, error) {
			b := s.booking(s.at(tb, "2026-03-03", 10, 0))
			b.ClientID = s.register(tb, s.alice)
			return commands.NewBookAppointmentHandler(s.deps).Handle(context.Background(), s.alice, b)
		}, domain.KindConflict, "consent_missing", nil},
		{"no consent warns under the warn rule", func(tb testing.TB, s *schedClinic) (commands.Booking, error) {
			must(tb, commands.NewPracticeSettingsHandler(s.deps).SetConsentRule(context.Background(), s.admin, s.practiceID, practice.ConsentWarn))
			b := s.booking(s.at(tb, "2026-03-03", 10, 0))
			b.ClientID = s.register(tb, s.alice)
			return commands.NewBookAppointmentHandler(s.deps).Handle(context.Background(), s.alice, b)
		}, "", "", func(tb testing.TB, s *schedClinic, b commands.Booking) {
			if b.ConsentWarning != "consent_missing" {
				tb.Errorf("warning %q", b.ConsentWarning)
			}
		}},
		{"restricted client (Art. 18) cannot be booked", func(tb testing.TB, s *schedClinic) (commands.Booking, error) {
			must(tb, commands.NewRestrictProcessingHandler(s.deps).Handle(context.Background(), s.dpo, commands.RestrictProcessing{ClientID: s.client, Ground: client.RestrictAccuracyContested}))
			return commands.NewBookAppointmentHandler(s.deps).Handle(context.Background(), s.alice, s.booking(s.at(tb, "2026-03-03", 10, 0)))
		}, domain.KindConflict, "processing_restricted", nil},
		{"zero duration", func(tb testing.TB, s *schedClinic) (commands.Booking, error) {
			b := s.booking(s.at(tb, "2026-03-03", 10, 0))
			b.Duration = 0
			return commands.NewBookAppointmentHandler(s.deps).Handle(context.Background(), s.alice, b)
		}, domain.KindInvalid, "invalid_duration", nil},
		{"no service type", func(tb testing.TB, s *schedClinic) (commands.Booking, error) {
			b := s.booking(s.at(tb, "2026-03-03", 10, 0))
			b.ServiceTypeID = domain.ID{}
			return commands.NewBookAppointmentHandler(s.deps).Handle(context.Background(), s.alice, b)
		}, domain.KindInvalid, "invalid_service_type_id", nil},
		{"service type the practice does not offer", func(tb testing.TB, s *schedClinic) (commands.Booking, error) {
			b := s.booking(s.at(tb, "2026-03-03", 10, 0))
			b.ServiceTypeID = newID(tb)
			return commands.NewBookAppointmentHandler(s.deps).Handle(context.Background(), s.alice, b)
		}, domain.KindNotFound, "service_type_not_found", nil},
		{"hold passed by a therapist", func(tb testing.TB, s *schedClinic) (commands.Booking, error) {
			b := s.booking(s.at(tb, "2026-03-03", 10, 0))
			b.HoldID = newID(tb)
			return commands.NewBookAppointmentHandler(s.deps).Handle(context.Background(), s.alice, b)
		}, domain.KindInvalid, "invalid_hold_id", nil},
		{"no place", func(tb testing.TB, s *schedClinic) (commands.Booking, error) {
			b := s.booking(s.at(tb, "2026-03-03", 10, 0))
			b.Place = scheduling.Place{}
			return commands.NewBookAppointmentHandler(s.deps).Handle(context.Background(), s.alice, b)
		}, domain.KindInvalid, "invalid_location", nil},
		{"client self-books: first booking waits for approval", func(tb testing.TB, s *schedClinic) (commands.Booking, error) {
			return commands.NewBookAppointmentHandler(s.deps).Handle(context.Background(), s.asClient(), s.booking(s.at(tb, "2026-03-04", 10, 0)))
		}, "", "", func(tb testing.TB, s *schedClinic, b commands.Booking) {
			if !b.PendingApproval {
				tb.Error("first self-booking not pending approval")
			}
		}},
		{"client self-books after an established booking: no approval", func(tb testing.TB, s *schedClinic) (commands.Booking, error) {
			s.book(tb, s.at(tb, "2026-03-03", 10, 0))
			return commands.NewBookAppointmentHandler(s.deps).Handle(context.Background(), s.asClient(), s.booking(s.at(tb, "2026-03-04", 10, 0)))
		}, "", "", func(tb testing.TB, s *schedClinic, b commands.Booking) {
			if b.PendingApproval {
				tb.Error("established client's self-booking pending approval")
			}
		}},
		{"client self-books without a place: the self-booking rules' place", func(tb testing.TB, s *schedClinic) (commands.Booking, error) {
			b := s.booking(s.at(tb, "2026-03-04", 10, 0))
			b.Place = scheduling.Place{}
			return commands.NewBookAppointmentHandler(s.deps).Handle(context.Background(), s.asClient(), b)
		}, "", "", func(tb testing.TB, s *schedClinic, b commands.Booking) {
			got, err := commands.NewReadOwnDataHandler(s.deps).Appointments(context.Background(), s.asClient(), s.client, time.Time{})
			must(tb, err)
			if len(got) != 1 || got[0].ID != b.AppointmentID || got[0].Location != "Room 2" || got[0].VideoLink != "" {
				tb.Errorf("self-booked appointments %+v; want one in the rules' Room 2", got)
			}
		}},
		{"client self-books without a place on rules that name none", func(tb testing.TB, s *schedClinic) (commands.Booking, error) {
			// Rules enabled before they recorded a place: written as an event, as Validate refuses them now.
			must(tb, appendCalendarEvent(tb, s, scheduling.SelfBookingRulesSet{Rules: scheduling.SelfBookingRules{Enabled: true, HorizonDays: 28, HoldMinutes: 15}}))
			b := s.booking(s.at(tb, "2026-03-04", 10, 0))
			b.Place = scheduling.Place{}
			return commands.NewBookAppointmentHandler(s.deps).Handle(context.Background(), s.asClient(), b)
		}, domain.KindInvalid, "invalid_location", nil},
		{"client self-books without a place while self-booking is off", func(tb testing.TB, s *schedClinic) (commands.Booking, error) {
			must(tb, commands.NewSetAvailabilityHandler(s.deps).SetSelfBookingRules(context.Background(), s.alice, s.alice.UserID, scheduling.SelfBookingRules{}))
			b := s.booking(s.at(tb, "2026-03-04", 10, 0))
			b.Place = scheduling.Place{}
			return commands.NewBookAppointmentHandler(s.deps).Handle(context.Background(), s.asClient(), b)
		}, domain.KindForbidden, "self_booking_disabled", nil},
		{"client self-booking with too little notice", func(tb testing.TB, s *schedClinic) (commands.Booking, error) {
			return commands.NewBookAppointmentHandler(s.deps).Handle(context.Background(), s.asClient(), s.booking(s.at(tb, "2026-03-02", 15, 0)))
		}, domain.KindConflict, "too_short_notice", nil},
		{"client booking for someone else", func(tb testing.TB, s *schedClinic) (commands.Booking, error) {
			other := domain.Actor{UserID: s.register(tb, s.alice), Role: domain.RoleClient}
			return commands.NewBookAppointmentHandler(s.deps).Handle(context.Background(), other, s.booking(s.at(tb, "2026-03-04", 10, 0)))
		}, domain.KindNotFound, "client_not_found", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSchedClinic(t)
			b, err := tc.run(t, s)
			if tc.kind != "" {
				wantKind(t, err, tc.kind, tc.code)
				return
			}
			must(t, err)
			if tc.check != nil {
				tc.check(t, s, b)
			}
		})
	}
}

// TestBookingSealsClientData checks that no appointment detail is readable in the log's
// plaintext: the calendar holds only ids and times (not even the self-booking client as actor),
// the appointment stream and the client's schedule are ciphertext under the client's key.
func TestBookingSealsClientData(t *testing.T) {
	t.Parallel()
	s := newSchedClinic(t)
	b := s.booking(s.at(t, "2026-03-04", 10, 0))
	b.Place = scheduling.Place{Location: "Room " + secret, VideoLink: "https://video.example/" + secret}
	res, err := commands.NewBookAppointmentHandler(s.deps).Handle(context.Background(), s.asClient(), b)
	must(t, err)
	ctx := context.Background()
	calendar := commands.CalendarStream(s.alice.UserID)
	for _, stream := range []eventstore.StreamID{calendar, commands.AppointmentStream(res.AppointmentID), commands.ClientScheduleStream(s.client)} {
		recs, err := s.store.ReadStream(ctx, stream, 0, 100)
		must(t, err)
		for _, r := range recs {
			if strings.Contains(string(r.Payload), secret) || strings.Contains(string(r.Payload), s.client.String()) {
				t.Errorf("%s %s holds client data in plaintext", stream, r.Type)
			}
			if stream == calendar && r.Actor.UserID.String() == s.client.String() {
				t.Errorf("%s %s names the client as its actor", stream, r.Type)
			}
			if stream != calendar && r.Subject.String() != s.client.String() {
				t.Errorf("%s %s not sealed under the client", stream, r.Type)
			}
		}
	}
}

// TestConcurrentBookingsOneWinner races goroutines for overlapping slots of one calendar on the
// in-memory store, through one process's calendar writer: exactly one wins, every loser fails
// with slot_taken.
func TestConcurrentBookingsOneWinner(t *testing.T) {
	t.Parallel()
	s := newSchedClinic(t)
	assertOneWinner(t, s, 16, func(int) commands.Deps { return s.deps })
}

// assertOneWinner books n overlapping slots concurrently (starts 5 minutes apart), goroutine i
// through depsFor(i), and checks exactly one booking succeeded, the others failed with
// slot_taken, and the calendar holds one.
func assertOneWinner(tb testing.TB, s *schedClinic, n int, depsFor func(i int) commands.Deps) {
	tb.Helper()
	base := s.at(tb, "2026-03-05", 11, 0)
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		h := commands.NewBookAppointmentHandler(depsFor(i))
		wg.Go(func() {
			_, errs[i] = h.Handle(context.Background(), s.alice, s.booking(base.Add(time.Duration(i%8)*5*time.Minute)))
		})
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		if err == nil {
			wins++
			continue
		}
		wantKind(tb, err, domain.KindConflict, "slot_taken")
	}
	if wins != 1 {
		tb.Fatalf("%d bookings won, want exactly 1", wins)
	}
	c, _, _, err := commands.LoadCalendar(context.Background(), s.deps, s.alice.UserID)
	must(tb, err)
	if got := c.Reservations(base.Add(-time.Hour), base.Add(2*time.Hour)); len(got) != 1 {
		tb.Fatalf("calendar holds %d reservations, want 1", len(got))
	}
}

// TestRefusedBookingWritesNothing checks that a booking refused for bad input, a rule or
// authorisation appends nothing to the log.
func TestRefusedBookingWritesNothing(t *testing.T) {
	t.Parallel()
	s := newSchedClinic(t)
	ctx := context.Background()
	s.book(t, s.at(t, "2026-03-03", 10, 0))
	cases := []struct {
		name  string
		actor domain.Actor
		edit  func(b *commands.BookAppointment)
	}{
		{"invalid video link", s.alice, func(b *commands.BookAppointment) { b.Place = scheduling.Place{VideoLink: "javascript:alert(1)"} }},
		{"too long", s.alice, func(b *commands.BookAppointment) { b.Duration = 9 * time.Hour }},
		{"taken", s.alice, func(b *commands.BookAppointment) { b.Start = s.at(t, "2026-03-03", 10, 20) }},
		{"other therapist", s.bob, func(b *commands.BookAppointment) {}},
		{"manager", s.manager, func(b *commands.BookAppointment) {}},
		{"in the past", s.alice, func(b *commands.BookAppointment) { b.Start = s.at(t, "2026-03-02", 8, 0) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before, err := s.store.ReadAll(ctx, eventstore.Start, 1_000_000)
			must(t, err)
			b := s.booking(s.at(t, "2026-03-03", 14, 0))
			tc.edit(&b)
			if _, err := commands.NewBookAppointmentHandler(s.deps).Handle(ctx, tc.actor, b); err == nil {
				t.Fatal("booking accepted")
			}
			after, err := s.store.ReadAll(ctx, eventstore.Start, 1_000_000)
			must(t, err)
			if len(after) != len(before) {
				t.Fatalf("%d events appended by a refused booking", len(after)-len(before))
			}
		})
	}
}
