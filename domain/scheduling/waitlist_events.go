package scheduling

import (
	"time"

	"github.com/caseledger/caseledger/domain"
)

// WaitlistJoined adds an entry to the practice's waitlist ("waitlist-<practice id>", plaintext).
// A zero TherapistID waits for any therapist; a zero ServiceTypeID for any service. Preferred
// limits the local times the client can attend; empty means any time. The client is not named
// here: the entry's own sealed stream holds the client id (WaitlistEntryOpened).
type WaitlistJoined struct {
	EntryID       domain.ID   `json:"entry_id"`
	TherapistID   domain.ID   `json:"therapist_id,omitzero"`
	ServiceTypeID domain.ID   `json:"service_type_id,omitzero"`
	Priority      int         `json:"priority"`
	JoinedAt      time.Time   `json:"joined_at"`
	Preferred     WeeklyHours `json:"preferred,omitempty"`
}

// WaitlistLeft removes an entry; Reason is a code ("booked", "withdrawn", "removed").
type WaitlistLeft struct {
	EntryID domain.ID `json:"entry_id"`
	Reason  string    `json:"reason"`
}

// WaitlistEntryOpened ties an entry to its client, in "waitlistentry-<entry id>" sealed under the
// client's key.
type WaitlistEntryOpened struct {
	EntryID  domain.ID `json:"entry_id"`
	ClientID domain.ID `json:"client_id"`
}

func (WaitlistJoined) EventType() string      { return "WaitlistJoined" }
func (WaitlistLeft) EventType() string        { return "WaitlistLeft" }
func (WaitlistEntryOpened) EventType() string { return "WaitlistEntryOpened" }
