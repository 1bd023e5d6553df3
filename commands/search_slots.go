package commands

import (
	"context"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
)

// SlotSearchHandler finds free slots on a therapist's calendar. It reads only; it is safe for
// concurrent use.
type SlotSearchHandler struct{ d Deps }

// NewSlotSearchHandler returns a handler over d.
func NewSlotSearchHandler(d Deps) *SlotSearchHandler { return &SlotSearchHandler{d: d} }

// Search returns the free slots of q (scheduling.Calendar.FreeSlots) at the clock's now. The
// therapist, an admin and a practice manager search the whole calendar; a client searches only
// what they may book themselves (q.SelfBooking is forced on) and only on the calendar of the
// therapist who holds their record; anyone else gets KindNotFound. An unconfigured calendar has
// no free slots.
func (h *SlotSearchHandler) Search(ctx context.Context, actor domain.Actor, therapist domain.ID, q scheduling.SlotQuery) ([]scheduling.Interval, error) {
	switch {
	case actor.Is(therapist, domain.RoleTherapist), actor.Role == domain.RoleAdmin, actor.Role == domain.RolePracticeManager:
	case actor.Role == domain.RoleClient:
		c, _, err := LoadClient(ctx, h.d, actor.UserID)
		if err != nil {
			return nil, err
		}
		if !c.HeldBy(therapist) {
			return nil, domain.NotFound("calendar", therapist)
		}
		q.SelfBooking = true
	default:
		return nil, domain.NotFound("calendar", therapist)
	}
	c, _, loc, err := LoadCalendar(ctx, h.d, therapist)
	if err != nil {
		return nil, err
	}
	return c.FreeSlots(q, h.d.Clock.Now(), loc)
}
