package scheduling

import (
	"time"

	"github.com/caseledger/caseledger/domain"
)

// ClientAppointmentAdded indexes one of a client's appointments in "clientschedule-<client id>",
// sealed under the client's key. It is written before the appointment's own stream, so it may
// name an appointment whose booking then failed; readers skip those.
type ClientAppointmentAdded struct {
	AppointmentID domain.ID `json:"appointment_id"`
	TherapistID   domain.ID `json:"therapist_id"`
}

func (ClientAppointmentAdded) EventType() string { return "ClientAppointmentAdded" }

// ClientHoldPlaced records, in "clientschedule-<client id>", a hold a client is placing on a
// therapist's calendar (the calendar, which is plaintext, does not say whose a hold is). It is
// written before the hold, so it may name a hold that was then refused. A client has at most one
// hold on a calendar: placing one releases every earlier one still held.
type ClientHoldPlaced struct {
	HoldID      domain.ID `json:"hold_id"`
	TherapistID domain.ID `json:"therapist_id"`
	At          time.Time `json:"at"`
}

func (ClientHoldPlaced) EventType() string { return "ClientHoldPlaced" }

// ClientWaitlistJoined indexes, in "clientschedule-<client id>", a waitlist entry of the client
// in a practice's waitlist, so that the client can find their own entries (the waitlist is
// plaintext and names no client). It is written before the entry joins the waitlist, so it may
// name an entry that never joined; readers list only entries the waitlist holds.
type ClientWaitlistJoined struct {
	EntryID    domain.ID `json:"entry_id"`
	PracticeID domain.ID `json:"practice_id"`
}

func (ClientWaitlistJoined) EventType() string { return "ClientWaitlistJoined" }

// ClientSchedule is the aggregate of "clientschedule-<client id>": the client's appointment ids,
// oldest first, with their therapists, the holds they placed and their waitlist entries.
type ClientSchedule struct {
	entries  []ClientAppointmentAdded
	holds    []ClientHoldPlaced
	waitlist []ClientWaitlistJoined
}

// RebuildClientSchedule replays history. It is not a constructor: it checks nothing.
func RebuildClientSchedule(history []domain.Event) *ClientSchedule {
	s := &ClientSchedule{}
	for _, e := range history {
		switch e := e.(type) {
		case ClientAppointmentAdded:
			s.entries = append(s.entries, e)
		case ClientHoldPlaced:
			s.holds = append(s.holds, e)
		case ClientWaitlistJoined:
			s.waitlist = append(s.waitlist, e)
		}
	}
	return s
}

// HoldsSince returns the ids of the holds the client placed on therapist's calendar at or after
// since, oldest first. Each may since have expired, been released or redeemed, or been refused.
func (s *ClientSchedule) HoldsSince(therapist domain.ID, since time.Time) []domain.ID {
	var out []domain.ID
	for _, h := range s.holds {
		if h.TherapistID == therapist && !h.At.Before(since) {
			out = append(out, h.HoldID)
		}
	}
	return out
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

// WaitlistEntries returns the client's waitlist entries, oldest first: each may since have left
// the waitlist, or never joined it.
func (s *ClientSchedule) WaitlistEntries() []ClientWaitlistJoined {
	return append([]ClientWaitlistJoined(nil), s.waitlist...)
}

// All returns the ids of all the client's appointments, oldest first.
func (s *ClientSchedule) All() []domain.ID {
	out := make([]domain.ID, len(s.entries))
	for i, e := range s.entries {
		out[i] = e.AppointmentID
	}
	return out
}
