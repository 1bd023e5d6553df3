package scheduling

import (
	"slices"
	"time"

	"github.com/caseledger/caseledger/domain"
)

// Reservation is one appointment's slot on a calendar. It holds no client data.
type Reservation struct {
	AppointmentID domain.ID
	SeriesID      domain.ID
	Slot          Interval
	Status        Status
	// ReservedAt is when the slot was reserved; zero for reservations recorded without it.
	ReservedAt time.Time
}

// Hold keeps a slot free for a client completing a self-booking until ExpiresAt.
type Hold struct {
	ID        domain.ID
	Slot      Interval
	ExpiresAt time.Time
}

// activeAt reports whether the hold still blocks its slot at now.
func (h Hold) activeAt(now time.Time) bool { return now.Before(h.ExpiresAt) }

// Calendar is one therapist's calendar, the aggregate of stream "calendar-<therapist id>". Its
// decision methods return the events to append and never change the calendar; Apply does. A
// Calendar is not safe for concurrent use: commands load one per decision.
type Calendar struct {
	therapist    domain.ID
	configured   bool
	policy       Policy
	availability Availability
	selfBooking  SelfBookingRules
	reservations map[domain.ID]*Reservation
	holds        map[domain.ID]Hold
}

// NewCalendar returns the empty, unconfigured calendar of therapist.
func NewCalendar(therapist domain.ID) *Calendar {
	return &Calendar{
		therapist:    therapist,
		availability: Availability{Exceptions: map[Date]DayException{}},
		reservations: map[domain.ID]*Reservation{},
		holds:        map[domain.ID]Hold{},
	}
}

// RebuildCalendar replays history onto a new calendar of therapist. It is not a constructor: it
// checks nothing, because history was checked when it was written.
func RebuildCalendar(therapist domain.ID, history []domain.Event) *Calendar {
	c := NewCalendar(therapist)
	for _, e := range history {
		c.Apply(e)
	}
	return c
}

// Apply changes the calendar by one event. Events of other aggregates are ignored; it cannot fail.
func (c *Calendar) Apply(e domain.Event) {
	switch e := e.(type) {
	case CalendarConfigured:
		c.configured, c.policy = true, e.Policy
	case WeeklyHoursSet:
		c.availability.Weekly = e.Hours
	case AvailabilityExceptionSet:
		c.availability.Exceptions[e.Exception.Date] = e.Exception
	case AvailabilityExceptionCleared:
		delete(c.availability.Exceptions, e.Date)
	case SelfBookingRulesSet:
		c.selfBooking = e.Rules
	case SlotReserved:
		st := StatusBooked
		if e.PendingApproval {
			st = StatusPendingApproval
		}
		c.reservations[e.AppointmentID] = &Reservation{AppointmentID: e.AppointmentID, SeriesID: e.SeriesID, Slot: Interval{e.Start, e.End}, Status: st, ReservedAt: e.ReservedAt}
		delete(c.holds, e.HoldID)
	case SlotApproved:
		c.setStatus(e.AppointmentID, StatusBooked)
	case SlotMoved:
		if r, ok := c.reservations[e.AppointmentID]; ok {
			r.Slot = Interval{e.Start, e.End}
		}
	case SlotReleased:
		c.setStatus(e.AppointmentID, e.Outcome)
	case SlotCompleted:
		c.setStatus(e.AppointmentID, StatusCompleted)
	case SlotNoShow:
		c.setStatus(e.AppointmentID, StatusNoShow)
	case SlotHeld:
		c.holds[e.HoldID] = Hold{ID: e.HoldID, Slot: Interval{e.Start, e.End}, ExpiresAt: e.ExpiresAt}
	case HoldReleased:
		delete(c.holds, e.HoldID)
	}
}

func (c *Calendar) setStatus(id domain.ID, s Status) {
	if r, ok := c.reservations[id]; ok {
		r.Status = s
	}
}

// Therapist returns the id of the calendar's therapist.
func (c *Calendar) Therapist() domain.ID { return c.therapist }

// Configured reports whether a policy was ever set; an unconfigured calendar takes no bookings.
func (c *Calendar) Configured() bool { return c.configured }

// Policy returns the calendar's policy (the zero Policy when unconfigured).
func (c *Calendar) Policy() Policy { return c.policy }

// Availability returns the working week and its exceptions. The caller must not modify it.
func (c *Calendar) Availability() Availability { return c.availability }

// SelfBooking returns the self-booking rules.
func (c *Calendar) SelfBooking() SelfBookingRules { return c.selfBooking }

// Reservation returns the reservation of an appointment, and false when the calendar has none.
func (c *Calendar) Reservation(appointment domain.ID) (Reservation, bool) {
	r, ok := c.reservations[appointment]
	if !ok {
		return Reservation{}, false
	}
	return *r, true
}

// Reservations returns every reservation whose slot overlaps [from, to), ordered by start.
func (c *Calendar) Reservations(from, to time.Time) []Reservation {
	span := Interval{from, to}
	var out []Reservation
	for _, r := range c.reservations {
		if r.Slot.Overlaps(span) {
			out = append(out, *r)
		}
	}
	slices.SortFunc(out, func(a, b Reservation) int { return a.Slot.Start.Compare(b.Slot.Start) })
	return out
}

// OpenReservedBefore returns the open reservations reserved before t, by start: the candidates
// for a booking that never finished recording its details.
func (c *Calendar) OpenReservedBefore(t time.Time) []Reservation {
	var out []Reservation
	for _, r := range c.reservations {
		if r.Status.Open() && !r.ReservedAt.IsZero() && r.ReservedAt.Before(t) {
			out = append(out, *r)
		}
	}
	slices.SortFunc(out, func(a, b Reservation) int { return a.Slot.Start.Compare(b.Slot.Start) })
	return out
}

// Hold returns a hold by id, and false when there is none (or it was redeemed or released).
func (c *Calendar) Hold(id domain.ID) (Hold, bool) {
	h, ok := c.holds[id]
	return h, ok
}
