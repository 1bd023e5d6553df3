package commands_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/google/uuid"
)

// schedClinic is a clinic whose therapist alice has a configured calendar (Europe/London,
// Monday to Friday 09:00-17:00, 10 minute buffer, 24 hour cancellation window with a £40 late
// fee and a £60 no-show fee, self-booking open four weeks ahead with a day's notice and approval
// of new clients) and one registered client who signed the consent form.
type schedClinic struct {
	*clinic
	client domain.ID
	loc    *time.Location
}

var (
	schedLateFee   = scheduling.Money{AmountMinor: 4000, Currency: "GBP"}
	schedNoShowFee = scheduling.Money{AmountMinor: 6000, Currency: "GBP"}
)

func newSchedClinic(tb testing.TB) *schedClinic {
	tb.Helper()
	return setUpSchedClinic(tb, newClinic(tb))
}

func setUpSchedClinic(tb testing.TB, c *clinic) *schedClinic {
	tb.Helper()
	loc, err := time.LoadLocation("Europe/London")
	must(tb, err)
	s := &schedClinic{clinic: c, loc: loc}
	ctx := context.Background()
	must(tb, commands.NewConfigureCalendarHandler(c.deps).Handle(ctx, c.alice, commands.ConfigureCalendar{
		TherapistID: c.alice.UserID,
		Policy: scheduling.Policy{TimeZone: "Europe/London", BufferMinutes: 10, SlotStepMinutes: 15,
			CancellationWindowMinutes: 24 * 60, LateCancelFee: &schedLateFee, NoShowFee: &schedNoShowFee},
	}))
	av := commands.NewSetAvailabilityHandler(c.deps)
	var week scheduling.WeeklyHours
	for d := time.Monday; d <= time.Friday; d++ {
		week = append(week, scheduling.WeeklyRange{Weekday: scheduling.Weekday(d), LocalRange: scheduling.LocalRange{Start: 9 * 60, End: 17 * 60}})
	}
	must(tb, av.SetWeeklyHours(ctx, c.alice, c.alice.UserID, week))
	must(tb, av.SetSelfBookingRules(ctx, c.alice, c.alice.UserID, scheduling.SelfBookingRules{
		Enabled: true, HorizonDays: 28, MinNoticeMinutes: 24 * 60, NewClientApproval: true, HoldMinutes: 15, Location: "Room 2",
	}))
	s.client = c.register(tb, c.alice)
	c.sign(tb, s.client, 1)
	return s
}

// at returns the instant of local London time hh:mm on the date ymd ("2026-03-03").
func (s *schedClinic) at(tb testing.TB, ymd string, hh, mm int) time.Time {
	tb.Helper()
	d, err := time.ParseInLocation(time.DateOnly, ymd, s.loc)
	must(tb, err)
	return time.Date(d.Year(), d.Month(), d.Day(), hh, mm, 0, 0, s.loc)
}

// portalClient registers another client of alice's, who signs the consent form, and returns them
// with the actor they are in the portal.
func (s *schedClinic) portalClient(tb testing.TB) (domain.ID, domain.Actor) {
	tb.Helper()
	id := s.register(tb, s.alice)
	s.sign(tb, id, 1)
	return id, domain.Actor{UserID: id, Role: domain.RoleClient}
}

// asClient is the clinic's client acting through the portal.
func (s *schedClinic) asClient() domain.Actor {
	return domain.Actor{UserID: s.client, Role: domain.RoleClient}
}

// booking returns a 50-minute booking of the clinic's client with alice at start.
func (s *schedClinic) booking(start time.Time) commands.BookAppointment {
	return commands.BookAppointment{
		TherapistID: s.alice.UserID, ClientID: s.client, ServiceTypeID: s.service,
		Start: start, Duration: 50 * time.Minute, Place: scheduling.Place{Location: "Room 2"},
	}
}

// book books start for the clinic's client as alice and returns the appointment id.
func (s *schedClinic) book(tb testing.TB, start time.Time) domain.ID {
	tb.Helper()
	b, err := commands.NewBookAppointmentHandler(s.deps).Handle(context.Background(), s.alice, s.booking(start))
	must(tb, err)
	return b.AppointmentID
}

// appendCalendarEvent appends ev to alice's calendar as alice, bypassing the calendar's decisions:
// for states the commands no longer produce.
func appendCalendarEvent(tb testing.TB, s *schedClinic, ev domain.Event) error {
	tb.Helper()
	ctx := context.Background()
	_, l, _, err := commands.LoadCalendar(ctx, s.deps, s.alice.UserID)
	if err != nil {
		return err
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	_, err = s.store.Append(ctx, commands.CalendarStream(s.alice.UserID), l.Expected(), eventstore.EventData{
		ID: uuid.UUID(newID(tb)), Type: ev.EventType(), SchemaVersion: scheduling.SchemaVersion, OccurredAt: s.clock.Now(),
		Actor: eventstore.Actor{UserID: uuid.UUID(s.alice.UserID), Role: string(domain.RoleTherapist)}, Payload: payload,
	})
	return err
}
