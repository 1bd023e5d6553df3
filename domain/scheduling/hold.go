package scheduling

import (
	"time"

	"github.com/caseledger/caseledger/domain"
)

// HoldSlot returns the event that holds slot for a client completing a self-booking, until now
// plus the rules' hold time. The slot must be self-bookable for service and free. An expired hold
// stops blocking the slot by itself: nothing needs to sweep it.
func (c *Calendar) HoldSlot(hold domain.ID, slot Interval, service domain.ID, now time.Time, loc *time.Location) (SlotHeld, error) {
	if hold.IsZero() {
		return SlotHeld{}, domain.Invalid("hold_id", "required")
	}
	if _, ok := c.holds[hold]; ok {
		return SlotHeld{}, domain.Conflict("hold_exists", "hold "+hold.String()+" exists")
	}
	if err := c.checkSlot(slot, slotCheck{self: true, service: service}, now, loc); err != nil {
		return SlotHeld{}, err
	}
	return SlotHeld{HoldID: hold, Start: slot.Start.UTC(), End: slot.End.UTC(), ExpiresAt: now.Add(c.selfBooking.HoldTTL()).UTC().Truncate(time.Microsecond)}, nil
}

// ReleaseHold returns the event that gives a held slot back. A hold that is unknown, redeemed or
// already expired fails with KindNotFound "hold_not_found".
func (c *Calendar) ReleaseHold(hold domain.ID, now time.Time) (HoldReleased, error) {
	h, ok := c.holds[hold]
	if !ok || !h.activeAt(now) {
		return HoldReleased{}, &domain.Error{Kind: domain.KindNotFound, Code: "hold_not_found", Message: "hold " + hold.String() + " not found"}
	}
	return HoldReleased{HoldID: hold}, nil
}
