package commands

import (
	"context"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
)

// CancelAppointment cancels one appointment (also a single occurrence of a series). Reason is
// optional free text, sealed under the client's key.
type CancelAppointment struct {
	AppointmentID domain.ID
	Reason        string
}

// CancelOutcome says how a cancellation was decided: whether it was late, the fee charged (nil
// when none), and the slot it freed, to offer to the waitlist (WaitlistHandler.Matches).
type CancelOutcome struct {
	Late      bool
	Fee       *scheduling.Money
	FreedSlot scheduling.Interval
}

// CancelAppointmentHandler handles CancelAppointment. It is safe for concurrent use.
type CancelAppointmentHandler struct{ d Deps }

// NewCancelAppointmentHandler returns a handler over d.
func NewCancelAppointmentHandler(d Deps) *CancelAppointmentHandler {
	return &CancelAppointmentHandler{d: d}
}

// Handle cancels the appointment by its client or its therapist (the actor's role is recorded as
// who cancelled). Inside the calendar's cancellation window the cancellation is late; a late
// cancellation by the client carries the late-cancellation fee. Anyone else gets KindNotFound; an
// appointment that has started or is closed is KindConflict.
func (h *CancelAppointmentHandler) Handle(ctx context.Context, actor domain.Actor, cmd CancelAppointment) (CancelOutcome, error) {
	if err := scheduling.ValidateReason(cmd.Reason); err != nil {
		return CancelOutcome{}, err
	}
	var out CancelOutcome
	err := changeAppointment(ctx, h.d, actor, cmd.AppointmentID, func(a *scheduling.Appointment, c *scheduling.Calendar, _ *time.Location, now time.Time) ([]domain.Event, []domain.Event, error) {
		cx, err := c.Cancel(a.ID(), actor.Role, now)
		if err != nil {
			return nil, nil, err
		}
		r, _ := c.Reservation(a.ID())
		out = CancelOutcome{Late: cx.Late, Fee: cx.Fee, FreedSlot: r.Slot}
		return []domain.Event{cx.Event}, []domain.Event{scheduling.Cancelled(cx, actor.Role, cmd.Reason)}, nil
	})
	return out, err
}
