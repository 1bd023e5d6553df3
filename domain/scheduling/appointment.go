package scheduling

import (
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/caseledger/caseledger/domain"
)

// Limits on an appointment's free-text fields.
const (
	maxLocationLen = 500
	maxReasonLen   = 2000
)

// Appointment is the aggregate of stream "appointment-<appointment id>": who the appointment is
// with, what for and where, and its history. Its events are sealed under the client's key. The
// therapist's calendar, not the appointment, decides whether a slot is free.
type Appointment struct {
	id, therapist, client, service, series domain.ID
	slot                                   Interval
	status                                 Status
	location, videoLink                    string
	fee                                    *Money
}

// RebuildAppointment replays history into an appointment. It is not a constructor: it checks
// nothing. Exists reports false for an empty history.
func RebuildAppointment(history []domain.Event) *Appointment {
	a := &Appointment{}
	for _, e := range history {
		a.Apply(e)
	}
	return a
}

// Apply changes the appointment by one event; it cannot fail and ignores other aggregates' events.
func (a *Appointment) Apply(e domain.Event) {
	switch e := e.(type) {
	case AppointmentBooked:
		a.id, a.therapist, a.client, a.service, a.series = e.AppointmentID, e.TherapistID, e.ClientID, e.ServiceTypeID, e.SeriesID
		a.slot, a.location, a.videoLink = Interval{e.Start, e.End}, e.Location, e.VideoLink
		a.status = StatusBooked
		if e.PendingApproval {
			a.status = StatusPendingApproval
		}
	case AppointmentApproved:
		a.status = StatusBooked
	case AppointmentDeclined:
		a.status = StatusDeclined
	case AppointmentRescheduled:
		a.slot = Interval{e.Start, e.End}
	case AppointmentCancelled:
		a.status, a.fee = StatusCancelled, e.Fee
		if e.Late {
			a.status = StatusLateCancelled
		}
	case AppointmentCompleted:
		a.status = StatusCompleted
	case AppointmentNoShow:
		a.status, a.fee = StatusNoShow, e.Fee
	}
}

// Exists reports whether the appointment was ever booked.
func (a *Appointment) Exists() bool { return !a.id.IsZero() }

// ID, Therapist, Client, ServiceType, Series, Slot, Status, Location, VideoLink and Fee report
// the appointment's state; Fee is nil when no fee was charged.
func (a *Appointment) ID() domain.ID          { return a.id }
func (a *Appointment) Therapist() domain.ID   { return a.therapist }
func (a *Appointment) Client() domain.ID      { return a.client }
func (a *Appointment) ServiceType() domain.ID { return a.service }
func (a *Appointment) Series() domain.ID      { return a.series }
func (a *Appointment) Slot() Interval         { return a.slot }
func (a *Appointment) Status() Status         { return a.status }
func (a *Appointment) Location() string       { return a.location }
func (a *Appointment) VideoLink() string      { return a.videoLink }
func (a *Appointment) Fee() *Money            { return a.fee }

// VisibleTo reports whether actor may see or change the appointment: its therapist, or its client
// through the portal. Everyone else must be told it does not exist.
func (a *Appointment) VisibleTo(actor domain.Actor) bool {
	return a.Exists() && (actor.Is(a.therapist, domain.RoleTherapist) || actor.Is(a.client, domain.RoleClient))
}

// Place is where a session happens: an address or room, a video link, or both.
type Place struct {
	Location  string
	VideoLink string
}

// Validate checks the place has at least one of its fields, within length limits, and that a
// video link is an https URL.
func (p Place) Validate() error {
	if strings.TrimSpace(p.Location) == "" && p.VideoLink == "" {
		return domain.Invalid("location", "a location or a video link is required")
	}
	if utf8.RuneCountInString(p.Location) > maxLocationLen || !utf8.ValidString(p.Location) {
		return domain.Invalid("location", "at most 500 characters of UTF-8")
	}
	if p.VideoLink != "" {
		u, err := url.Parse(p.VideoLink)
		if err != nil || u.Scheme != "https" || u.Host == "" || len(p.VideoLink) > maxLocationLen {
			return domain.Invalid("video_link", "want an https URL")
		}
	}
	return nil
}

// ValidateReason checks a free-text reason: optional, at most 2000 characters of UTF-8.
func ValidateReason(reason string) error {
	if !utf8.ValidString(reason) || utf8.RuneCountInString(reason) > maxReasonLen {
		return domain.Invalid("reason", "at most 2000 characters of UTF-8")
	}
	return nil
}

// Booked returns the event recording a booking's details; slot and pending come from the
// calendar's reservation.
func Booked(r SlotReserved, therapist, client, service domain.ID, place Place, by domain.Role, seriesRule, consentWarning string) AppointmentBooked {
	return AppointmentBooked{
		AppointmentID: r.AppointmentID, TherapistID: therapist, ClientID: client, ServiceTypeID: service,
		Start: r.Start, End: r.End, Location: place.Location, VideoLink: place.VideoLink,
		SeriesID: r.SeriesID, SeriesRule: seriesRule, BookedBy: by, PendingApproval: r.PendingApproval,
		ConsentWarning: consentWarning,
	}
}

// Rescheduled returns the event recording a move decided on the calendar from the slot previous.
func Rescheduled(m SlotMoved, previous Interval, by domain.Role, reason string) AppointmentRescheduled {
	return AppointmentRescheduled{AppointmentID: m.AppointmentID, Start: m.Start, End: m.End, PreviousStart: previous.Start, PreviousEnd: previous.End, By: by, Reason: reason}
}

// Cancelled returns the event recording a cancellation decided on the calendar.
func Cancelled(c Cancellation, by domain.Role, reason string) AppointmentCancelled {
	return AppointmentCancelled{AppointmentID: c.Event.AppointmentID, By: by, Reason: reason, Late: c.Late, Fee: c.Fee}
}
