package scheduling

import (
	"slices"
	"time"

	"github.com/caseledger/caseledger/domain"
)

// Priority bounds for waitlist entries; higher is served first.
const (
	MinPriority = 0
	MaxPriority = 100
)

// WaitlistEntry is one client waiting, known here by entry id only.
type WaitlistEntry struct {
	ID            domain.ID
	TherapistID   domain.ID
	ServiceTypeID domain.ID
	Priority      int
	JoinedAt      time.Time
	Preferred     WeeklyHours
}

// Waitlist is the aggregate of stream "waitlist-<practice id>": the open entries of a practice.
type Waitlist struct {
	entries map[domain.ID]WaitlistEntry
}

// RebuildWaitlist replays history into a waitlist. It is not a constructor: it checks nothing.
func RebuildWaitlist(history []domain.Event) *Waitlist {
	w := &Waitlist{entries: map[domain.ID]WaitlistEntry{}}
	for _, e := range history {
		w.Apply(e)
	}
	return w
}

// Apply changes the waitlist by one event; it cannot fail and ignores other events.
func (w *Waitlist) Apply(e domain.Event) {
	switch e := e.(type) {
	case WaitlistJoined:
		w.entries[e.EntryID] = WaitlistEntry{ID: e.EntryID, TherapistID: e.TherapistID, ServiceTypeID: e.ServiceTypeID, Priority: e.Priority, JoinedAt: e.JoinedAt, Preferred: e.Preferred}
	case WaitlistLeft:
		delete(w.entries, e.EntryID)
	}
}

// Entry returns an open entry, and false when there is none.
func (w *Waitlist) Entry(id domain.ID) (WaitlistEntry, bool) {
	e, ok := w.entries[id]
	return e, ok
}

// Join returns the event adding e, joined at now. A zero therapist or service waits for any.
func (w *Waitlist) Join(e WaitlistEntry, now time.Time) (WaitlistJoined, error) {
	if e.ID.IsZero() {
		return WaitlistJoined{}, domain.Invalid("entry_id", "required")
	}
	if _, ok := w.entries[e.ID]; ok {
		return WaitlistJoined{}, domain.Conflict("entry_exists", "waitlist entry "+e.ID.String()+" exists")
	}
	if e.Priority < MinPriority || e.Priority > MaxPriority {
		return WaitlistJoined{}, domain.Invalid("priority", "want 0 to 100")
	}
	if err := e.Preferred.Validate(); err != nil {
		return WaitlistJoined{}, err
	}
	return WaitlistJoined{EntryID: e.ID, TherapistID: e.TherapistID, ServiceTypeID: e.ServiceTypeID, Priority: e.Priority, JoinedAt: now.UTC().Truncate(time.Microsecond), Preferred: e.Preferred}, nil
}

// Leave returns the event removing an open entry; reason is "booked", "withdrawn" or "removed".
func (w *Waitlist) Leave(id domain.ID, reason string) (WaitlistLeft, error) {
	if _, ok := w.entries[id]; !ok {
		return WaitlistLeft{}, domain.NotFound("waitlist_entry", id)
	}
	switch reason {
	case "booked", "withdrawn", "removed":
	default:
		return WaitlistLeft{}, domain.Invalid("reason", "want booked, withdrawn or removed")
	}
	return WaitlistLeft{EntryID: id, Reason: reason}, nil
}

// Matches returns the open entries that a freed slot of therapist for service suits, highest
// priority first, then longest waiting, then by id: entries waiting for this therapist or any, for
// this service or any, whose preferred local hours (if any) contain the whole slot. A zero service
// matches only entries waiting for any service.
func (w *Waitlist) Matches(therapist, service domain.ID, slot Interval, loc *time.Location) []WaitlistEntry {
	var out []WaitlistEntry
	for _, e := range w.entries {
		if !e.TherapistID.IsZero() && e.TherapistID != therapist {
			continue
		}
		if !e.ServiceTypeID.IsZero() && e.ServiceTypeID != service {
			continue
		}
		if len(e.Preferred) > 0 && !(Availability{Weekly: e.Preferred}).Covers(slot, loc) {
			continue
		}
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b WaitlistEntry) int {
		if a.Priority != b.Priority {
			return b.Priority - a.Priority
		}
		if c := a.JoinedAt.Compare(b.JoinedAt); c != 0 {
			return c
		}
		return compareIDs(a.ID, b.ID)
	})
	return out
}

func compareIDs(a, b domain.ID) int {
	for i := range a {
		if a[i] != b[i] {
			return int(a[i]) - int(b[i])
		}
	}
	return 0
}
