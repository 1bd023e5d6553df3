package sar

import (
	"fmt"
	"strings"
	"time"

	"github.com/caseledger/caseledger/domain"
)

// RetentionReviewQueued puts a client's record of one kind in front of the DPO because its
// retention period ended on Until (the discharge date plus the period for that record kind).
// Nothing is erased by it: erasure needs a DPO decision. It lives in the stream
// "retention-<client uuid>" and holds ids, kinds and dates only, so it stays plaintext.
type RetentionReviewQueued struct {
	ClientID     domain.ID `json:"client_id"`
	RecordKind   string    `json:"record_kind"`
	DischargedOn Date      `json:"discharged_on"`
	Until        Date      `json:"until"`
	SweepID      domain.ID `json:"sweep_id"`
	At           time.Time `json:"at"`
}

// RetentionOutcome is what the DPO decided about a queued record.
type RetentionOutcome string

// The outcomes of a retention review: erasure was requested (the erasure workflow takes over), or
// the record is kept until a later review date (e.g. a legal hold).
const (
	RetentionErasureRequested RetentionOutcome = "erasure_requested"
	RetentionKept             RetentionOutcome = "kept"
)

// RetentionReviewResolved takes a record kind off the DPO's queue. When the outcome is kept,
// ReviewOn is when the sweep may queue it again.
type RetentionReviewResolved struct {
	RecordKind       string           `json:"record_kind"`
	Outcome          RetentionOutcome `json:"outcome"`
	ErasureRequestID domain.ID        `json:"erasure_request_id,omitzero"`
	ReviewOn         Date             `json:"review_on,omitzero"`
	DeciderID        domain.ID        `json:"decider_id"`
	At               time.Time        `json:"at"`
}

// EventType names.
func (RetentionReviewQueued) EventType() string   { return "RetentionReviewQueued" }
func (RetentionReviewResolved) EventType() string { return "RetentionReviewResolved" }

var retentionDecoders = map[string]func([]byte) (domain.Event, error){
	"RetentionReviewQueued":   decodeAs[RetentionReviewQueued],
	"RetentionReviewResolved": decodeAs[RetentionReviewResolved],
}

// DecodeRetention is the domain.Decoder of the "retention-" stream, with Decode's contract.
func DecodeRetention(eventType string, schemaVersion int, payload []byte) (domain.Event, error) {
	return decodeWith(retentionDecoders, "retention", eventType, schemaVersion, payload)
}

// RetentionQueue is one client's retention reviews, per record kind. The zero value is a client
// with nothing queued; build one with ReplayRetention.
type RetentionQueue struct {
	client  domain.ID
	pending map[string]Date // record kind -> the retention end that queued it
	review  map[string]Date // record kind -> kept until this review date
}

// ReplayRetention rebuilds a client's retention queue from its history (possibly empty). It is
// not a constructor: it trusts the events.
func ReplayRetention(client domain.ID, history []domain.Event) *RetentionQueue {
	q := &RetentionQueue{client: client, pending: map[string]Date{}, review: map[string]Date{}}
	for _, ev := range history {
		q.Apply(ev)
	}
	return q
}

// Apply changes the queue by one event; it cannot fail.
func (q *RetentionQueue) Apply(ev domain.Event) {
	switch e := ev.(type) {
	case RetentionReviewQueued:
		q.pending[e.RecordKind] = e.Until
		delete(q.review, e.RecordKind)
	case RetentionReviewResolved:
		delete(q.pending, e.RecordKind)
		if e.Outcome == RetentionKept {
			q.review[e.RecordKind] = e.ReviewOn
		} else {
			q.review[e.RecordKind] = Date{Year: 9999, Month: time.December, Day: 31}
		}
	}
}

// Pending reports whether kind is waiting for a DPO decision.
func (q *RetentionQueue) Pending(kind string) bool {
	_, ok := q.pending[kind]
	return ok
}

// RetentionEnd returns the date a record's retention period ends: the discharge date plus years.
func RetentionEnd(dischargedOn Date, years int) Date { return dischargedOn.AddYears(years) }

// Queue returns the event that queues kind for review when its retention period ended on until,
// on or before today, and ok=false when nothing is due: the period has not ended, the kind already
// waits for a decision, an erasure was already requested, or the DPO kept it until a later date.
// until is computed by the caller from the discharge date and the practice's periods (see
// RetentionEnd, and the clinical record's own rules for children).
func (q *RetentionQueue) Queue(kind string, dischargedOn, until, today Date, sweep domain.ID, at time.Time) (RetentionReviewQueued, bool, error) {
	if strings.TrimSpace(kind) == "" || len(kind) > 60 {
		return RetentionReviewQueued{}, false, domain.Invalid("record_kind", "is empty or too long")
	}
	if dischargedOn.IsZero() || until.IsZero() {
		return RetentionReviewQueued{}, false, domain.Invalid("retention", "needs a discharge date and the end of retention")
	}
	if until.After(today) || q.Pending(kind) {
		return RetentionReviewQueued{}, false, nil
	}
	if next, ok := q.review[kind]; ok && next.After(today) {
		return RetentionReviewQueued{}, false, nil
	}
	ev := RetentionReviewQueued{ClientID: q.client, RecordKind: kind, DischargedOn: dischargedOn, Until: until, SweepID: sweep, At: at}
	q.Apply(ev)
	return ev, true, nil
}

// Resolve records the DPO's outcome for a queued kind. Kept needs a review date after today;
// erasure_requested needs the erasure request's id.
func (q *RetentionQueue) Resolve(kind string, outcome RetentionOutcome, erasureRequest domain.ID, reviewOn, today Date, decider domain.ID, at time.Time) (RetentionReviewResolved, error) {
	if !q.Pending(kind) {
		return RetentionReviewResolved{}, domain.Conflict("retention_not_queued", fmt.Sprintf("record kind %q of client %s is not queued", kind, q.client))
	}
	switch outcome {
	case RetentionKept:
		if !reviewOn.After(today) {
			return RetentionReviewResolved{}, domain.Invalid("review_on", "must be after today")
		}
		erasureRequest = domain.ID{}
	case RetentionErasureRequested:
		if erasureRequest.IsZero() {
			return RetentionReviewResolved{}, domain.Invalid("erasure_request_id", "is empty")
		}
		reviewOn = Date{}
	default:
		return RetentionReviewResolved{}, domain.Invalid("outcome", "want kept or erasure_requested")
	}
	ev := RetentionReviewResolved{RecordKind: kind, Outcome: outcome, ErasureRequestID: erasureRequest, ReviewOn: reviewOn, DeciderID: decider, At: at}
	q.Apply(ev)
	return ev, nil
}
