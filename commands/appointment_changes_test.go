package commands_test

import (
	"context"
	"testing"
	"time"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
)

// The fixture's clock starts on Monday 2 March 2026 at 09:00 UTC; appointments below are on
// Wednesday 4 March at 10:00 London (GMT).

func TestRescheduleAppointment(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		actor func(s *schedClinic) domain.Actor
		to    func(tb testing.TB, s *schedClinic) time.Time
		kind  domain.Kind
		code  string
	}{
		{"therapist moves it", func(s *schedClinic) domain.Actor { return s.alice },
			func(tb testing.TB, s *schedClinic) time.Time { return s.at(tb, "2026-03-04", 14, 0) }, "", ""},
		{"onto a taken slot", func(s *schedClinic) domain.Actor { return s.alice },
			func(tb testing.TB, s *schedClinic) time.Time {
				s.book(tb, s.at(tb, "2026-03-04", 14, 0))
				return s.at(tb, "2026-03-04", 14, 30)
			}, domain.KindConflict, "slot_taken"},
		{"client moves it within the self-booking rules", func(s *schedClinic) domain.Actor { return s.asClient() },
			func(tb testing.TB, s *schedClinic) time.Time { return s.at(tb, "2026-03-05", 11, 0) }, "", ""},
		{"client moves it too close", func(s *schedClinic) domain.Actor { return s.asClient() },
			func(tb testing.TB, s *schedClinic) time.Time { return s.at(tb, "2026-03-02", 16, 0) }, domain.KindConflict, "too_short_notice"},
		{"another therapist", func(s *schedClinic) domain.Actor { return s.bob },
			func(tb testing.TB, s *schedClinic) time.Time { return s.at(tb, "2026-03-04", 14, 0) }, domain.KindNotFound, "appointment_not_found"},
		{"practice manager", func(s *schedClinic) domain.Actor { return s.manager },
			func(tb testing.TB, s *schedClinic) time.Time { return s.at(tb, "2026-03-04", 14, 0) }, domain.KindNotFound, "appointment_not_found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSchedClinic(t)
			ctx := context.Background()
			id := s.book(t, s.at(t, "2026-03-04", 10, 0))
			to := tc.to(t, s)
			err := commands.NewRescheduleAppointmentHandler(s.deps).Handle(ctx, tc.actor(s), commands.RescheduleAppointment{AppointmentID: id, Start: to, Reason: "clash"})
			if tc.kind != "" {
				wantKind(t, err, tc.kind, tc.code)
				return
			}
			must(t, err)
			a, _, err := commands.LoadAppointment(ctx, s.deps, s.alice, id)
			must(t, err)
			if !a.Slot().Start.Equal(to) || a.Slot().Duration() != 50*time.Minute {
				t.Errorf("appointment at %v", a.Slot())
			}
			// The old slot is free again.
			s.book(t, s.at(t, "2026-03-04", 10, 0))
		})
	}
}

func TestCancelAppointment(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		actor   func(s *schedClinic) domain.Actor
		advance time.Duration // from Monday 09:00 UTC; the appointment is Wednesday 10:00 UTC
		kind    domain.Kind
		code    string
		late    bool
		fee     *scheduling.Money
		status  scheduling.Status
	}{
		{"client, in good time", func(s *schedClinic) domain.Actor { return s.asClient() }, 0, "", "", false, nil, scheduling.StatusCancelled},
		{"client, late: fee", func(s *schedClinic) domain.Actor { return s.asClient() }, 47 * time.Hour, "", "", true, &schedLateFee, scheduling.StatusLateCancelled},
		{"therapist, late: no fee", func(s *schedClinic) domain.Actor { return s.alice }, 47 * time.Hour, "", "", true, nil, scheduling.StatusLateCancelled},
		{"after the start", func(s *schedClinic) domain.Actor { return s.alice }, 49*time.Hour + time.Minute, domain.KindConflict, "appointment_started", false, nil, ""},
		{"another therapist", func(s *schedClinic) domain.Actor { return s.bob }, 0, domain.KindNotFound, "appointment_not_found", false, nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSchedClinic(t)
			ctx := context.Background()
			start := s.at(t, "2026-03-04", 10, 0)
			id := s.book(t, start)
			s.clock.Advance(tc.advance)
			h := commands.NewCancelAppointmentHandler(s.deps)
			out, err := h.Handle(ctx, tc.actor(s), commands.CancelAppointment{AppointmentID: id, Reason: "unwell"})
			if tc.kind != "" {
				wantKind(t, err, tc.kind, tc.code)
				return
			}
			must(t, err)
			if out.Late != tc.late || (out.Fee == nil) != (tc.fee == nil) || (out.Fee != nil && *out.Fee != *tc.fee) || !out.FreedSlot.Start.Equal(start) {
				t.Errorf("outcome %+v", out)
			}
			a, _, err := commands.LoadAppointment(ctx, s.deps, s.alice, id)
			must(t, err)
			if a.Status() != tc.status || (a.Fee() == nil) != (tc.fee == nil) {
				t.Errorf("appointment status %s fee %v", a.Status(), a.Fee())
			}
			_, err = h.Handle(ctx, tc.actor(s), commands.CancelAppointment{AppointmentID: id})
			wantKind(t, err, domain.KindConflict, "appointment_closed")
		})
	}
}

func TestRecordAttendance(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		actor   func(s *schedClinic) domain.Actor
		noShow  bool
		advance time.Duration
		kind    domain.Kind
		code    string
		status  scheduling.Status
	}{
		{"completed", func(s *schedClinic) domain.Actor { return s.alice }, false, 50 * time.Hour, "", "", scheduling.StatusCompleted},
		{"no-show", func(s *schedClinic) domain.Actor { return s.alice }, true, 49*time.Hour + 15*time.Minute, "", "", scheduling.StatusNoShow},
		{"before the start", func(s *schedClinic) domain.Actor { return s.alice }, false, time.Hour, domain.KindConflict, "appointment_not_started", ""},
		{"the client may not", func(s *schedClinic) domain.Actor { return s.asClient() }, false, 50 * time.Hour, domain.KindForbidden, "therapist_only", ""},
		{"another therapist", func(s *schedClinic) domain.Actor { return s.bob }, true, 50 * time.Hour, domain.KindNotFound, "appointment_not_found", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSchedClinic(t)
			ctx := context.Background()
			id := s.book(t, s.at(t, "2026-03-04", 10, 0))
			s.clock.Advance(tc.advance)
			h := commands.NewRecordAttendanceHandler(s.deps)
			var err error
			var fee *scheduling.Money
			if tc.noShow {
				fee, err = h.NoShow(ctx, tc.actor(s), id)
			} else {
				err = h.Complete(ctx, tc.actor(s), id)
			}
			if tc.kind != "" {
				wantKind(t, err, tc.kind, tc.code)
				return
			}
			must(t, err)
			if tc.noShow && (fee == nil || *fee != schedNoShowFee) {
				t.Errorf("no-show fee %v", fee)
			}
			a, _, err := commands.LoadAppointment(ctx, s.deps, s.asClient(), id)
			must(t, err)
			if a.Status() != tc.status {
				t.Errorf("status %s, want %s", a.Status(), tc.status)
			}
		})
	}
}

func TestReviewSelfBooking(t *testing.T) {
	t.Parallel()
	for _, approve := range []bool{true, false} {
		name := map[bool]string{true: "approved", false: "declined"}[approve]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newSchedClinic(t)
			ctx := context.Background()
			start := s.at(t, "2026-03-04", 10, 0)
			b, err := commands.NewBookAppointmentHandler(s.deps).Handle(ctx, s.asClient(), s.booking(start))
			must(t, err)
			if !b.PendingApproval {
				t.Fatal("not pending approval")
			}
			h := commands.NewReviewBookingHandler(s.deps)
			wantKind(t, h.Approve(ctx, s.asClient(), b.AppointmentID), domain.KindForbidden, "therapist_only")
			want := scheduling.StatusBooked
			if approve {
				must(t, h.Approve(ctx, s.alice, b.AppointmentID))
			} else {
				must(t, h.Decline(ctx, s.alice, b.AppointmentID, "not a fit"))
				want = scheduling.StatusDeclined
			}
			a, _, err := commands.LoadAppointment(ctx, s.deps, s.asClient(), b.AppointmentID)
			must(t, err)
			if a.Status() != want {
				t.Errorf("status %s, want %s", a.Status(), want)
			}
			_, err = commands.NewBookAppointmentHandler(s.deps).Handle(ctx, s.alice, s.booking(start))
			if approve {
				wantKind(t, err, domain.KindConflict, "slot_taken")
			} else {
				must(t, err)
			}
			wantKind(t, h.Approve(ctx, s.alice, b.AppointmentID), domain.KindConflict, "")
		})
	}
}
