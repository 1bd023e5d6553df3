package commands

import (
	"context"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
	"github.com/caseledger/caseledger/eventstore"
)

// ChangeSeriesHandler changes "this and following" occurrences of a recurring series, named by
// one occurrence's appointment id. Single occurrences are moved or cancelled with
// RescheduleAppointment and CancelAppointment. It is safe for concurrent use.
type ChangeSeriesHandler struct{ d Deps }

// NewChangeSeriesHandler returns a handler over d.
func NewChangeSeriesHandler(d Deps) *ChangeSeriesHandler { return &ChangeSeriesHandler{d: d} }

// CancelFrom cancels the occurrence and every later open occurrence of its series, each decided
// as CancelAppointment decides (late cancellations inside the window; a client's late
// cancellations carry the fee). The therapist or the client may; anyone else gets KindNotFound.
// It returns each cancellation, in time order.
func (h *ChangeSeriesHandler) CancelFrom(ctx context.Context, actor domain.Actor, appointment domain.ID, reason string) ([]scheduling.Cancellation, error) {
	if err := scheduling.ValidateReason(reason); err != nil {
		return nil, err
	}
	var out []scheduling.Cancellation
	err := h.change(ctx, actor, appointment, func(a *scheduling.Appointment, c *scheduling.Calendar, from time.Time, _ *time.Location, now time.Time) ([]domain.Event, []domain.Event, error) {
		cxs, err := c.CancelSeriesFrom(a.Series(), from, actor.Role, now)
		if err != nil {
			return nil, nil, err
		}
		out = cxs
		var cal, app []domain.Event
		for _, cx := range cxs {
			cal = append(cal, cx.Event)
			app = append(app, scheduling.Cancelled(cx, actor.Role, reason))
		}
		return cal, app, nil
	})
	return out, err
}

// MoveFrom moves the occurrence to newStart and every later open occurrence of its series by the
// same number of days to the same local time, all or nothing: occurrences that cannot move are
// listed in a *scheduling.SeriesConflictError. A zero length keeps the occurrence's length. Only
// the therapist may; the client gets KindForbidden.
func (h *ChangeSeriesHandler) MoveFrom(ctx context.Context, actor domain.Actor, appointment domain.ID, newStart time.Time, length time.Duration, reason string) error {
	if err := scheduling.ValidateReason(reason); err != nil {
		return err
	}
	return h.change(ctx, actor, appointment, func(a *scheduling.Appointment, c *scheduling.Calendar, from time.Time, loc *time.Location, now time.Time) ([]domain.Event, []domain.Event, error) {
		if err := requireTherapist(actor, a); err != nil {
			return nil, nil, err
		}
		if length == 0 {
			r, _ := c.Reservation(a.ID())
			length = r.Slot.Duration()
		}
		moves, err := c.MoveSeriesFrom(a.Series(), from, newStart, length, now, loc)
		if err != nil {
			return nil, nil, err
		}
		var cal, app []domain.Event
		for _, m := range moves {
			r, _ := c.Reservation(m.AppointmentID)
			cal = append(cal, m)
			app = append(app, scheduling.Rescheduled(m, r.Slot, actor.Role, reason))
		}
		return cal, app, nil
	})
}

// seriesDecision decides on the calendar for the occurrences of a's series from the start of the
// named occurrence; the appointment events it returns may belong to any occurrence.
type seriesDecision func(a *scheduling.Appointment, c *scheduling.Calendar, from time.Time, loc *time.Location, now time.Time) (calendar, appointments []domain.Event, err error)

// change loads the named occurrence (authorising actor), decides on the calendar, then appends
// each appointment event to its own occurrence's stream, sealed under the series' client's key.
func (h *ChangeSeriesHandler) change(ctx context.Context, actor domain.Actor, appointment domain.ID, decide seriesDecision) error {
	a, _, err := LoadAppointment(ctx, h.d, actor, appointment)
	if err != nil {
		return err
	}
	if a.Series().IsZero() {
		return domain.Conflict("not_in_series", "appointment "+appointment.String()+" is not part of a series")
	}
	var record []domain.Event
	err = changeCalendar(ctx, h.d, a.Therapist(), actor, func(c *scheduling.Calendar, loc *time.Location, now time.Time) ([]domain.Event, error) {
		r, ok := c.Reservation(a.ID())
		if !ok {
			return nil, domain.NotFound("appointment", a.ID())
		}
		cal, app, err := decide(a, c, r.Slot.Start, loc, now)
		record = app
		return cal, err
	})
	if err != nil {
		return err
	}
	env := Envelope{Actor: actor, Subject: a.Client(), SchemaVersion: scheduling.SchemaVersion}
	for _, ev := range record {
		if _, err := appendEvents(ctx, h.d, AppointmentStream(appointmentOf(ev)), eventstore.Any(), env, ev); err != nil {
			return err
		}
	}
	return nil
}

// appointmentOf returns the appointment id an appointment change event is about.
func appointmentOf(ev domain.Event) domain.ID {
	switch e := ev.(type) {
	case scheduling.AppointmentCancelled:
		return e.AppointmentID
	case scheduling.AppointmentRescheduled:
		return e.AppointmentID
	}
	return domain.ID{}
}
