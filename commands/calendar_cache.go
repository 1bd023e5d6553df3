package commands

import (
	"context"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
)

// maxCachedCalendars bounds how many calendars calendarCache keeps.
const maxCachedCalendars = 512

// calendarCache keeps the decoded events of recently used calendars (a streamCache), so that a
// decision reads only the events appended since the last one instead of the calendar's whole
// history. Calendar events are plaintext (no data subject): a sealed one is an error. It is safe
// for concurrent use.
type calendarCache struct{ streams *streamCache }

// calendarKey names one therapist's calendar in one event log, for calendarWriter.
type calendarKey struct {
	log       EventLog
	therapist domain.ID
}

// calendarKeyFor returns the key of therapist's calendar in d's log, and false when d.Log cannot
// be a map key (its dynamic type is not comparable): such logs are neither cached nor combined.
func calendarKeyFor(d Deps, therapist domain.ID) (calendarKey, bool) {
	if !logComparable(d) {
		return calendarKey{}, false
	}
	return calendarKey{log: d.Log, therapist: therapist}, true
}

// calendars is the process's calendar cache.
var calendars = calendarCache{streams: newStreamCache(maxCachedCalendars)}

// load returns the calendar's events and head, reading from the log only what was appended since
// the last load. The returned slice is shared and must not be modified.
func (cc calendarCache) load(ctx context.Context, d Deps, therapist domain.ID) (Loaded, error) {
	return cc.streams.load(ctx, d, CalendarStream(therapist), scheduling.Decode, false)
}
