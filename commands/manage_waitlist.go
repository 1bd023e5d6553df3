package commands

import (
	"context"
	"errors"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
	"github.com/caseledger/caseledger/eventstore"
)

// JoinWaitlist puts a client on their practice's waitlist. A zero TherapistID waits for any
// therapist, a zero ServiceTypeID for any service; Preferred limits the local times the client
// can attend (empty: any). Priority is 0 to 100, higher first.
type JoinWaitlist struct {
	PracticeID    domain.ID
	ClientID      domain.ID
	TherapistID   domain.ID
	ServiceTypeID domain.ID
	Priority      int
	Preferred     scheduling.WeeklyHours
}

// WaitlistMatch is a waiting client a freed slot suits.
type WaitlistMatch struct {
	EntryID  domain.ID
	ClientID domain.ID
	Priority int
	JoinedAt time.Time
}

// WaitlistHandler manages a practice's waitlist. It is safe for concurrent use.
type WaitlistHandler struct{ d Deps }

// NewWaitlistHandler returns a handler over d.
func NewWaitlistHandler(d Deps) *WaitlistHandler { return &WaitlistHandler{d: d} }

// Join adds the client and returns the entry id. The client themself, the therapist holding
// their record, a practice manager or an admin may; anyone else gets KindNotFound, as does a
// client of another practice. The entry is also indexed in the client's schedule
// (ClientWaitlistJoined), so that the client can list their entries. Priority is the practice's to set: a client joining themselves
// joins at 0 (any other value is KindInvalid "invalid_priority"), so that nobody can put
// themselves ahead of the others. The entry's client is written first, sealed, to
// "waitlistentry-<entry id>"; then the plaintext entry joins "waitlist-<practice id>". An entry
// stream whose join failed is never listed.
func (h *WaitlistHandler) Join(ctx context.Context, actor domain.Actor, cmd JoinWaitlist) (domain.ID, error) {
	if err := h.authoriseClient(ctx, actor, cmd.PracticeID, cmd.ClientID); err != nil {
		return domain.ID{}, err
	}
	if actor.Role == domain.RoleClient && cmd.Priority != 0 {
		return domain.ID{}, domain.Invalid("priority", "is set by the practice: a client joins at 0")
	}
	id, err := newID()
	if err != nil {
		return domain.ID{}, err
	}
	entry := scheduling.WaitlistEntry{ID: id, TherapistID: cmd.TherapistID, ServiceTypeID: cmd.ServiceTypeID, Priority: cmd.Priority, Preferred: cmd.Preferred}
	if _, err := scheduling.RebuildWaitlist(nil).Join(entry, h.d.Clock.Now()); err != nil {
		return domain.ID{}, err
	}
	env := Envelope{Actor: actor, Subject: cmd.ClientID, SchemaVersion: scheduling.SchemaVersion}
	if _, err := appendEvents(ctx, h.d, WaitlistEntryStream(id), eventstore.NoStream(), env, scheduling.WaitlistEntryOpened{EntryID: id, ClientID: cmd.ClientID}); err != nil {
		return domain.ID{}, err
	}
	if _, err := appendEvents(ctx, h.d, ClientScheduleStream(cmd.ClientID), eventstore.Any(), env, scheduling.ClientWaitlistJoined{EntryID: id, PracticeID: cmd.PracticeID}); err != nil {
		return domain.ID{}, err
	}
	err = h.change(ctx, actor, cmd.PracticeID, func(w *scheduling.Waitlist) (domain.Event, error) {
		return w.Join(entry, h.d.Clock.Now())
	})
	return id, err
}

// Leave removes an entry; reason is "booked", "withdrawn" or "removed". The same actors as for
// Join may; an unknown entry is KindNotFound.
func (h *WaitlistHandler) Leave(ctx context.Context, actor domain.Actor, practiceID, entry domain.ID, reason string) error {
	client, err := h.entryClient(ctx, entry)
	if err != nil {
		return err
	}
	if err := h.authoriseClient(ctx, actor, practiceID, client); err != nil {
		return err
	}
	return h.change(ctx, actor, practiceID, func(w *scheduling.Waitlist) (domain.Event, error) {
		return w.Leave(entry, reason)
	})
}

// Matches lists the waiting clients a freed slot of therapist for service suits, highest
// priority first, then longest waiting (scheduling.Waitlist.Matches), judged in the therapist's
// calendar zone. The therapist, a practice manager or an admin may ask; anyone else gets
// KindNotFound. Entries of erased clients are left out.
func (h *WaitlistHandler) Matches(ctx context.Context, actor domain.Actor, practiceID, therapist, service domain.ID, slot scheduling.Interval) ([]WaitlistMatch, error) {
	if !actor.Is(therapist, domain.RoleTherapist) && actor.Role != domain.RolePracticeManager && actor.Role != domain.RoleAdmin {
		return nil, domain.NotFound("waitlist", practiceID)
	}
	_, _, loc, err := LoadCalendar(ctx, h.d, therapist)
	if err != nil {
		return nil, err
	}
	l, err := loadStream(ctx, h.d, WaitlistStream(practiceID), scheduling.Decode)
	if err != nil {
		return nil, err
	}
	var out []WaitlistMatch
	for _, e := range scheduling.RebuildWaitlist(l.Events).Matches(therapist, service, slot, loc) {
		client, err := h.entryClient(ctx, e.ID)
		if errors.Is(err, domain.ErrErased) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, WaitlistMatch{EntryID: e.ID, ClientID: client, Priority: e.Priority, JoinedAt: e.JoinedAt})
	}
	return out, nil
}

// authoriseClient checks actor may put client on practiceID's waitlist or take them off.
func (h *WaitlistHandler) authoriseClient(ctx context.Context, actor domain.Actor, practiceID, clientID domain.ID) error {
	switch actor.Role {
	case domain.RoleTherapist, domain.RoleClient, domain.RolePracticeManager, domain.RoleAdmin:
	default:
		return domain.NotFound("client", clientID)
	}
	c, _, err := LoadClient(ctx, h.d, clientID)
	if err != nil {
		return err
	}
	if err := c.Visible(actor); err != nil {
		return err
	}
	if c.PracticeID() != practiceID {
		return domain.NotFound("client", clientID)
	}
	return c.RequireActive()
}

// entryClient returns the client of an entry. A missing entry is KindNotFound; an erased
// client's entry fails with an error matching domain.ErrErased.
func (h *WaitlistHandler) entryClient(ctx context.Context, entry domain.ID) (domain.ID, error) {
	l, err := loadStream(ctx, h.d, WaitlistEntryStream(entry), scheduling.Decode)
	if err != nil {
		return domain.ID{}, err
	}
	for _, e := range l.Events {
		if o, ok := e.(scheduling.WaitlistEntryOpened); ok {
			return o.ClientID, nil
		}
	}
	return domain.ID{}, domain.NotFound("waitlist_entry", entry)
}

// change decides on the practice's waitlist and appends at the loaded version, retaking the
// decision when another writer appended first.
func (h *WaitlistHandler) change(ctx context.Context, actor domain.Actor, practiceID domain.ID, decide func(*scheduling.Waitlist) (domain.Event, error)) error {
	return retryOnRace(ctx, func() error {
		l, err := loadStream(ctx, h.d, WaitlistStream(practiceID), scheduling.Decode)
		if err != nil {
			return err
		}
		ev, err := decide(scheduling.RebuildWaitlist(l.Events))
		if err != nil {
			return err
		}
		_, err = appendEvents(ctx, h.d, WaitlistStream(practiceID), l.Expected(), Envelope{Actor: actor, SchemaVersion: scheduling.SchemaVersion}, ev)
		return err
	})
}
