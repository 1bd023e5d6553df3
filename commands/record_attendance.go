package commands

import (
	"context"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
)

// RecordAttendanceHandler records whether a confirmed session took place: completed, or a
// no-show. Only the appointment's therapist may, from the appointment's start; its client gets
// KindForbidden, anyone else KindNotFound. It is safe for concurrent use.
type RecordAttendanceHandler struct{ d Deps }

// NewRecordAttendanceHandler returns a handler over d.
func NewRecordAttendanceHandler(d Deps) *RecordAttendanceHandler {
	return &RecordAttendanceHandler{d: d}
}

// Complete records that the session took place.
func (h *RecordAttendanceHandler) Complete(ctx context.Context, actor domain.Actor, appointment domain.ID) error {
	return changeAppointment(ctx, h.d, actor, appointment, func(a *scheduling.Appointment, c *scheduling.Calendar, _ *time.Location, now time.Time) ([]domain.Event, []domain.Event, error) {
		if err := requireTherapist(actor, a); err != nil {
			return nil, nil, err
		}
		ev, err := c.Complete(a.ID(), now)
		if err != nil {
			return nil, nil, err
		}
		return []domain.Event{ev}, []domain.Event{scheduling.AppointmentCompleted{AppointmentID: a.ID()}}, nil
	})
}

// NoShow records that the client did not attend, with the calendar's no-show fee (nil when none),
// which it returns.
func (h *RecordAttendanceHandler) NoShow(ctx context.Context, actor domain.Actor, appointment domain.ID) (*scheduling.Money, error) {
	var fee *scheduling.Money
	err := changeAppointment(ctx, h.d, actor, appointment, func(a *scheduling.Appointment, c *scheduling.Calendar, _ *time.Location, now time.Time) ([]domain.Event, []domain.Event, error) {
		if err := requireTherapist(actor, a); err != nil {
			return nil, nil, err
		}
		ev, f, err := c.NoShow(a.ID(), now)
		if err != nil {
			return nil, nil, err
		}
		fee = f
		return []domain.Event{ev}, []domain.Event{scheduling.AppointmentNoShow{AppointmentID: a.ID(), Fee: f}}, nil
	})
	return fee, err
}
