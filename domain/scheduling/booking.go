package scheduling

import (
	"slices"
	"time"

	"github.com/caseledger/caseledger/domain"
)

// MaxSessionLength is the longest slot one appointment may take.
const MaxSessionLength = 8 * time.Hour

// ReserveRequest asks for a slot on the calendar.
type ReserveRequest struct {
	AppointmentID domain.ID
	// SeriesID is set for an occurrence of a recurring series.
	SeriesID      domain.ID
	Slot          Interval
	ServiceTypeID domain.ID
	// SelfBooked is set when the client books through the portal: the self-booking rules apply.
	SelfBooked bool
	// NewClient is set when the client has not seen this therapist before; with SelfBooked and the
	// rules' NewClientApproval, the reservation waits for the therapist's approval.
	NewClient bool
	// HoldID redeems a hold the client placed on exactly this slot.
	HoldID domain.ID
}

// Reserve returns the event that books req.Slot, after checking that the calendar is configured,
// the slot is in the future, inside working hours, clear of every other session by the buffer and
// of other clients' unexpired holds, and, for a self-booking, allowed by the self-booking rules.
// A taken slot fails with KindConflict code "slot_taken" (or "slot_held").
func (c *Calendar) Reserve(req ReserveRequest, now time.Time, loc *time.Location) (SlotReserved, error) {
	if req.AppointmentID.IsZero() {
		return SlotReserved{}, domain.Invalid("appointment_id", "required")
	}
	if _, ok := c.reservations[req.AppointmentID]; ok {
		return SlotReserved{}, domain.Conflict("appointment_exists", "appointment "+req.AppointmentID.String()+" is already on the calendar")
	}
	if err := c.checkSlot(req.Slot, slotCheck{self: req.SelfBooked, service: req.ServiceTypeID, hold: req.HoldID}, now, loc); err != nil {
		return SlotReserved{}, err
	}
	if !req.HoldID.IsZero() {
		h, ok := c.holds[req.HoldID]
		if !ok || !h.activeAt(now) {
			return SlotReserved{}, domain.Conflict("hold_expired", "hold "+req.HoldID.String()+" has expired or was released")
		}
		if !h.Slot.Start.Equal(req.Slot.Start) || !h.Slot.End.Equal(req.Slot.End) {
			return SlotReserved{}, domain.Conflict("hold_mismatch", "hold "+req.HoldID.String()+" is for another slot")
		}
	}
	return SlotReserved{
		AppointmentID:   req.AppointmentID,
		SeriesID:        req.SeriesID,
		Start:           req.Slot.Start.UTC(),
		End:             req.Slot.End.UTC(),
		PendingApproval: req.SelfBooked && req.NewClient && c.selfBooking.NewClientApproval,
		HoldID:          req.HoldID,
		ReservedAt:      now.UTC().Truncate(time.Microsecond),
	}, nil
}

// slotCheck says what else than the slot itself checkSlot must consider.
type slotCheck struct {
	self    bool        // the client books through the portal
	service domain.ID   // the service booked, for the self-booking rules
	except  []domain.ID // appointments whose own slots do not count (when moving them)
	hold    domain.ID   // a hold whose slot does not count (when redeeming it)
}

// checkSlot checks slot against every rule but the appointment's identity.
func (c *Calendar) checkSlot(slot Interval, sc slotCheck, now time.Time, loc *time.Location) error {
	if err := c.requireConfigured(); err != nil {
		return err
	}
	if err := validSlot(slot); err != nil {
		return err
	}
	if slot.Start.Before(now) {
		return domain.Conflict("slot_in_past", "the slot starts in the past")
	}
	if !c.availability.Covers(slot, loc) {
		return domain.Conflict("outside_availability", "the slot is outside the therapist's working hours")
	}
	if sc.self {
		if err := c.selfBooking.bookable(slot, sc.service, now, loc); err != nil {
			return err
		}
	}
	return c.clash(slot, sc, now)
}

// clash reports a reservation or an active hold too close to slot, or nil.
func (c *Calendar) clash(slot Interval, sc slotCheck, now time.Time) error {
	padded := slot.padded(c.policy.Buffer())
	for id, r := range c.reservations {
		if r.Status.Occupies() && padded.Overlaps(r.Slot) && !slices.Contains(sc.except, id) {
			return domain.Conflict("slot_taken", "the slot overlaps appointment "+id.String()+" or its buffer")
		}
	}
	for id, h := range c.holds {
		if id != sc.hold && h.activeAt(now) && padded.Overlaps(h.Slot) {
			return domain.Conflict("slot_held", "the slot is held for another booking")
		}
	}
	return nil
}

// validSlot checks the slot's shape: a positive length up to MaxSessionLength, whole minutes.
func validSlot(s Interval) error {
	if s.Start.IsZero() || s.End.IsZero() {
		return domain.Invalid("slot", "start and end required")
	}
	if !s.Start.Before(s.End) || s.Duration() > MaxSessionLength {
		return domain.Invalid("slot", "must end after it starts, within 8 hours")
	}
	if !s.Start.Truncate(time.Minute).Equal(s.Start) || !s.End.Truncate(time.Minute).Equal(s.End) {
		return domain.Invalid("slot", "must start and end on whole minutes")
	}
	return nil
}
