package scheduling

// Status is where a reservation or appointment stands.
type Status string

// The statuses. Booked and PendingApproval occupy the slot; so do Completed and NoShow, which are
// history. Cancelled, LateCancelled, Declined and BookingFailed free it.
const (
	StatusBooked          Status = "booked"
	StatusPendingApproval Status = "pending_approval"
	StatusCompleted       Status = "completed"
	StatusNoShow          Status = "no_show"
	StatusCancelled       Status = "cancelled"
	StatusLateCancelled   Status = "late_cancelled"
	StatusDeclined        Status = "declined"
	// StatusBookingFailed frees a slot whose appointment details could not be recorded.
	StatusBookingFailed Status = "booking_failed"
)

// Open reports whether the appointment can still be moved, cancelled, completed or marked no-show.
func (s Status) Open() bool { return s == StatusBooked || s == StatusPendingApproval }

// Occupies reports whether a reservation in this status keeps its slot busy.
func (s Status) Occupies() bool {
	return s == StatusBooked || s == StatusPendingApproval || s == StatusCompleted || s == StatusNoShow
}

// releases reports whether s is a valid SlotReleased outcome.
func (s Status) releases() bool {
	return s == StatusCancelled || s == StatusLateCancelled || s == StatusDeclined || s == StatusBookingFailed
}

// Established reports whether an appointment in this status shows the client has been accepted
// by the therapist: anything but a booking that waited for approval, was declined, or failed.
func (s Status) Established() bool {
	return s == StatusBooked || s == StatusCompleted || s == StatusNoShow || s == StatusCancelled || s == StatusLateCancelled
}
