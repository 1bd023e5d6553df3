package scheduling

import "github.com/caseledger/caseledger/domain"

// Configure returns the event that sets the calendar's policy. The caller has already checked that
// p.TimeZone loads.
func (c *Calendar) Configure(p Policy) (CalendarConfigured, error) {
	if err := p.Validate(); err != nil {
		return CalendarConfigured{}, err
	}
	return CalendarConfigured{TherapistID: c.therapist, Policy: p}, nil
}

// SetWeeklyHours returns the event that replaces the working week. Existing bookings are kept even
// when they fall outside the new hours.
func (c *Calendar) SetWeeklyHours(h WeeklyHours) (WeeklyHoursSet, error) {
	if err := c.requireConfigured(); err != nil {
		return WeeklyHoursSet{}, err
	}
	if err := h.Validate(); err != nil {
		return WeeklyHoursSet{}, err
	}
	return WeeklyHoursSet{Hours: h}, nil
}

// SetException returns the event that replaces the hours of one local date (a holiday, a day off,
// or one-off hours). Existing bookings on that date are kept.
func (c *Calendar) SetException(e DayException) (AvailabilityExceptionSet, error) {
	if err := c.requireConfigured(); err != nil {
		return AvailabilityExceptionSet{}, err
	}
	if err := e.Validate(); err != nil {
		return AvailabilityExceptionSet{}, err
	}
	return AvailabilityExceptionSet{Exception: e}, nil
}

// ClearException returns the event that returns date d to the weekly hours. It fails with
// KindNotFound when d has no exception.
func (c *Calendar) ClearException(d Date) (AvailabilityExceptionCleared, error) {
	if _, ok := c.availability.Exceptions[d]; !ok {
		return AvailabilityExceptionCleared{}, &domain.Error{Kind: domain.KindNotFound, Code: "exception_not_found", Message: "no exception on " + d.String()}
	}
	return AvailabilityExceptionCleared{Date: d}, nil
}

// SetSelfBookingRules returns the event that replaces the self-booking rules.
func (c *Calendar) SetSelfBookingRules(r SelfBookingRules) (SelfBookingRulesSet, error) {
	if err := c.requireConfigured(); err != nil {
		return SelfBookingRulesSet{}, err
	}
	if err := r.Validate(); err != nil {
		return SelfBookingRulesSet{}, err
	}
	return SelfBookingRulesSet{Rules: r}, nil
}

func (c *Calendar) requireConfigured() error {
	if !c.configured {
		return domain.Conflict("calendar_not_configured", "calendar "+c.therapist.String()+" has no policy yet")
	}
	return nil
}
