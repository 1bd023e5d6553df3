package commands

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
	"github.com/caseledger/caseledger/eventstore"
)

// CalendarStream returns "calendar-<therapist id>", the therapist's plaintext calendar: policy,
// availability and anonymous slot reservations.
func CalendarStream(therapist domain.ID) eventstore.StreamID { return StreamFor("calendar", therapist) }

// AppointmentStream returns "appointment-<id>", the appointment's details sealed under the
// client's key.
func AppointmentStream(id domain.ID) eventstore.StreamID { return StreamFor("appointment", id) }

// ClientScheduleStream returns "clientschedule-<client id>", the ids of the client's appointments
// sealed under the client's key. It may name an appointment whose booking then failed: readers
// skip ids whose appointment stream does not exist.
func ClientScheduleStream(client domain.ID) eventstore.StreamID {
	return StreamFor("clientschedule", client)
}

// WaitlistStream returns "waitlist-<practice id>", the practice's plaintext waitlist.
func WaitlistStream(practiceID domain.ID) eventstore.StreamID {
	return StreamFor("waitlist", practiceID)
}

// WaitlistEntryStream returns "waitlistentry-<entry id>", which ties an entry to its client,
// sealed under the client's key.
func WaitlistEntryStream(entry domain.ID) eventstore.StreamID {
	return StreamFor("waitlistentry", entry)
}

// maxCalendarAttempts bounds how often a calendar decision is retaken after losing a race to
// another writer of the same calendar.
const maxCalendarAttempts = 50

// LoadCalendar reads and rebuilds a therapist's calendar and loads its time zone. A calendar
// never configured is returned empty (Configured false) with UTC as its zone.
func LoadCalendar(ctx context.Context, d Deps, therapist domain.ID) (*scheduling.Calendar, Loaded, *time.Location, error) {
	l, err := loadStream(ctx, d, CalendarStream(therapist), scheduling.Decode)
	if err != nil {
		return nil, Loaded{}, nil, err
	}
	c := scheduling.RebuildCalendar(therapist, l.Events)
	loc := time.UTC
	if c.Configured() {
		if loc, err = calendarZone(c.Policy().TimeZone); err != nil {
			return nil, Loaded{}, nil, err
		}
	}
	return c, l, loc, nil
}

// calendarDecision decides on a loaded calendar: it returns the events to append (none to append
// nothing), or an error to give up.
type calendarDecision func(c *scheduling.Calendar, loc *time.Location, now time.Time) ([]domain.Event, error)

// changeCalendar loads therapist's calendar, decides and appends the events at exactly the loaded
// version. When another writer appended first, it reloads and decides again (up to
// maxCalendarAttempts), so a decision is always taken on the calendar it is appended to: two
// overlapping bookings can never both be appended. It returns the calendar as decided on.
func changeCalendar(ctx context.Context, d Deps, therapist domain.ID, actor domain.Actor, decide calendarDecision) (*scheduling.Calendar, *time.Location, error) {
	for attempt := 1; ; attempt++ {
		c, l, loc, err := LoadCalendar(ctx, d, therapist)
		if err != nil {
			return nil, nil, err
		}
		evs, err := decide(c, loc, d.Clock.Now())
		if err != nil || len(evs) == 0 {
			return c, loc, err
		}
		_, err = appendEvents(ctx, d, CalendarStream(therapist), l.Expected(), Envelope{Actor: actor, SchemaVersion: scheduling.SchemaVersion}, evs...)
		if errors.Is(err, eventstore.ErrWrongExpectedVersion) && attempt < maxCalendarAttempts && ctx.Err() == nil {
			continue
		}
		if err != nil {
			return nil, nil, concurrentChange(err)
		}
		for _, e := range evs {
			c.Apply(e)
		}
		return c, loc, nil
	}
}

// authoriseCalendar fails unless actor may manage therapist's calendar: the therapist, or an
// admin. Anyone else is told the calendar does not exist.
func authoriseCalendar(actor domain.Actor, therapist domain.ID) error {
	if actor.Is(therapist, domain.RoleTherapist) || actor.Role == domain.RoleAdmin {
		return nil
	}
	return domain.NotFound("calendar", therapist)
}

// LoadAppointment reads and rebuilds an appointment and checks actor may see it (its therapist
// or its client). A missing appointment, or one actor may not see, is KindNotFound
// ("appointment_not_found"); an erased client's appointment is KindErased.
func LoadAppointment(ctx context.Context, d Deps, actor domain.Actor, id domain.ID) (*scheduling.Appointment, Loaded, error) {
	l, err := loadStream(ctx, d, AppointmentStream(id), scheduling.Decode)
	if errors.Is(err, domain.ErrErased) {
		return nil, Loaded{}, &domain.Error{Kind: domain.KindErased, Code: "appointment_erased", Message: "the client of appointment " + id.String() + " was erased"}
	}
	if err != nil {
		return nil, Loaded{}, err
	}
	a := scheduling.RebuildAppointment(l.Events)
	if !a.VisibleTo(actor) {
		return nil, Loaded{}, domain.NotFound("appointment", id)
	}
	return a, l, nil
}

// appendToAppointment appends events to an appointment's stream, sealed under its client's key.
func appendToAppointment(ctx context.Context, d Deps, a *scheduling.Appointment, l Loaded, actor domain.Actor, events ...domain.Event) error {
	_, err := appendEvents(ctx, d, AppointmentStream(a.ID()), l.Expected(), Envelope{Actor: actor, Subject: a.Client(), SchemaVersion: scheduling.SchemaVersion}, events...)
	return concurrentChange(err)
}

// zones caches loaded time zones by name: time.LoadLocation reads the zone database each call.
var zones sync.Map

// calendarZone loads an IANA zone by name. An unknown name is a KindInvalid error
// ("invalid_time_zone"). "Local" is refused: a calendar's zone must not depend on the server.
func calendarZone(name string) (*time.Location, error) {
	if v, ok := zones.Load(name); ok {
		return v.(*time.Location), nil
	}
	if name == "" || name == "Local" {
		return nil, domain.Invalid("time_zone", "want an IANA zone name")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, domain.Invalid("time_zone", "unknown IANA zone")
	}
	zones.Store(name, loc)
	return loc, nil
}
