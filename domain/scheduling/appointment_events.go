package scheduling

import (
	"time"

	"github.com/caseledger/caseledger/domain"
)

// Appointment events live in "appointment-<appointment id>", sealed under the client's key: they
// say who the appointment is with, what for, where, and why it changed.

// AppointmentBooked records a booking's details. SeriesRule is the RRULE of the series it belongs
// to ("" for a single appointment). ConsentWarning is the consent rule's warning code when the
// practice warns rather than blocks ("" when consent was valid).
type AppointmentBooked struct {
	AppointmentID   domain.ID   `json:"appointment_id"`
	TherapistID     domain.ID   `json:"therapist_id"`
	ClientID        domain.ID   `json:"client_id"`
	ServiceTypeID   domain.ID   `json:"service_type_id"`
	Start           time.Time   `json:"start"`
	End             time.Time   `json:"end"`
	Location        string      `json:"location,omitempty"`
	VideoLink       string      `json:"video_link,omitempty"`
	SeriesID        domain.ID   `json:"series_id,omitzero"`
	SeriesRule      string      `json:"series_rule,omitempty"`
	BookedBy        domain.Role `json:"booked_by"`
	PendingApproval bool        `json:"pending_approval,omitempty"`
	ConsentWarning  string      `json:"consent_warning,omitempty"`
}

// AppointmentApproved confirms a booking that waited for the therapist.
type AppointmentApproved struct {
	AppointmentID domain.ID `json:"appointment_id"`
}

// AppointmentDeclined refuses a booking that waited for the therapist.
type AppointmentDeclined struct {
	AppointmentID domain.ID `json:"appointment_id"`
	Reason        string    `json:"reason,omitempty"`
}

// AppointmentRescheduled moves the appointment from [PreviousStart, PreviousEnd) to [Start, End).
type AppointmentRescheduled struct {
	AppointmentID domain.ID   `json:"appointment_id"`
	Start         time.Time   `json:"start"`
	End           time.Time   `json:"end"`
	PreviousStart time.Time   `json:"previous_start"`
	PreviousEnd   time.Time   `json:"previous_end"`
	By            domain.Role `json:"by"`
	Reason        string      `json:"reason,omitempty"`
}

// AppointmentCancelled cancels the appointment. Late is set inside the cancellation window; Fee is
// the late-cancellation fee charged, if any.
type AppointmentCancelled struct {
	AppointmentID domain.ID   `json:"appointment_id"`
	By            domain.Role `json:"by"`
	Reason        string      `json:"reason,omitempty"`
	Late          bool        `json:"late,omitempty"`
	Fee           *Money      `json:"fee,omitempty"`
}

// AppointmentCompleted records that the session took place.
type AppointmentCompleted struct {
	AppointmentID domain.ID `json:"appointment_id"`
}

// AppointmentNoShow records that the client did not attend; Fee is the no-show fee, if any.
type AppointmentNoShow struct {
	AppointmentID domain.ID `json:"appointment_id"`
	Fee           *Money    `json:"fee,omitempty"`
}

func (AppointmentBooked) EventType() string      { return "AppointmentBooked" }
func (AppointmentApproved) EventType() string    { return "AppointmentApproved" }
func (AppointmentDeclined) EventType() string    { return "AppointmentDeclined" }
func (AppointmentRescheduled) EventType() string { return "AppointmentRescheduled" }
func (AppointmentCancelled) EventType() string   { return "AppointmentCancelled" }
func (AppointmentCompleted) EventType() string   { return "AppointmentCompleted" }
func (AppointmentNoShow) EventType() string      { return "AppointmentNoShow" }
