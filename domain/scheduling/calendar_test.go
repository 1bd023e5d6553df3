package scheduling_test

import (
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
)

func newID(tb testing.TB) domain.ID {
	tb.Helper()
	var id domain.ID
	if _, err := rand.Read(id[:]); err != nil {
		tb.Fatal(err)
	}
	return id
}

func assertCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if code == "" {
		if err != nil {
			tb.Fatalf("unexpected error: %v", err)
		}
		return
	}
	var de *domain.Error
	if !errors.As(err, &de) {
		tb.Fatalf("got %v, want domain error %s", err, code)
	}
	if de.Code != code {
		tb.Fatalf("got code %s (%v), want %s", de.Code, err, code)
	}
}

var (
	gbp40 = scheduling.Money{AmountMinor: 4000, Currency: "GBP"}
	gbp60 = scheduling.Money{AmountMinor: 6000, Currency: "GBP"}
)

// london is the test calendar's zone; standardPolicy its policy.
const london = "Europe/London"

func standardPolicy() scheduling.Policy {
	return scheduling.Policy{TimeZone: london, BufferMinutes: 10, SlotStepMinutes: 15, CancellationWindowMinutes: 24 * 60, LateCancelFee: &gbp40, NoShowFee: &gbp60}
}

func standardSelfBooking() scheduling.SelfBookingRules {
	return scheduling.SelfBookingRules{Enabled: true, HorizonDays: 28, MinNoticeMinutes: 24 * 60, NewClientApproval: true, HoldMinutes: 15, Location: "Room 2"}
}

// newCalendar returns a configured calendar: Monday to Friday 09:00-17:00 London, 10 minute
// buffer, 24 hour cancellation window, self-booking open for four weeks with a day's notice.
func newCalendar(tb testing.TB) *scheduling.Calendar {
	tb.Helper()
	c := scheduling.NewCalendar(newID(tb))
	ev1, err := c.Configure(standardPolicy())
	if err != nil {
		tb.Fatal(err)
	}
	c.Apply(ev1)
	ev2, err := c.SetWeeklyHours(weekdays(tb, "09:00", "17:00"))
	if err != nil {
		tb.Fatal(err)
	}
	c.Apply(ev2)
	ev3, err := c.SetSelfBookingRules(standardSelfBooking())
	if err != nil {
		tb.Fatal(err)
	}
	c.Apply(ev3)
	return c
}

// book reserves slot on c for a new appointment and applies it.
func book(tb testing.TB, c *scheduling.Calendar, slot scheduling.Interval, now time.Time) domain.ID {
	tb.Helper()
	id := newID(tb)
	ev, err := c.Reserve(scheduling.ReserveRequest{AppointmentID: id, Slot: slot}, now, mustLoc(tb, london))
	if err != nil {
		tb.Fatalf("book %v: %v", slot, err)
	}
	c.Apply(ev)
	return id
}

func iv(tb testing.TB, start string, minutes int) scheduling.Interval {
	tb.Helper()
	s := utc(tb, start)
	return scheduling.Interval{Start: s, End: s.Add(time.Duration(minutes) * time.Minute)}
}

// Monday 1 June 2026 08:00 BST; Tuesday's 10:00 BST is 09:00Z.
const mondayMorning = "2026-06-01T07:00:00Z"

func TestReserve(t *testing.T) {
	t.Parallel()
	now := utc(t, mondayMorning)
	service := newID(t)
	cases := []struct {
		name    string
		setup   func(tb testing.TB, c *scheduling.Calendar) scheduling.ReserveRequest
		code    string
		pending bool
	}{
		{"free slot", func(tb testing.TB, c *scheduling.Calendar) scheduling.ReserveRequest {
			return scheduling.ReserveRequest{Slot: iv(tb, "2026-06-02T09:00:00Z", 50)}
		}, "", false},
		{"in the past", func(tb testing.TB, c *scheduling.Calendar) scheduling.ReserveRequest {
			return scheduling.ReserveRequest{Slot: iv(tb, "2026-06-01T06:00:00Z", 50)}
		}, "slot_in_past", false},
		{"after hours", func(tb testing.TB, c *scheduling.Calendar) scheduling.ReserveRequest {
			return scheduling.ReserveRequest{Slot: iv(tb, "2026-06-02T15:30:00Z", 50)}
		}, "outside_availability", false},
		{"weekend", func(tb testing.TB, c *scheduling.Calendar) scheduling.ReserveRequest {
			return scheduling.ReserveRequest{Slot: iv(tb, "2026-06-06T09:00:00Z", 50)}
		}, "outside_availability", false},
		{"holiday", func(tb testing.TB, c *scheduling.Calendar) scheduling.ReserveRequest {
			ev, err := c.SetException(scheduling.DayException{Date: date(tb, "2026-06-02"), Closed: true})
			if err != nil {
				tb.Fatal(err)
			}
			c.Apply(ev)
			return scheduling.ReserveRequest{Slot: iv(tb, "2026-06-02T09:00:00Z", 50)}
		}, "outside_availability", false},
		{"overlapping", func(tb testing.TB, c *scheduling.Calendar) scheduling.ReserveRequest {
			book(tb, c, iv(tb, "2026-06-02T09:00:00Z", 50), now)
			return scheduling.ReserveRequest{Slot: iv(tb, "2026-06-02T09:30:00Z", 50)}
		}, "slot_taken", false},
		{"inside the buffer", func(tb testing.TB, c *scheduling.Calendar) scheduling.ReserveRequest {
			book(tb, c, iv(tb, "2026-06-02T09:00:00Z", 50), now)
			return scheduling.ReserveRequest{Slot: iv(tb, "2026-06-02T09:55:00Z", 50)}
		}, "slot_taken", false},
		{"just after the buffer", func(tb testing.TB, c *scheduling.Calendar) scheduling.ReserveRequest {
			book(tb, c, iv(tb, "2026-06-02T09:00:00Z", 50), now)
			return scheduling.ReserveRequest{Slot: iv(tb, "2026-06-02T10:00:00Z", 50)}
		}, "", false},
		{"buffer before a later session", func(tb testing.TB, c *scheduling.Calendar) scheduling.ReserveRequest {
			book(tb, c, iv(tb, "2026-06-02T10:00:00Z", 50), now)
			return scheduling.ReserveRequest{Slot: iv(tb, "2026-06-02T09:05:00Z", 50)}
		}, "slot_taken", false},
		{"cancelled slot is free again", func(tb testing.TB, c *scheduling.Calendar) scheduling.ReserveRequest {
			id := book(tb, c, iv(tb, "2026-06-02T09:00:00Z", 50), now)
			cx, err := c.Cancel(id, domain.RoleTherapist, now)
			if err != nil {
				tb.Fatal(err)
			}
			c.Apply(cx.Event)
			return scheduling.ReserveRequest{Slot: iv(tb, "2026-06-02T09:00:00Z", 50)}
		}, "", false},
		{"held by someone else", func(tb testing.TB, c *scheduling.Calendar) scheduling.ReserveRequest {
			ev, err := c.HoldSlot(newID(tb), iv(tb, "2026-06-02T09:00:00Z", 50), service, now, mustLoc(tb, london))
			if err != nil {
				tb.Fatal(err)
			}
			c.Apply(ev)
			return scheduling.ReserveRequest{Slot: iv(tb, "2026-06-02T09:00:00Z", 50)}
		}, "slot_held", false},
		{"hold expired", func(tb testing.TB, c *scheduling.Calendar) scheduling.ReserveRequest {
			ev, err := c.HoldSlot(newID(tb), iv(tb, "2026-06-02T09:00:00Z", 50), service, now.Add(-20*time.Minute), mustLoc(tb, london))
			if err != nil {
				tb.Fatal(err)
			}
			c.Apply(ev)
			return scheduling.ReserveRequest{Slot: iv(tb, "2026-06-02T09:00:00Z", 50)}
		}, "", false},
		{"redeeming own hold", func(tb testing.TB, c *scheduling.Calendar) scheduling.ReserveRequest {
			h := newID(tb)
			ev, err := c.HoldSlot(h, iv(tb, "2026-06-02T09:00:00Z", 50), service, now, mustLoc(tb, london))
			if err != nil {
				tb.Fatal(err)
			}
			c.Apply(ev)
			return scheduling.ReserveRequest{Slot: iv(tb, "2026-06-02T09:00:00Z", 50), HoldID: h, SelfBooked: true, ServiceTypeID: service}
		}, "", false},
		{"hold for another slot", func(tb testing.TB, c *scheduling.Calendar) scheduling.ReserveRequest {
			h := newID(tb)
			ev, err := c.HoldSlot(h, iv(tb, "2026-06-02T09:00:00Z", 50), service, now, mustLoc(tb, london))
			if err != nil {
				tb.Fatal(err)
			}
			c.Apply(ev)
			return scheduling.ReserveRequest{Slot: iv(tb, "2026-06-02T11:00:00Z", 50), HoldID: h, SelfBooked: true, ServiceTypeID: service}
		}, "hold_mismatch", false},
		{"self-booked too soon", func(tb testing.TB, c *scheduling.Calendar) scheduling.ReserveRequest {
			return scheduling.ReserveRequest{Slot: iv(tb, "2026-06-01T13:00:00Z", 50), SelfBooked: true, ServiceTypeID: service}
		}, "too_short_notice", false},
		{"self-booked beyond horizon", func(tb testing.TB, c *scheduling.Calendar) scheduling.ReserveRequest {
			return scheduling.ReserveRequest{Slot: iv(tb, "2026-07-07T09:00:00Z", 50), SelfBooked: true, ServiceTypeID: service}
		}, "beyond_booking_horizon", false},
		{"self-booked new client waits for approval", func(tb testing.TB, c *scheduling.Calendar) scheduling.ReserveRequest {
			return scheduling.ReserveRequest{Slot: iv(tb, "2026-06-02T09:00:00Z", 50), SelfBooked: true, NewClient: true, ServiceTypeID: service}
		}, "", true},
		{"therapist booking a new client needs no approval", func(tb testing.TB, c *scheduling.Calendar) scheduling.ReserveRequest {
			return scheduling.ReserveRequest{Slot: iv(tb, "2026-06-02T09:00:00Z", 50), NewClient: true}
		}, "", false},
		{"self-booking outside opened hours", func(tb testing.TB, c *scheduling.Calendar) scheduling.ReserveRequest {
			r := standardSelfBooking()
			r.Hours = scheduling.WeeklyHours{{Weekday: scheduling.Weekday(time.Tuesday), LocalRange: scheduling.LocalRange{Start: ct(tb, "14:00"), End: ct(tb, "17:00")}}}
			ev, err := c.SetSelfBookingRules(r)
			if err != nil {
				tb.Fatal(err)
			}
			c.Apply(ev)
			return scheduling.ReserveRequest{Slot: iv(tb, "2026-06-02T09:00:00Z", 50), SelfBooked: true, ServiceTypeID: service}
		}, "slot_not_self_bookable", false},
		{"self-booking a service not opened", func(tb testing.TB, c *scheduling.Calendar) scheduling.ReserveRequest {
			r := standardSelfBooking()
			r.ServiceTypes = []domain.ID{newID(tb)}
			ev, err := c.SetSelfBookingRules(r)
			if err != nil {
				tb.Fatal(err)
			}
			c.Apply(ev)
			return scheduling.ReserveRequest{Slot: iv(tb, "2026-06-02T09:00:00Z", 50), SelfBooked: true, ServiceTypeID: service}
		}, "service_not_self_bookable", false},
		{"self-booking disabled", func(tb testing.TB, c *scheduling.Calendar) scheduling.ReserveRequest {
			ev, err := c.SetSelfBookingRules(scheduling.SelfBookingRules{})
			if err != nil {
				tb.Fatal(err)
			}
			c.Apply(ev)
			return scheduling.ReserveRequest{Slot: iv(tb, "2026-06-02T09:00:00Z", 50), SelfBooked: true, ServiceTypeID: service}
		}, "self_booking_disabled", false},
		{"end before start", func(tb testing.TB, c *scheduling.Calendar) scheduling.ReserveRequest {
			return scheduling.ReserveRequest{Slot: iv(tb, "2026-06-02T09:00:00Z", -50)}
		}, "invalid_slot", false},
		{"seconds in the start", func(tb testing.TB, c *scheduling.Calendar) scheduling.ReserveRequest {
			return scheduling.ReserveRequest{Slot: iv(tb, "2026-06-02T09:00:30Z", 50)}
		}, "invalid_slot", false},
		{"same appointment twice", func(tb testing.TB, c *scheduling.Calendar) scheduling.ReserveRequest {
			id := book(tb, c, iv(tb, "2026-06-02T09:00:00Z", 50), now)
			return scheduling.ReserveRequest{AppointmentID: id, Slot: iv(tb, "2026-06-02T12:00:00Z", 50)}
		}, "appointment_exists", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newCalendar(t)
			req := tc.setup(t, c)
			if req.AppointmentID.IsZero() {
				req.AppointmentID = newID(t)
			}
			ev, err := c.Reserve(req, now, mustLoc(t, london))
			assertCode(t, err, tc.code)
			if err != nil {
				return
			}
			if ev.PendingApproval != tc.pending {
				t.Errorf("pending = %v, want %v", ev.PendingApproval, tc.pending)
			}
			c.Apply(ev)
			r, ok := c.Reservation(req.AppointmentID)
			if !ok || !r.Slot.Start.Equal(req.Slot.Start) {
				t.Fatalf("reservation not applied: %+v", r)
			}
			if !req.HoldID.IsZero() {
				if _, held := c.Hold(req.HoldID); held {
					t.Error("redeemed hold still present")
				}
			}
		})
	}
}

func TestUnconfiguredCalendarTakesNoBookings(t *testing.T) {
	t.Parallel()
	c := scheduling.NewCalendar(newID(t))
	_, err := c.Reserve(scheduling.ReserveRequest{AppointmentID: newID(t), Slot: iv(t, "2026-06-02T09:00:00Z", 50)}, utc(t, mondayMorning), mustLoc(t, london))
	assertCode(t, err, "calendar_not_configured")
}

func TestCancel(t *testing.T) {
	t.Parallel()
	slot := "2026-06-03T09:00:00Z" // Wednesday 10:00 BST
	cases := []struct {
		name    string
		before  time.Duration // how long before the start the cancellation comes
		by      domain.Role
		code    string
		late    bool
		fee     *scheduling.Money
		outcome scheduling.Status
	}{
		{"early by client", 30 * time.Hour, domain.RoleClient, "", false, nil, scheduling.StatusCancelled},
		{"exactly at the window", 24 * time.Hour, domain.RoleClient, "", false, nil, scheduling.StatusCancelled},
		{"late by client is charged", 2 * time.Hour, domain.RoleClient, "", true, &gbp40, scheduling.StatusLateCancelled},
		{"late by therapist is not charged", 2 * time.Hour, domain.RoleTherapist, "", true, nil, scheduling.StatusLateCancelled},
		{"after the start", -time.Minute, domain.RoleClient, "appointment_started", false, nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newCalendar(t)
			id := book(t, c, iv(t, slot, 50), utc(t, mondayMorning))
			cx, err := c.Cancel(id, tc.by, utc(t, slot).Add(-tc.before))
			assertCode(t, err, tc.code)
			if err != nil {
				return
			}
			if cx.Late != tc.late || cx.Event.Outcome != tc.outcome {
				t.Errorf("late %v outcome %s, want %v %s", cx.Late, cx.Event.Outcome, tc.late, tc.outcome)
			}
			if (cx.Fee == nil) != (tc.fee == nil) || (cx.Fee != nil && *cx.Fee != *tc.fee) {
				t.Errorf("fee %v, want %v", cx.Fee, tc.fee)
			}
			c.Apply(cx.Event)
			_, err = c.Cancel(id, tc.by, utc(t, slot).Add(-tc.before))
			assertCode(t, err, "appointment_closed")
		})
	}
	t.Run("unknown appointment", func(t *testing.T) {
		t.Parallel()
		_, err := newCalendar(t).Cancel(newID(t), domain.RoleClient, utc(t, mondayMorning))
		assertCode(t, err, "appointment_not_found")
	})
}

func TestCompleteNoShowApprove(t *testing.T) {
	t.Parallel()
	now := utc(t, mondayMorning)
	start := utc(t, "2026-06-03T09:00:00Z")
	loc := mustLoc(t, london)
	cases := []struct {
		name string
		run  func(tb testing.TB, c *scheduling.Calendar, id domain.ID) error
		code string
		want scheduling.Status
	}{
		{"complete after start", func(tb testing.TB, c *scheduling.Calendar, id domain.ID) error {
			ev, err := c.Complete(id, start.Add(time.Minute))
			if err == nil {
				c.Apply(ev)
			}
			return err
		}, "", scheduling.StatusCompleted},
		{"complete before start", func(tb testing.TB, c *scheduling.Calendar, id domain.ID) error {
			_, err := c.Complete(id, start.Add(-time.Minute))
			return err
		}, "appointment_not_started", scheduling.StatusBooked},
		{"no-show charges the fee", func(tb testing.TB, c *scheduling.Calendar, id domain.ID) error {
			ev, fee, err := c.NoShow(id, start.Add(15*time.Minute))
			if err != nil {
				return err
			}
			if fee == nil || *fee != gbp60 {
				tb.Errorf("fee %v", fee)
			}
			c.Apply(ev)
			return nil
		}, "", scheduling.StatusNoShow},
		{"approve a booked appointment", func(tb testing.TB, c *scheduling.Calendar, id domain.ID) error {
			_, err := c.Approve(id)
			return err
		}, "not_pending_approval", scheduling.StatusBooked},
		{"move keeps own slot out of the way", func(tb testing.TB, c *scheduling.Calendar, id domain.ID) error {
			ev, err := c.Move(scheduling.MoveRequest{AppointmentID: id, Slot: iv(tb, "2026-06-03T09:30:00Z", 50)}, now, loc)
			if err == nil {
				c.Apply(ev)
			}
			return err
		}, "", scheduling.StatusBooked},
		{"move onto another session", func(tb testing.TB, c *scheduling.Calendar, id domain.ID) error {
			book(tb, c, iv(tb, "2026-06-03T11:00:00Z", 50), now)
			_, err := c.Move(scheduling.MoveRequest{AppointmentID: id, Slot: iv(tb, "2026-06-03T11:30:00Z", 50)}, now, loc)
			return err
		}, "slot_taken", scheduling.StatusBooked},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newCalendar(t)
			id := book(t, c, scheduling.Interval{Start: start, End: start.Add(50 * time.Minute)}, now)
			assertCode(t, tc.run(t, c, id), tc.code)
			if r, _ := c.Reservation(id); r.Status != tc.want {
				t.Errorf("status %s, want %s", r.Status, tc.want)
			}
		})
	}
}

func TestPendingApproval(t *testing.T) {
	t.Parallel()
	now := utc(t, mondayMorning)
	loc := mustLoc(t, london)
	for _, approve := range []bool{true, false} {
		name := map[bool]string{true: "approve", false: "decline"}[approve]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := newCalendar(t)
			id := newID(t)
			slot := iv(t, "2026-06-03T09:00:00Z", 50)
			ev, err := c.Reserve(scheduling.ReserveRequest{AppointmentID: id, Slot: slot, SelfBooked: true, NewClient: true}, now, loc)
			if err != nil {
				t.Fatal(err)
			}
			c.Apply(ev)
			_, err = c.Reserve(scheduling.ReserveRequest{AppointmentID: newID(t), Slot: slot}, now, loc)
			assertCode(t, err, "slot_taken")
			_, err = c.Complete(id, slot.End)
			assertCode(t, err, "not_confirmed")
			if approve {
				ev, err := c.Approve(id)
				if err != nil {
					t.Fatal(err)
				}
				c.Apply(ev)
			} else {
				ev, err := c.Decline(id)
				if err != nil {
					t.Fatal(err)
				}
				c.Apply(ev)
			}
			_, err = c.Reserve(scheduling.ReserveRequest{AppointmentID: newID(t), Slot: slot}, now, loc)
			if approve {
				assertCode(t, err, "slot_taken")
			} else {
				assertCode(t, err, "")
			}
		})
	}
}

func TestHoldLifecycle(t *testing.T) {
	t.Parallel()
	now := utc(t, mondayMorning)
	loc := mustLoc(t, london)
	c := newCalendar(t)
	h := newID(t)
	slot := iv(t, "2026-06-03T09:00:00Z", 50)
	ev, err := c.HoldSlot(h, slot, newID(t), now, loc)
	if err != nil {
		t.Fatal(err)
	}
	if !ev.ExpiresAt.Equal(now.Add(15 * time.Minute)) {
		t.Fatalf("expires %s", ev.ExpiresAt)
	}
	c.Apply(ev)
	_, err = c.HoldSlot(newID(t), slot, newID(t), now, loc)
	assertCode(t, err, "slot_held")
	_, err = c.ReleaseHold(h, now.Add(20*time.Minute))
	assertCode(t, err, "hold_not_found")
	rel, err := c.ReleaseHold(h, now)
	if err != nil {
		t.Fatal(err)
	}
	c.Apply(rel)
	_, err = c.HoldSlot(newID(t), slot, newID(t), now, loc)
	assertCode(t, err, "")
}
