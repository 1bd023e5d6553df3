package commands

import (
	"context"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
	"github.com/caseledger/caseledger/eventstore"
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
// (KindConflict otherwise). The hold lapses by itself when it expires: nothing sweeps it. A client
// has at most one hold on a calendar: every earlier hold of theirs still held there is released
// in the same append, so that one client cannot keep the calendar's free slots for themselves.
// The calendar, which is plaintext, does not say whose a hold is: the client's own holds are
// listed, sealed, in their schedule (ClientHoldPlaced, written before the hold; a hold refused
// after it is simply not found there later).
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
	schedule, err := loadStream(ctx, h.d, ClientScheduleStream(actor.UserID), scheduling.Decode)
	if err != nil {
		return SlotHold{}, err
	}
	now := h.d.Clock.Now()
	earlier := scheduling.RebuildClientSchedule(schedule.Events).HoldsSince(cmd.TherapistID, now.Add(-scheduling.MaxHoldTime))
	env := Envelope{Actor: actor, Subject: actor.UserID, SchemaVersion: scheduling.SchemaVersion}
	placed := scheduling.ClientHoldPlaced{HoldID: id, TherapistID: cmd.TherapistID, At: now.UTC()}
	if _, err := appendEvents(ctx, h.d, ClientScheduleStream(actor.UserID), eventstore.Any(), env, placed); err != nil {
		return SlotHold{}, err
	}
	var held scheduling.SlotHeld
	err = changeCalendar(ctx, h.d, cmd.TherapistID, actor, func(c *scheduling.Calendar, loc *time.Location, now time.Time) ([]domain.Event, error) {
		var evs []domain.Event
		for _, e := range earlier {
			if released, err := c.ReleaseHold(e, now); err == nil {
				c.Apply(released)
				evs = append(evs, released)
			}
		}
		ev, err := c.HoldSlot(id, scheduling.Interval{Start: cmd.Start, End: cmd.Start.Add(cmd.Duration)}, cmd.ServiceTypeID, now, loc)
		held = ev
		return append(evs, ev), err
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
