package commands

import (
	"context"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
)

// SetAvailabilityHandler changes a therapist's working hours: the weekly hours and exceptions by
// local date (holidays, days off, one-off hours). It is safe for concurrent use. Only the
// therapist or an admin may; anyone else gets KindNotFound. Changes never cancel existing
// bookings; they govern later bookings and slot searches.
type SetAvailabilityHandler struct{ d Deps }

// NewSetAvailabilityHandler returns a handler over d.
func NewSetAvailabilityHandler(d Deps) *SetAvailabilityHandler { return &SetAvailabilityHandler{d: d} }

// SetWeeklyHours replaces the therapist's working week (local wall-clock times in the calendar's
// zone).
func (h *SetAvailabilityHandler) SetWeeklyHours(ctx context.Context, actor domain.Actor, therapist domain.ID, hours scheduling.WeeklyHours) error {
	return h.change(ctx, actor, therapist, func(c *scheduling.Calendar) (domain.Event, error) {
		return c.SetWeeklyHours(hours)
	})
}

// SetException replaces the hours of one local date: closed, or other hours.
func (h *SetAvailabilityHandler) SetException(ctx context.Context, actor domain.Actor, therapist domain.ID, e scheduling.DayException) error {
	return h.change(ctx, actor, therapist, func(c *scheduling.Calendar) (domain.Event, error) {
		return c.SetException(e)
	})
}

// ClearException returns a local date to the weekly hours; a date without an exception is
// KindNotFound ("exception_not_found").
func (h *SetAvailabilityHandler) ClearException(ctx context.Context, actor domain.Actor, therapist domain.ID, day scheduling.Date) error {
	return h.change(ctx, actor, therapist, func(c *scheduling.Calendar) (domain.Event, error) {
		return c.ClearException(day)
	})
}

// SetSelfBookingRules replaces which slots clients may book themselves, how far ahead, with how
// much notice, whether a new client's first booking waits for approval, and how long a hold lasts.
func (h *SetAvailabilityHandler) SetSelfBookingRules(ctx context.Context, actor domain.Actor, therapist domain.ID, r scheduling.SelfBookingRules) error {
	return h.change(ctx, actor, therapist, func(c *scheduling.Calendar) (domain.Event, error) {
		return c.SetSelfBookingRules(r)
	})
}

func (h *SetAvailabilityHandler) change(ctx context.Context, actor domain.Actor, therapist domain.ID, decide func(*scheduling.Calendar) (domain.Event, error)) error {
	if err := authoriseCalendar(actor, therapist); err != nil {
		return err
	}
	err := changeCalendar(ctx, h.d, therapist, actor, func(c *scheduling.Calendar, _ *time.Location, _ time.Time) ([]domain.Event, error) {
		ev, err := decide(c)
		if err != nil {
			return nil, err
		}
		return []domain.Event{ev}, nil
	})
	return err
}
