package commands

import (
	"context"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
)

// ReviewBookingHandler approves or declines a new client's self-booking that waits for the
// therapist. Only the appointment's therapist may; its client gets KindForbidden, anyone else
// KindNotFound; a booking not waiting is KindConflict ("not_pending_approval"). It is safe for
// concurrent use.
type ReviewBookingHandler struct{ d Deps }

// NewReviewBookingHandler returns a handler over d.
func NewReviewBookingHandler(d Deps) *ReviewBookingHandler { return &ReviewBookingHandler{d: d} }

// Approve confirms the booking.
func (h *ReviewBookingHandler) Approve(ctx context.Context, actor domain.Actor, appointment domain.ID) error {
	return changeAppointment(ctx, h.d, actor, appointment, func(a *scheduling.Appointment, c *scheduling.Calendar, _ *time.Location, _ time.Time) ([]domain.Event, []domain.Event, error) {
		if err := requireTherapist(actor, a); err != nil {
			return nil, nil, err
		}
		ev, err := c.Approve(a.ID())
		if err != nil {
			return nil, nil, err
		}
		return []domain.Event{ev}, []domain.Event{scheduling.AppointmentApproved{AppointmentID: a.ID()}}, nil
	})
}

// Decline refuses the booking and frees its slot. Reason is optional free text, sealed.
func (h *ReviewBookingHandler) Decline(ctx context.Context, actor domain.Actor, appointment domain.ID, reason string) error {
	if err := scheduling.ValidateReason(reason); err != nil {
		return err
	}
	return changeAppointment(ctx, h.d, actor, appointment, func(a *scheduling.Appointment, c *scheduling.Calendar, _ *time.Location, _ time.Time) ([]domain.Event, []domain.Event, error) {
		if err := requireTherapist(actor, a); err != nil {
			return nil, nil, err
		}
		ev, err := c.Decline(a.ID())
		if err != nil {
			return nil, nil, err
		}
		return []domain.Event{ev}, []domain.Event{scheduling.AppointmentDeclined{AppointmentID: a.ID(), Reason: reason}}, nil
	})
}
