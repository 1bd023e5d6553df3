package scheduling

import (
	"time"

	"github.com/caseledger/caseledger/domain"
)

// MoveRequest asks to move an appointment's slot.
type MoveRequest struct {
	AppointmentID domain.ID
	Slot          Interval
	// SelfBooked and ServiceTypeID apply the self-booking rules, as for Reserve.
	SelfBooked    bool
	ServiceTypeID domain.ID
}

// Move returns the event that moves an open appointment to req.Slot, under the same checks as
// Reserve; the appointment's own current slot does not count as taken. A missing appointment
// fails with KindNotFound, a closed one (cancelled, completed) with KindConflict
// "appointment_closed".
func (c *Calendar) Move(req MoveRequest, now time.Time, loc *time.Location) (SlotMoved, error) {
	r, err := c.open(req.AppointmentID)
	if err != nil {
		return SlotMoved{}, err
	}
	if !r.Slot.Start.After(now) {
		return SlotMoved{}, domain.Conflict("appointment_started", "appointment "+r.AppointmentID.String()+" has already started")
	}
	if err := c.checkSlot(req.Slot, slotCheck{self: req.SelfBooked, service: req.ServiceTypeID, except: []domain.ID{r.AppointmentID}}, now, loc); err != nil {
		return SlotMoved{}, err
	}
	return SlotMoved{AppointmentID: r.AppointmentID, Start: req.Slot.Start.UTC(), End: req.Slot.End.UTC()}, nil
}

// Cancellation is the outcome of Cancel: the event, whether it was late, and the fee charged.
type Cancellation struct {
	Event SlotReleased
	Late  bool
	// Fee is the late-cancellation fee, nil when none is due.
	Fee *Money
}

// Cancel returns the cancellation of an open appointment that has not started, by the client or
// the therapist (by). Inside the policy's cancellation window it is late; a late cancellation by
// the client carries the policy's late-cancellation fee. A therapist's cancellation is never
// charged to the client.
func (c *Calendar) Cancel(appointment domain.ID, by domain.Role, now time.Time) (Cancellation, error) {
	r, err := c.open(appointment)
	if err != nil {
		return Cancellation{}, err
	}
	if !r.Slot.Start.After(now) {
		return Cancellation{}, domain.Conflict("appointment_started", "appointment "+appointment.String()+" has already started")
	}
	late := now.After(r.Slot.Start.Add(-c.policy.CancellationWindow()))
	out := Cancellation{Event: SlotReleased{AppointmentID: appointment, Outcome: StatusCancelled}, Late: late}
	if late {
		out.Event.Outcome = StatusLateCancelled
		if by == domain.RoleClient && c.policy.LateCancelFee != nil {
			fee := *c.policy.LateCancelFee
			out.Fee = &fee
		}
	}
	return out, nil
}

// Approve returns the event that confirms a booking pending the therapist's approval.
func (c *Calendar) Approve(appointment domain.ID) (SlotApproved, error) {
	if _, err := c.pending(appointment); err != nil {
		return SlotApproved{}, err
	}
	return SlotApproved{AppointmentID: appointment}, nil
}

// Decline returns the event that refuses a booking pending approval and frees its slot.
func (c *Calendar) Decline(appointment domain.ID) (SlotReleased, error) {
	if _, err := c.pending(appointment); err != nil {
		return SlotReleased{}, err
	}
	return SlotReleased{AppointmentID: appointment, Outcome: StatusDeclined}, nil
}

// Complete returns the event that records a confirmed appointment as held; it may be recorded from
// the appointment's start.
func (c *Calendar) Complete(appointment domain.ID, now time.Time) (SlotCompleted, error) {
	if _, err := c.started(appointment, now); err != nil {
		return SlotCompleted{}, err
	}
	return SlotCompleted{AppointmentID: appointment}, nil
}

// NoShow returns the event that records the client's absence from a confirmed appointment, from
// its start, and the policy's no-show fee (nil when none).
func (c *Calendar) NoShow(appointment domain.ID, now time.Time) (SlotNoShow, *Money, error) {
	if _, err := c.started(appointment, now); err != nil {
		return SlotNoShow{}, nil, err
	}
	var fee *Money
	if c.policy.NoShowFee != nil {
		f := *c.policy.NoShowFee
		fee = &f
	}
	return SlotNoShow{AppointmentID: appointment}, fee, nil
}

// ReleaseFailed returns the event that frees the slot of a booking whose details could not be
// recorded (the compensation when the appointment stream's append fails after the reservation).
func (c *Calendar) ReleaseFailed(appointment domain.ID) (SlotReleased, error) {
	if _, err := c.open(appointment); err != nil {
		return SlotReleased{}, err
	}
	return SlotReleased{AppointmentID: appointment, Outcome: StatusBookingFailed}, nil
}

func (c *Calendar) open(appointment domain.ID) (*Reservation, error) {
	r, ok := c.reservations[appointment]
	if !ok {
		return nil, domain.NotFound("appointment", appointment)
	}
	if !r.Status.Open() {
		return nil, domain.Conflict("appointment_closed", "appointment "+appointment.String()+" is "+string(r.Status))
	}
	return r, nil
}

func (c *Calendar) pending(appointment domain.ID) (*Reservation, error) {
	r, err := c.open(appointment)
	if err != nil {
		return nil, err
	}
	if r.Status != StatusPendingApproval {
		return nil, domain.Conflict("not_pending_approval", "appointment "+appointment.String()+" is not waiting for approval")
	}
	return r, nil
}

func (c *Calendar) started(appointment domain.ID, now time.Time) (*Reservation, error) {
	r, err := c.open(appointment)
	if err != nil {
		return nil, err
	}
	if r.Status != StatusBooked {
		return nil, domain.Conflict("not_confirmed", "appointment "+appointment.String()+" was never confirmed")
	}
	if now.Before(r.Slot.Start) {
		return nil, domain.Conflict("appointment_not_started", "appointment "+appointment.String()+" has not started yet")
	}
	return r, nil
}
