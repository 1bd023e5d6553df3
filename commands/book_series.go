package commands

import (
	"context"
	"strings"
	"time"

	"github.com/teambition/rrule-go"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
)

// BookSeries books a recurring series of sessions, all or nothing. Rule is an RFC 5545 RRULE
// value such as "FREQ=WEEKLY;COUNT=10" (weekly) or "FREQ=WEEKLY;INTERVAL=2;COUNT=6" (fortnightly)
// or any custom rule with FREQ DAILY, WEEKLY, MONTHLY or YEARLY and a COUNT or UNTIL; Start is
// both the first occurrence and the rule's DTSTART, expanded in the calendar's time zone so every
// occurrence keeps its local wall-clock time across daylight-saving changes. SeriesID may be
// preset (zero: a fresh UUIDv7).
type BookSeries struct {
	SeriesID      domain.ID
	TherapistID   domain.ID
	ClientID      domain.ID
	ServiceTypeID domain.ID
	Start         time.Time
	Duration      time.Duration
	Rule          string
	Place         scheduling.Place
}

// SeriesBooking is the outcome of BookSeries: the series id and each occurrence's appointment id
// in time order.
type SeriesBooking struct {
	SeriesID       domain.ID
	Appointments   []domain.ID
	ConsentWarning string
}

// BookSeriesHandler handles BookSeries. It is safe for concurrent use.
type BookSeriesHandler struct{ d Deps }

// NewBookSeriesHandler returns a handler over d.
func NewBookSeriesHandler(d Deps) *BookSeriesHandler { return &BookSeriesHandler{d: d} }

// Handle expands the rule and reserves every occurrence on the therapist's calendar in one append.
// If any occurrence cannot be booked nothing is booked, and the error is a
// *scheduling.SeriesConflictError (KindConflict "series_conflict") listing each conflicting
// occurrence with its start and reason. Only the client's therapist may book a series; eligibility
// and consent are checked as for BookAppointment, at the first occurrence.
func (h *BookSeriesHandler) Handle(ctx context.Context, actor domain.Actor, cmd BookSeries) (SeriesBooking, error) {
	if err := validateBooking(cmd.TherapistID, cmd.ClientID, cmd.ServiceTypeID, cmd.Duration); err != nil {
		return SeriesBooking{}, err
	}
	if err := cmd.Place.Validate(); err != nil {
		return SeriesBooking{}, err
	}
	if !actor.Is(cmd.TherapistID, domain.RoleTherapist) {
		if actor.Role == domain.RoleTherapist || actor.Role == domain.RoleClient {
			return SeriesBooking{}, domain.NotFound("client", cmd.ClientID)
		}
		return SeriesBooking{}, domain.Forbidden("booking_not_allowed", "only the therapist books a series")
	}
	if _, err := seriesStarts(cmd.Rule, cmd.Start, time.UTC); err != nil {
		return SeriesBooking{}, err
	}
	warning, err := bookingEligibility(ctx, h.d, actor, cmd.ClientID, cmd.TherapistID, cmd.ServiceTypeID, cmd.Start)
	if err != nil {
		return SeriesBooking{}, err
	}
	series := cmd.SeriesID
	if series.IsZero() {
		if series, err = newID(); err != nil {
			return SeriesBooking{}, err
		}
	}
	var reserved []scheduling.SlotReserved
	err = changeCalendar(ctx, h.d, cmd.TherapistID, actor, func(c *scheduling.Calendar, loc *time.Location, now time.Time) ([]domain.Event, error) {
		starts, err := seriesStarts(cmd.Rule, cmd.Start, loc)
		if err != nil {
			return nil, err
		}
		occ := make([]scheduling.Occurrence, len(starts))
		for i, s := range starts {
			id, err := newID()
			if err != nil {
				return nil, err
			}
			occ[i] = scheduling.Occurrence{AppointmentID: id, Slot: scheduling.Interval{Start: s, End: s.Add(cmd.Duration)}}
		}
		reserved, err = c.ReserveSeries(series, occ, now, loc)
		evs := make([]domain.Event, len(reserved))
		for i, r := range reserved {
			evs[i] = r
		}
		return evs, err
	})
	if err != nil {
		return SeriesBooking{}, err
	}
	out := SeriesBooking{SeriesID: series, ConsentWarning: warning}
	booked := make([]scheduling.AppointmentBooked, len(reserved))
	for i, r := range reserved {
		booked[i] = scheduling.Booked(r, cmd.TherapistID, cmd.ClientID, cmd.ServiceTypeID, cmd.Place, actor.Role, normaliseRule(cmd.Rule), warning)
		out.Appointments = append(out.Appointments, r.AppointmentID)
	}
	if err := recordBookings(ctx, h.d, actor, cmd.TherapistID, cmd.ClientID, booked); err != nil {
		return SeriesBooking{}, err
	}
	return out, nil
}

// seriesStarts expands rule from start in loc. It fails with KindInvalid ("invalid_rule") for a
// rule that does not parse, repeats more often than daily, has neither COUNT nor UNTIL, or yields
// no occurrence or more than scheduling.MaxSeriesOccurrences.
func seriesStarts(rule string, start time.Time, loc *time.Location) ([]time.Time, error) {
	if start.IsZero() {
		return nil, domain.Invalid("start", "required")
	}
	opt, err := rrule.StrToROptionInLocation(normaliseRule(rule), loc)
	if err != nil {
		return nil, domain.Invalid("rule", "not an RRULE")
	}
	switch opt.Freq {
	case rrule.DAILY, rrule.WEEKLY, rrule.MONTHLY, rrule.YEARLY:
	default:
		return nil, domain.Invalid("rule", "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY")
	}
	if opt.Count == 0 && opt.Until.IsZero() {
		return nil, domain.Invalid("rule", "COUNT or UNTIL is required")
	}
	if opt.Count > scheduling.MaxSeriesOccurrences {
		return nil, domain.Invalid("rule", "too many occurrences")
	}
	opt.Dtstart = start.In(loc)
	r, err := rrule.NewRRule(*opt)
	if err != nil {
		return nil, domain.Invalid("rule", "not a valid RRULE")
	}
	var out []time.Time
	next := r.Iterator()
	for t, ok := next(); ok; t, ok = next() {
		if len(out) == scheduling.MaxSeriesOccurrences {
			return nil, domain.Invalid("rule", "too many occurrences")
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, domain.Invalid("rule", "no occurrences")
	}
	return out, nil
}

// normaliseRule strips an "RRULE:" prefix and surrounding space.
func normaliseRule(rule string) string {
	return strings.TrimPrefix(strings.TrimSpace(rule), "RRULE:")
}
