package scheduling

import (
	"time"

	"github.com/caseledger/caseledger/domain"
)

// Calendar events live in "calendar-<therapist id>" as plaintext: they hold ids, times and
// statuses, never a client id or any other personal data.

// CalendarConfigured sets (or replaces) the calendar's policy.
type CalendarConfigured struct {
	TherapistID domain.ID `json:"therapist_id"`
	Policy      Policy    `json:"policy"`
}

// WeeklyHoursSet replaces the therapist's working week.
type WeeklyHoursSet struct {
	Hours WeeklyHours `json:"hours"`
}

// AvailabilityExceptionSet replaces the working hours on one local date.
type AvailabilityExceptionSet struct {
	Exception DayException `json:"exception"`
}

// AvailabilityExceptionCleared returns one local date to the weekly hours.
type AvailabilityExceptionCleared struct {
	Date Date `json:"date"`
}

// SelfBookingRulesSet replaces the self-booking rules.
type SelfBookingRulesSet struct {
	Rules SelfBookingRules `json:"rules"`
}

// SlotReserved books [Start, End) for an appointment. PendingApproval marks a new client's
// self-booking that waits for the therapist; it holds the slot meanwhile. HoldID, when set, is the
// hold this booking redeemed. ReservedAt is when the decision was taken (zero in events written
// before it was recorded).
type SlotReserved struct {
	AppointmentID   domain.ID `json:"appointment_id"`
	SeriesID        domain.ID `json:"series_id,omitzero"`
	Start           time.Time `json:"start"`
	End             time.Time `json:"end"`
	PendingApproval bool      `json:"pending_approval,omitempty"`
	HoldID          domain.ID `json:"hold_id,omitzero"`
	ReservedAt      time.Time `json:"reserved_at,omitzero"`
}

// SlotApproved confirms a reservation that was pending the therapist's approval.
type SlotApproved struct {
	AppointmentID domain.ID `json:"appointment_id"`
}

// SlotMoved moves a reservation to [Start, End).
type SlotMoved struct {
	AppointmentID domain.ID `json:"appointment_id"`
	Start         time.Time `json:"start"`
	End           time.Time `json:"end"`
}

// SlotReleased frees a reservation's slot; Outcome says why.
type SlotReleased struct {
	AppointmentID domain.ID `json:"appointment_id"`
	Outcome       Status    `json:"outcome"`
}

// SlotCompleted records that the session took place.
type SlotCompleted struct {
	AppointmentID domain.ID `json:"appointment_id"`
}

// SlotNoShow records that the client did not attend. The slot stays used.
type SlotNoShow struct {
	AppointmentID domain.ID `json:"appointment_id"`
}

// SlotHeld holds [Start, End) until ExpiresAt while a client completes a booking.
type SlotHeld struct {
	HoldID    domain.ID `json:"hold_id"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	ExpiresAt time.Time `json:"expires_at"`
}

// HoldReleased gives a held slot back before it expires.
type HoldReleased struct {
	HoldID domain.ID `json:"hold_id"`
}

func (CalendarConfigured) EventType() string           { return "CalendarConfigured" }
func (WeeklyHoursSet) EventType() string               { return "WeeklyHoursSet" }
func (AvailabilityExceptionSet) EventType() string     { return "AvailabilityExceptionSet" }
func (AvailabilityExceptionCleared) EventType() string { return "AvailabilityExceptionCleared" }
func (SelfBookingRulesSet) EventType() string          { return "SelfBookingRulesSet" }
func (SlotReserved) EventType() string                 { return "SlotReserved" }
func (SlotApproved) EventType() string                 { return "SlotApproved" }
func (SlotMoved) EventType() string                    { return "SlotMoved" }
func (SlotReleased) EventType() string                 { return "SlotReleased" }
func (SlotCompleted) EventType() string                { return "SlotCompleted" }
func (SlotNoShow) EventType() string                   { return "SlotNoShow" }
func (SlotHeld) EventType() string                     { return "SlotHeld" }
func (HoldReleased) EventType() string                 { return "HoldReleased" }
