package commands

import (
	"context"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
)

// BookAppointment books one session. AppointmentID may be preset (the zero ID means a fresh
// UUIDv7). HoldID redeems a hold the client placed through the portal.
type BookAppointment struct {
	AppointmentID domain.ID
	TherapistID   domain.ID
	ClientID      domain.ID
	ServiceTypeID domain.ID
	Start         time.Time
	Duration      time.Duration
	Place         scheduling.Place
	HoldID        domain.ID
}

// Booking is the outcome of a booking.
type Booking struct {
	AppointmentID domain.ID
	// PendingApproval is set when a new client's self-booking waits for the therapist.
	PendingApproval bool
	// ConsentWarning is the consent status code recorded when the practice's rule warns ("" when
	// consent is valid).
	ConsentWarning string
}

// BookAppointmentHandler handles BookAppointment. It is safe for concurrent use.
type BookAppointmentHandler struct{ d Deps }

// NewBookAppointmentHandler returns a handler over d.
func NewBookAppointmentHandler(d Deps) *BookAppointmentHandler { return &BookAppointmentHandler{d: d} }

// Handle checks the actor, the client and consent (bookingEligibility), then reserves the slot on
// the therapist's calendar at its exact version: of two overlapping bookings racing for one
// calendar exactly one is appended; the other is decided again on the new calendar and fails with
// KindConflict "slot_taken" (or succeeds when it no longer overlaps). Then it records the details
// (recordBookings), releasing the slot again if that fails. A client booking through the portal is
// held to the self-booking rules; their first booking with a therapist waits for approval when
// the rules say so, and a booking that names no place takes the rules' place.
func (h *BookAppointmentHandler) Handle(ctx context.Context, actor domain.Actor, cmd BookAppointment) (Booking, error) {
	self := actor.Role == domain.RoleClient
	// A client booking themselves may leave the place to the calendar's self-booking rules.
	ruledPlace := self && cmd.Place == (scheduling.Place{})
	if err := validateBooking(cmd.TherapistID, cmd.ClientID, cmd.ServiceTypeID, cmd.Duration); err != nil {
		return Booking{}, err
	}
	if !ruledPlace {
		if err := cmd.Place.Validate(); err != nil {
			return Booking{}, err
		}
	}
	warning, err := bookingEligibility(ctx, h.d, actor, cmd.ClientID, cmd.TherapistID, cmd.ServiceTypeID, cmd.Start)
	if err != nil {
		return Booking{}, err
	}
	if !self && !cmd.HoldID.IsZero() {
		return Booking{}, domain.Invalid("hold_id", "only a client's self-booking redeems a hold")
	}
	newClient := false
	if self {
		if newClient, err = clientIsNew(ctx, h.d, cmd.ClientID, cmd.TherapistID); err != nil {
			return Booking{}, err
		}
	}
	id := cmd.AppointmentID
	if id.IsZero() {
		if id, err = newID(); err != nil {
			return Booking{}, err
		}
	}
	var reserved scheduling.SlotReserved
	err = changeCalendar(ctx, h.d, cmd.TherapistID, actor, func(c *scheduling.Calendar, loc *time.Location, now time.Time) ([]domain.Event, error) {
		// Rules that are off leave the refusal to Reserve (self_booking_disabled).
		if rules := c.SelfBooking(); ruledPlace && rules.Enabled {
			if cmd.Place = rules.Place(); cmd.Place.Validate() != nil {
				return nil, domain.Invalid("location", "the self-booking rules name no place: give a location or a video link")
			}
		}
		r, err := c.Reserve(scheduling.ReserveRequest{
			AppointmentID: id, Slot: scheduling.Interval{Start: cmd.Start, End: cmd.Start.Add(cmd.Duration)},
			ServiceTypeID: cmd.ServiceTypeID, SelfBooked: self, NewClient: newClient, HoldID: cmd.HoldID,
		}, now, loc)
		reserved = r
		return []domain.Event{r}, err
	})
	if err != nil {
		return Booking{}, err
	}
	booked := scheduling.Booked(reserved, cmd.TherapistID, cmd.ClientID, cmd.ServiceTypeID, cmd.Place, actor.Role, "", warning)
	if err := recordBookings(ctx, h.d, actor, cmd.TherapistID, cmd.ClientID, []scheduling.AppointmentBooked{booked}); err != nil {
		return Booking{}, err
	}
	return Booking{AppointmentID: id, PendingApproval: reserved.PendingApproval, ConsentWarning: warning}, nil
}

// validateBooking checks the fields every booking needs.
func validateBooking(therapist, client, service domain.ID, d time.Duration) error {
	switch {
	case therapist.IsZero():
		return domain.Invalid("therapist_id", "required")
	case client.IsZero():
		return domain.Invalid("client_id", "required")
	case service.IsZero():
		return domain.Invalid("service_type_id", "required")
	case d <= 0 || d > scheduling.MaxSessionLength || d%time.Minute != 0:
		return domain.Invalid("duration", "want whole minutes up to 8 hours")
	}
	return nil
}
