package commands

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
	"github.com/caseledger/caseledger/eventstore"
)

// maxCachedCalendars bounds how many calendars calendarCache keeps.
const maxCachedCalendars = 512

// calendarCache keeps the decoded events of recently used calendars, keyed by event log and
// therapist, so that a decision reads only the events appended since the last one instead of the
// calendar's whole history. It never decides anything on its own: every decision is still appended
// at the exact version it was taken on, so a stale cache can only cost a retry. Calendar events are
// plaintext (no data subject), which is what makes them safe to keep. It is safe for concurrent use.
type calendarCache struct {
	mu      sync.Mutex
	entries map[calendarKey]*cachedCalendar
}

type calendarKey struct {
	log       EventLog
	therapist domain.ID
}

// calendarKeyFor returns the key of therapist's calendar in d's log, and false when d.Log cannot
// be a map key (its dynamic type is not comparable): such logs are neither cached nor combined.
func calendarKeyFor(d Deps, therapist domain.ID) (calendarKey, bool) {
	if t := reflect.TypeOf(d.Log); t == nil || !t.Comparable() {
		return calendarKey{}, false
	}
	return calendarKey{log: d.Log, therapist: therapist}, true
}

type cachedCalendar struct {
	mu      sync.Mutex
	events  []domain.Event
	version uint64
	exists  bool
}

// calendars is the process's calendar cache.
var calendars = &calendarCache{entries: map[calendarKey]*cachedCalendar{}}

// load returns the calendar's events and head, reading from the log only what was appended since
// the last load. The returned slice is shared and must not be modified.
func (cc *calendarCache) load(ctx context.Context, d Deps, therapist domain.ID) (Loaded, error) {
	key, ok := calendarKeyFor(d, therapist)
	if !ok {
		return readCalendar(ctx, d, therapist, &cachedCalendar{})
	}
	cc.mu.Lock()
	e, found := cc.entries[key]
	if !found {
		if len(cc.entries) >= maxCachedCalendars {
			for k := range cc.entries {
				delete(cc.entries, k)
				break
			}
		}
		e = &cachedCalendar{}
		cc.entries[key] = e
	}
	cc.mu.Unlock()
	return readCalendar(ctx, d, therapist, e)
}

// readCalendar brings e up to the head of therapist's calendar and returns its events.
func readCalendar(ctx context.Context, d Deps, therapist domain.ID, e *cachedCalendar) (Loaded, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	stream := CalendarStream(therapist)
	for {
		from := uint64(0)
		if e.exists {
			from = e.version + 1
		}
		recs, err := d.Log.ReadStream(ctx, stream, from, readBatch)
		if errors.Is(err, eventstore.ErrStreamNotFound) {
			break
		}
		if err != nil {
			return Loaded{}, fmt.Errorf("load %s: %w", stream, err)
		}
		for _, r := range recs {
			if r.Subject != uuid.Nil {
				return Loaded{}, fmt.Errorf("load %s@%d: calendar events are never sealed", stream, r.Version)
			}
			ev, err := scheduling.Decode(r.Type, r.SchemaVersion, r.Payload)
			if err != nil {
				return Loaded{}, fmt.Errorf("load %s@%d: %w", stream, r.Version, err)
			}
			e.events = append(e.events, ev)
			e.version, e.exists = r.Version, true
		}
		if len(recs) < readBatch {
			break
		}
	}
	return Loaded{Events: e.events[:len(e.events):len(e.events)], Version: e.version, Exists: e.exists}, nil
}
