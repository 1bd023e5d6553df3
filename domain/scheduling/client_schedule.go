package scheduling

import "github.com/caseledger/caseledger/domain"

// ClientAppointmentAdded indexes one of a client's appointments in "clientschedule-<client id>",
// sealed under the client's key. It is written before the appointment's own stream, so it may
// name an appointment whose booking then failed; readers skip those.
type ClientAppointmentAdded struct {
	AppointmentID domain.ID `json:"appointment_id"`
	TherapistID   domain.ID `json:"therapist_id"`
}

func (ClientAppointmentAdded) EventType() string { return "ClientAppointmentAdded" }

// ClientSchedule is the aggregate of "clientschedule-<client id>": the client's appointment ids,
// oldest first, with their therapists.
type ClientSchedule struct {
	entries []ClientAppointmentAdded
}

// RebuildClientSchedule replays history. It is not a constructor: it checks nothing.
func RebuildClientSchedule(history []domain.Event) *ClientSchedule {
	s := &ClientSchedule{}
	for _, e := range history {
		if e, ok := e.(ClientAppointmentAdded); ok {
			s.entries = append(s.entries, e)
		}
	}
	return s
}

// With returns the ids of the client's appointments with therapist, oldest first.
func (s *ClientSchedule) With(therapist domain.ID) []domain.ID {
	var out []domain.ID
	for _, e := range s.entries {
		if e.TherapistID == therapist {
			out = append(out, e.AppointmentID)
		}
	}
	return out
}

// All returns the ids of all the client's appointments, oldest first.
func (s *ClientSchedule) All() []domain.ID {
	out := make([]domain.ID, len(s.entries))
	for i, e := range s.entries {
		out[i] = e.AppointmentID
	}
	return out
}
