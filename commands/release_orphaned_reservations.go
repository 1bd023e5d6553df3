package commands

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
	"github.com/caseledger/caseledger/eventstore"
)

// MinOrphanGrace is the shortest grace ReleaseOrphanedReservations accepts: a booking in flight
// writes its details within milliseconds of its reservation.
const MinOrphanGrace = time.Minute

// ReleaseOrphanedReservationsHandler frees the slots of bookings that never finished: a process
// that stopped between reserving a slot and writing the appointment's details leaves a
// reservation whose appointment stream does not exist. It is safe for concurrent use, and safe to
// run at any time (by a scheduled sweep as the system, or by the therapist or an admin).
type ReleaseOrphanedReservationsHandler struct{ d Deps }

// NewReleaseOrphanedReservationsHandler returns a handler over d.
func NewReleaseOrphanedReservationsHandler(d Deps) *ReleaseOrphanedReservationsHandler {
	return &ReleaseOrphanedReservationsHandler{d: d}
}

// Handle releases (outcome "booking_failed") every open reservation on therapist's calendar made
// more than grace ago whose appointment stream does not exist, and returns their appointment ids.
// grace below MinOrphanGrace is KindInvalid. Only the therapist, an admin or the system may;
// anyone else gets KindNotFound.
func (h *ReleaseOrphanedReservationsHandler) Handle(ctx context.Context, actor domain.Actor, therapist domain.ID, grace time.Duration) ([]domain.ID, error) {
	if actor.Role != domain.RoleSystem {
		if err := authoriseCalendar(actor, therapist); err != nil {
			return nil, err
		}
	}
	if grace < MinOrphanGrace {
		return nil, domain.Invalid("grace", "at least one minute")
	}
	c, _, _, err := LoadCalendar(ctx, h.d, therapist)
	if err != nil {
		return nil, err
	}
	var orphans []domain.ID
	for _, r := range c.OpenReservedBefore(h.d.Clock.Now().Add(-grace)) {
		_, err := h.d.Log.ReadStream(ctx, AppointmentStream(r.AppointmentID), 0, 1)
		switch {
		case errors.Is(err, eventstore.ErrStreamNotFound):
			orphans = append(orphans, r.AppointmentID)
		case err != nil:
			return nil, fmt.Errorf("check %s: %w", AppointmentStream(r.AppointmentID), err)
		}
	}
	if len(orphans) == 0 {
		return nil, nil
	}
	var released []domain.ID
	err = changeCalendar(ctx, h.d, therapist, actor, func(c *scheduling.Calendar, _ *time.Location, _ time.Time) ([]domain.Event, error) {
		released = released[:0]
		var evs []domain.Event
		for _, id := range orphans {
			if ev, err := c.ReleaseFailed(id); err == nil {
				evs = append(evs, ev)
				released = append(released, id)
			}
		}
		return evs, nil
	})
	if err != nil {
		return nil, err
	}
	return released, nil
}
