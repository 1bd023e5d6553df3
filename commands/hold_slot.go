package commands

import (
	"context"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
)

// HoldSlot holds a self-bookable slot while a client completes a booking through the portal.
type HoldSlot struct {
	TherapistID   domain.ID
	ServiceTypeID domain.ID
	Start         time.Time
	Duration      time.Duration
}

// SlotHold is a placed hold: pass HoldID with BookAppointment before ExpiresAt.
type SlotHold struct {
	HoldID    domain.ID
	ExpiresAt time.Time
}

// HoldSlotHandler places and releases holds. Only a client whose record the therapist holds may
// hold a slot on that therapist's calendar; anyone else gets KindNotFound. It is safe for
// concurrent use.
type HoldSlotHandler struct{ d Deps }

// NewHoldSlotHandler returns a handler over d.
func NewHoldSlotHandler(d Deps) *HoldSlotHandler { return &HoldSlotHandler{d: d} }

// Hold holds the slot for the calendar's hold time. The slot must be self-bookable and free
// (KindConflict otherwise). The hold lapses by itself when it expires: nothing sweeps it.
func (h *HoldSlotHandler) Hold(ctx context.Context, actor domain.Actor, cmd HoldSlot) (SlotHold, error) {
	if err := h.authorise(ctx, actor, cmd.TherapistID); err != nil {
		return SlotHold{}, err
	}
	if cmd.Duration <= 0 || cmd.Duration > scheduling.MaxSessionLength {
		return SlotHold{}, domain.Invalid("duration", "want up to 8 hours")
	}
	id, err := newID()
	if err != nil {
		return SlotHold{}, err
	}
	var held scheduling.SlotHeld
	err = changeCalendar(ctx, h.d, cmd.TherapistID, actor, func(c *scheduling.Calendar, loc *time.Location, now time.Time) ([]domain.Event, error) {
		ev, err := c.HoldSlot(id, scheduling.Interval{Start: cmd.Start, End: cmd.Start.Add(cmd.Duration)}, cmd.ServiceTypeID, now, loc)
		held = ev
		return []domain.Event{ev}, err
	})
	if err != nil {
		return SlotHold{}, err
	}
	return SlotHold{HoldID: id, ExpiresAt: held.ExpiresAt}, nil
}

// Release gives a held slot back before it expires; an unknown, redeemed or expired hold is
// KindNotFound ("hold_not_found").
func (h *HoldSlotHandler) Release(ctx context.Context, actor domain.Actor, therapist, hold domain.ID) error {
	if err := h.authorise(ctx, actor, therapist); err != nil {
		return err
	}
	err := changeCalendar(ctx, h.d, therapist, actor, func(c *scheduling.Calendar, _ *time.Location, now time.Time) ([]domain.Event, error) {
		ev, err := c.ReleaseHold(hold, now)
		return []domain.Event{ev}, err
	})
	return err
}

// authorise checks actor is a client whose record therapist holds.
func (h *HoldSlotHandler) authorise(ctx context.Context, actor domain.Actor, therapist domain.ID) error {
	if actor.Role != domain.RoleClient {
		return domain.Forbidden("clients_only", "holds are for clients booking through the portal")
	}
	c, _, err := LoadClient(ctx, h.d, actor.UserID)
	if err != nil {
		return err
	}
	if !c.HeldBy(therapist) {
		return domain.NotFound("calendar", therapist)
	}
	return c.RequireActive()
}
