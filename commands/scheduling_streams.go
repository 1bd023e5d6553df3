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

// maxRaceAttempts bounds how often a decision is retaken after losing a race to another writer of
// the same stream.
const maxRaceAttempts = 50

// LoadCalendar reads and rebuilds a therapist's calendar and loads its time zone. A calendar
// never configured is returned empty (Configured false) with UTC as its zone. Events read before
// are kept in a process-wide cache (calendarCache): only newer ones are read from the log, and
// Loaded.Events is shared with the cache and must not be modified. It does not authorise: a
// calendar holds no personal data, and callers decide who may see it.
func LoadCalendar(ctx context.Context, d Deps, therapist domain.ID) (*scheduling.Calendar, Loaded, *time.Location, error) {
	l, err := calendars.load(ctx, d, therapist)
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

// retryOnRace runs attempt until it does not fail with a wrong expected version, at most
// maxRaceAttempts times or until ctx is done; a race lost every time is KindConflict
// ("concurrent_change").
func retryOnRace(ctx context.Context, attempt func() error) error {
	for i := 1; ; i++ {
		err := attempt()
		if !errors.Is(err, eventstore.ErrWrongExpectedVersion) {
			return err
		}
		if i == maxRaceAttempts || ctx.Err() != nil {
			return concurrentChange(err)
		}
	}
}

// calendarActor is the actor recorded on calendar events: a client acting through the portal is
// recorded by role only, so the calendar's plaintext never names a client. The sealed appointment
// events record the client as the actor in full.
func calendarActor(actor domain.Actor) domain.Actor {
	if actor.Role == domain.RoleClient {
		return domain.Actor{Role: domain.RoleClient}
	}
	return actor
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

// appointmentDecision decides a change of an appointment on its therapist's loaded calendar: the
// calendar events to append and the appointment events that record the same change.
type appointmentDecision func(a *scheduling.Appointment, c *scheduling.Calendar, loc *time.Location, now time.Time) (calendar, appointment []domain.Event, err error)

// changeAppointment loads the appointment (authorising actor as LoadAppointment does), decides on
// its therapist's calendar with changeCalendar, and then appends the appointment events, sealed
// under the client's key. The calendar is where changes to one appointment are serialised, so the
// appointment stream is appended with expected version Any: its order is the order in which the
// calendar accepted the changes, or, for changes racing within milliseconds, close to it.
func changeAppointment(ctx context.Context, d Deps, actor domain.Actor, id domain.ID, decide appointmentDecision) error {
	a, _, err := LoadAppointment(ctx, d, actor, id)
	if err != nil {
		return err
	}
	var record []domain.Event
	err = changeCalendar(ctx, d, a.Therapist(), actor, func(c *scheduling.Calendar, loc *time.Location, now time.Time) ([]domain.Event, error) {
		cal, app, err := decide(a, c, loc, now)
		record = app
		return cal, err
	})
	if err != nil {
		return err
	}
	_, err = appendEvents(ctx, d, AppointmentStream(id), eventstore.Any(), Envelope{Actor: actor, Subject: a.Client(), SchemaVersion: scheduling.SchemaVersion}, record...)
	return err
}

// requireTherapist fails unless actor is the appointment's therapist: its client gets
// KindForbidden, anyone else (who cannot see it) was already refused by LoadAppointment.
func requireTherapist(actor domain.Actor, a *scheduling.Appointment) error {
	if actor.Is(a.Therapist(), domain.RoleTherapist) {
		return nil
	}
	return domain.Forbidden("therapist_only", "only the appointment's therapist may do this")
}
