package commands

import (
	"context"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
)

// RescheduleAppointment moves one appointment (also a single occurrence of a series). A zero
// Duration keeps the appointment's length. Reason is optional free text, sealed.
type RescheduleAppointment struct {
	AppointmentID domain.ID
	Start         time.Time
	Duration      time.Duration
	Reason        string
}

// RescheduleAppointmentHandler handles RescheduleAppointment. It is safe for concurrent use.
type RescheduleAppointmentHandler struct{ d Deps }

// NewRescheduleAppointmentHandler returns a handler over d.
func NewRescheduleAppointmentHandler(d Deps) *RescheduleAppointmentHandler {
	return &RescheduleAppointmentHandler{d: d}
}

// Handle moves the appointment on the calendar under the same checks as a booking (its own
// current slot does not count as taken; a client moving their appointment through the portal is
// held to the self-booking rules), then records AppointmentRescheduled. Only the appointment's
// therapist or client may; anyone else gets KindNotFound.
func (h *RescheduleAppointmentHandler) Handle(ctx context.Context, actor domain.Actor, cmd RescheduleAppointment) error {
	if err := scheduling.ValidateReason(cmd.Reason); err != nil {
		return err
	}
	return changeAppointment(ctx, h.d, actor, cmd.AppointmentID, func(a *scheduling.Appointment, c *scheduling.Calendar, loc *time.Location, now time.Time) ([]domain.Event, []domain.Event, error) {
		length := cmd.Duration
		if length == 0 {
			length = a.Slot().Duration()
		}
		moved, err := c.Move(scheduling.MoveRequest{
			AppointmentID: a.ID(), Slot: scheduling.Interval{Start: cmd.Start, End: cmd.Start.Add(length)},
			SelfBooked: actor.Role == domain.RoleClient, ServiceTypeID: a.ServiceType(),
		}, now, loc)
		if err != nil {
			return nil, nil, err
		}
		r, _ := c.Reservation(a.ID())
		return []domain.Event{moved}, []domain.Event{scheduling.Rescheduled(moved, r.Slot, actor.Role, cmd.Reason)}, nil
	})
}
