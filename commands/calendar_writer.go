package commands

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
)

// calendarWriteTimeout bounds the reads and the append of one combined calendar write.
const calendarWriteTimeout = 30 * time.Second

// maxCalendarBatch is the most decisions combined into one calendar append.
const maxCalendarBatch = 64

// calendarWriter combines the decisions that reach one calendar while an append to it is in
// flight into a single append (group commit), instead of letting them race for the same version
// and retry one by one. Decisions of a batch are taken one after the other on the same loaded
// calendar, each seeing the events of those before it, and the batch is appended at exactly the
// version it was decided on; a decision that fails (slot taken) fails alone. Across processes the
// expected version still decides: a batch that loses the race is decided again as a whole. It is
// safe for concurrent use.
type calendarWriter struct {
	mu     sync.Mutex
	queues map[calendarKey]*calendarQueue
}

type calendarQueue struct {
	pending []*calendarCall
}

// calendarCall is one decision waiting to be taken; err is its outcome once done is closed.
type calendarCall struct {
	ctx    context.Context
	actor  domain.Actor
	decide calendarDecision
	err    error
	done   chan struct{}
}

// calendarWrites is the process's calendar writer.
var calendarWrites = &calendarWriter{queues: map[calendarKey]*calendarQueue{}}

// changeCalendar decides on therapist's calendar and appends the events at exactly the version
// the decision was taken on, through calendarWrites: of two overlapping bookings exactly one is
// appended, and the other is decided on a calendar holding the winner. decide may be called more
// than once (again after a lost race) and on another goroutine; it returns the events to append
// (none to append nothing) or an error that fails this change alone. A change whose ctx is done
// before it is decided fails with ctx.Err(); once decided it waits for the append's outcome.
func changeCalendar(ctx context.Context, d Deps, therapist domain.ID, actor domain.Actor, decide calendarDecision) error {
	call := &calendarCall{ctx: ctx, actor: calendarActor(actor), decide: decide, done: make(chan struct{})}
	key, ok := calendarKeyFor(d, therapist)
	if !ok {
		writeCalendar(d, therapist, []*calendarCall{call})
		return call.err
	}
	w := calendarWrites
	w.mu.Lock()
	q, leading := w.queues[key], false
	if q == nil {
		q, leading = &calendarQueue{}, true
		w.queues[key] = q
	}
	q.pending = append(q.pending, call)
	w.mu.Unlock()
	if leading {
		w.serve(d, therapist, key, q)
	}
	<-call.done
	return call.err
}

// serve writes one batch from q, then hands q on to a new goroutine while calls are pending, or
// forgets it: a caller that started serving returns as soon as its own call (the first of the
// first batch) is written. Only one goroutine serves a queue at a time.
func (w *calendarWriter) serve(d Deps, therapist domain.ID, key calendarKey, q *calendarQueue) {
	w.mu.Lock()
	batch := takeBatch(q)
	w.mu.Unlock()
	writeCalendar(d, therapist, batch)
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(q.pending) == 0 {
		delete(w.queues, key)
		return
	}
	go w.serve(d, therapist, key, q)
}

// takeBatch removes from q the longest run of pending calls, up to maxCalendarBatch, that share
// the first call's recorded actor: one append carries one actor.
func takeBatch(q *calendarQueue) []*calendarCall {
	n := 1
	for n < len(q.pending) && n < maxCalendarBatch && q.pending[n].actor == q.pending[0].actor {
		n++
	}
	batch := q.pending[:n:n]
	q.pending = q.pending[n:]
	return batch
}

// writeCalendar decides every call of batch on the loaded calendar, in order, and appends the
// events of those that succeeded in one append at the loaded version, retaking every decision
// after a lost race (retryOnRace). It closes every call's done, even when a decision panics: the
// panic becomes every call's error, so no caller and no later writer of the calendar is left
// waiting.
func writeCalendar(d Deps, therapist domain.ID, batch []*calendarCall) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(batch[0].ctx), calendarWriteTimeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			for _, call := range batch {
				call.err = fmt.Errorf("calendar %s: decision panicked: %v", therapist, r)
				close(call.done)
			}
		}
	}()
	var decided []*calendarCall
	err := retryOnRace(ctx, func() error {
		c, l, loc, err := LoadCalendar(ctx, d, therapist)
		if err != nil {
			return err
		}
		now := d.Clock.Now()
		decided = decided[:0]
		var evs []domain.Event
		for _, call := range batch {
			if call.err = call.ctx.Err(); call.err != nil {
				continue
			}
			mine, err := call.decide(c, loc, now)
			if call.err = err; err != nil {
				continue
			}
			for _, e := range mine {
				c.Apply(e)
			}
			evs = append(evs, mine...)
			decided = append(decided, call)
		}
		if len(evs) == 0 {
			return nil
		}
		_, err = appendEvents(ctx, d, CalendarStream(therapist), l.Expected(), Envelope{Actor: batch[0].actor, SchemaVersion: scheduling.SchemaVersion}, evs...)
		return err
	})
	for _, call := range decided {
		call.err = err
	}
	if err != nil {
		for _, call := range batch {
			if call.err == nil {
				call.err = err
			}
		}
	}
	for _, call := range batch {
		close(call.done)
	}
}
