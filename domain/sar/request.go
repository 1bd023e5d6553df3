package sar

import (
	"fmt"
	"strings"
	"time"

	"github.com/caseledger/caseledger/domain"
)

// Status is where a subject access request stands.
type Status string

// The statuses of a request.
const (
	StatusOpen     Status = "open"     // received; clock running or stopped
	StatusReviewed Status = "reviewed" // a clinician reviewed the export; ready to release
	StatusReleased Status = "released"
	StatusRefused  Status = "refused"
)

// MaxExtensionMonths is the most a deadline can be extended, over all extensions (Art. 12(3)).
const MaxExtensionMonths = 2

// maxReasonLen bounds free-text reasons, in bytes.
const maxReasonLen = 4000

// Request is a subject access request. Build one with Receive or rebuild one with Replay; the
// zero value is not a request. Its state is changed only by applying its events.
type Request struct {
	id, client domain.ID
	receivedOn Date
	status     Status
	regime     Regime
	zone       string
	// clockStart is the date the statutory clock started; zero while identity is pending at
	// receipt.
	clockStart Date
	// stoppedOn is the date the running clock was stopped; zero while it runs.
	stoppedOn Date
	// stoppedDays is the number of days the clock stood still after it first started.
	stoppedDays int
	// extension is the months added (UK GDPR), extensionDays the days (HIPAA).
	extension     int
	extensionDays int
	decisions     []ItemDecision
	reviewer      domain.ID
	releasedOn    Date
}

// Receive records a new request from client on receivedOn (a date in rules.TimeZone), with the
// identity check's state, to be handled under rules for good. It returns the request and the
// event to append.
func Receive(id, client domain.ID, receivedOn Date, ch Channel, identity Identity, byRepresentative bool, rules Rules, at time.Time) (*Request, SARReceived, error) {
	switch {
	case id.IsZero():
		return nil, SARReceived{}, domain.Invalid("request_id", "is empty")
	case client.IsZero():
		return nil, SARReceived{}, domain.Invalid("client_id", "is empty")
	case receivedOn.IsZero():
		return nil, SARReceived{}, domain.Invalid("received_on", "is empty")
	case !ch.Valid():
		return nil, SARReceived{}, domain.Invalid("channel", "is not a known channel")
	case identity != IdentityVerified && identity != IdentityPending:
		return nil, SARReceived{}, domain.Invalid("identity", "want verified or pending")
	}
	if err := rules.validate(); err != nil {
		return nil, SARReceived{}, err
	}
	ev := SARReceived{RequestID: id, ClientID: client, ReceivedOn: receivedOn, Channel: ch,
		Identity: identity, ByRepresentative: byRepresentative, Regime: rules.Regime, TimeZone: rules.TimeZone, At: at}
	r := &Request{}
	r.Apply(ev)
	return r, ev, nil
}

// Replay rebuilds a request from its history. It is not a constructor: it trusts the events,
// which the log already accepted. It returns a KindNotFound error when history is empty.
func Replay(id domain.ID, history []domain.Event) (*Request, error) {
	if len(history) == 0 {
		return nil, domain.NotFound("sar", id)
	}
	r := &Request{}
	for _, ev := range history {
		r.Apply(ev)
	}
	return r, nil
}

// Apply changes the request's state by one event. It cannot fail; events of other types are
// ignored.
func (r *Request) Apply(ev domain.Event) {
	switch e := ev.(type) {
	case SARReceived:
		r.id, r.client, r.receivedOn, r.status = e.RequestID, e.ClientID, e.ReceivedOn, StatusOpen
		r.regime, r.zone = e.Regime.orDefault(), e.TimeZone
		if r.zone == "" {
			r.zone = DefaultTimeZone
		}
		if e.Identity == IdentityVerified {
			r.clockStart = e.ReceivedOn
		}
	case SARIdentityRequested:
		if !r.clockStart.IsZero() && r.stoppedOn.IsZero() {
			r.stoppedOn = e.On
		}
	case SARIdentityVerified:
		switch {
		case r.clockStart.IsZero():
			r.clockStart = e.On
		case !r.stoppedOn.IsZero():
			r.stoppedDays += max(0, r.stoppedOn.DaysUntil(e.On))
			r.stoppedOn = Date{}
		}
	case SARExtended:
		r.extension += e.Months
		r.extensionDays += e.Days
	case SARReviewed:
		r.decisions = append([]ItemDecision(nil), e.Decisions...)
		r.reviewer = e.ReviewerID
		r.status = StatusReviewed
	case SARReleased:
		r.status, r.releasedOn = StatusReleased, e.On
	case SARRefused:
		r.status = StatusRefused
	}
}

// ID, Client, ReceivedOn, Status, Decisions and Reviewer report the request's state.
func (r *Request) ID() domain.ID        { return r.id }
func (r *Request) Client() domain.ID    { return r.client }
func (r *Request) ReceivedOn() Date     { return r.receivedOn }
func (r *Request) Status() Status       { return r.status }
func (r *Request) Reviewer() domain.ID  { return r.reviewer }
func (r *Request) ExtensionMonths() int { return r.extension }

// ExtensionDays is the days added by a HIPAA extension (zero under UK GDPR).
func (r *Request) ExtensionDays() int { return r.extensionDays }

// Regime is the law whose deadline rules the request follows.
func (r *Request) Regime() Regime { return r.regime }

// TimeZone is the IANA zone in which the request's dates are counted; callers convert "now" to
// a date in it.
func (r *Request) TimeZone() string { return r.zone }
func (r *Request) Decisions() []ItemDecision {
	return append([]ItemDecision(nil), r.decisions...)
}

// ClockRunning reports whether identity is verified and no request for identity or clarification
// is outstanding: under UK GDPR, whether the statutory clock runs. (Under HIPAA the deadline runs
// from receipt regardless.) A request cannot be released while it is false.
func (r *Request) ClockRunning() bool { return !r.clockStart.IsZero() && r.stoppedOn.IsZero() }

// Due returns the deadline as it stands on today. Under UK GDPR: one calendar month (plus any
// extension) from the date the clock started, plus every day it stood still, counting a current
// stop up to today; ok is false while identity has been pending since receipt (the clock has not
// started and there is no deadline yet). Under HIPAA: 30 days after receipt plus any extension,
// whatever the identity check's state; ok is always true.
func (r *Request) Due(today Date) (due Date, ok bool) {
	if r.regime == RegimeHIPAA {
		return r.receivedOn.AddDays(HIPAADays + r.extensionDays), true
	}
	if r.clockStart.IsZero() {
		return Date{}, false
	}
	stopped := r.stoppedDays
	if !r.stoppedOn.IsZero() {
		stopped += max(0, r.stoppedOn.DaysUntil(today))
	}
	return r.clockStart.AddMonths(1 + r.extension).AddDays(stopped), true
}

// originalDue is the deadline before any extension, on the given date.
func (r *Request) originalDue(today Date) (Date, bool) {
	if r.regime == RegimeHIPAA {
		return r.receivedOn.AddDays(HIPAADays), true
	}
	d, ok := r.Due(today)
	if !ok {
		return Date{}, false
	}
	return d.AddMonths(-r.extension), true
}

// closed returns a conflict error when the request was released or refused.
func (r *Request) closed() error {
	switch r.status {
	case StatusReleased:
		return domain.Conflict("sar_released", "request "+r.id.String()+" was already released")
	case StatusRefused:
		return domain.Conflict("sar_refused", "request "+r.id.String()+" was refused")
	}
	return nil
}

// RequestIdentity stops the clock on on while the DPO waits for proof of identity or
// clarification. It is a conflict when the clock is not running.
func (r *Request) RequestIdentity(on Date, reason string, at time.Time) (SARIdentityRequested, error) {
	if err := r.closed(); err != nil {
		return SARIdentityRequested{}, err
	}
	if !r.ClockRunning() {
		return SARIdentityRequested{}, domain.Conflict("sar_clock_stopped", "the clock of request "+r.id.String()+" is already stopped")
	}
	if err := checkOn(on, r.receivedOn); err != nil {
		return SARIdentityRequested{}, err
	}
	if len(reason) > maxReasonLen {
		return SARIdentityRequested{}, domain.Invalid("reason", "is too long")
	}
	ev := SARIdentityRequested{On: on, Reason: reason, At: at}
	r.Apply(ev)
	return ev, nil
}

// VerifyIdentity starts or restarts the clock on on. It is a conflict when identity is not
// awaited.
func (r *Request) VerifyIdentity(on Date, method string, at time.Time) (SARIdentityVerified, error) {
	if err := r.closed(); err != nil {
		return SARIdentityVerified{}, err
	}
	if r.ClockRunning() {
		return SARIdentityVerified{}, domain.Conflict("sar_identity_not_awaited", "request "+r.id.String()+" is not waiting for identity")
	}
	if err := checkOn(on, r.receivedOn); err != nil {
		return SARIdentityVerified{}, err
	}
	if !r.stoppedOn.IsZero() && on.Before(r.stoppedOn) {
		return SARIdentityVerified{}, domain.Invalid("on", "is before the clock was stopped")
	}
	if m := strings.TrimSpace(method); m == "" || len(m) > 100 {
		return SARIdentityVerified{}, domain.Invalid("method", "is empty or too long")
	}
	ev := SARIdentityVerified{On: on, Method: strings.TrimSpace(method), At: at}
	r.Apply(ev)
	return ev, nil
}

// Extension asks for a longer deadline: Months under UK GDPR, Days under HIPAA, with the reason
// and the date the requester was told. InWriting says the requester got it in writing.
type Extension struct {
	Months     int
	Days       int
	Reason     string
	NotifiedOn Date
	InWriting  bool
}

// Extend extends the deadline for a complex or repeated request; the reason is required and the
// requester must be told before the unextended deadline (KindConflict "sar_extension_late").
// Under UK GDPR it adds x.Months, at most MaxExtensionMonths over all extensions, and x.Days must
// be zero. Under HIPAA it adds x.Days (1 to HIPAADays), once only (KindConflict
// "sar_already_extended"), x.Months must be zero, and x.InWriting must be true: the rule asks for
// a written statement of the reasons and of the new date, which the event records as Due.
func (r *Request) Extend(x Extension, at time.Time) (SARExtended, error) {
	if err := r.closed(); err != nil {
		return SARExtended{}, err
	}
	var due Date
	switch r.regime {
	case RegimeHIPAA:
		switch {
		case x.Months != 0 || x.Days < 1 || x.Days > HIPAADays:
			return SARExtended{}, domain.Invalid("days", fmt.Sprintf("a HIPAA extension is 1 to %d days", HIPAADays))
		case r.extensionDays > 0:
			return SARExtended{}, domain.Conflict("sar_already_extended", "a HIPAA request is extended once only")
		case !x.InWriting:
			return SARExtended{}, domain.Invalid("in_writing", "a HIPAA extension needs a written statement to the requester")
		}
		due = r.receivedOn.AddDays(HIPAADays + x.Days)
	default:
		if x.Days != 0 || x.Months < 1 || r.extension+x.Months > MaxExtensionMonths {
			return SARExtended{}, domain.Invalid("months", fmt.Sprintf("the total extension must be 1 to %d months", MaxExtensionMonths))
		}
	}
	if strings.TrimSpace(x.Reason) == "" || len(x.Reason) > maxReasonLen {
		return SARExtended{}, domain.Invalid("reason", "is required (at most 4000 bytes)")
	}
	if err := checkOn(x.NotifiedOn, r.receivedOn); err != nil {
		return SARExtended{}, err
	}
	if first, ok := r.originalDue(x.NotifiedOn); ok && x.NotifiedOn.After(first) {
		return SARExtended{}, domain.Conflict("sar_extension_late", "an extension must be notified before the first deadline")
	}
	ev := SARExtended{Months: x.Months, Days: x.Days, InWriting: x.InWriting, Due: due, Reason: x.Reason, NotifiedOn: x.NotifiedOn, At: at}
	r.Apply(ev)
	return ev, nil
}

// Review records a clinician's decisions on the export: the items to withhold or redact, each
// with a reason. An empty list releases everything. Each item may appear once.
func (r *Request) Review(reviewer domain.ID, decisions []ItemDecision, at time.Time) (SARReviewed, error) {
	if err := r.closed(); err != nil {
		return SARReviewed{}, err
	}
	if reviewer.IsZero() {
		return SARReviewed{}, domain.Invalid("reviewer_id", "is empty")
	}
	seen := map[ItemRef]bool{}
	for i, d := range decisions {
		field := fmt.Sprintf("decisions[%d]", i)
		switch {
		case d.Item.Kind == "" || len(d.Item.Kind) > 40 || d.Item.ID.IsZero():
			return SARReviewed{}, domain.Invalid(field, "names no item")
		case d.Action != ActionWithhold && d.Action != ActionRedact:
			return SARReviewed{}, domain.Invalid(field, "action must be withhold or redact")
		case strings.TrimSpace(d.Reason) == "" || len(d.Reason) > maxReasonLen:
			return SARReviewed{}, domain.Invalid(field, "a reason is required (at most 4000 bytes)")
		case seen[d.Item]:
			return SARReviewed{}, domain.Invalid(field, "the item is decided twice")
		}
		seen[d.Item] = true
	}
	ev := SARReviewed{ReviewerID: reviewer, Decisions: append([]ItemDecision{}, decisions...), At: at}
	r.Apply(ev)
	return ev, nil
}

// Release records that the reviewed export, whose JSON has the hex SHA-256 digest, was given to
// the requester on on. The clock must be running (identity verified) and a review done.
func (r *Request) Release(on Date, formats []string, digest string, at time.Time) (SARReleased, error) {
	if err := r.closed(); err != nil {
		return SARReleased{}, err
	}
	if r.status != StatusReviewed {
		return SARReleased{}, domain.Conflict("sar_not_reviewed", "request "+r.id.String()+" has not been reviewed by a clinician")
	}
	if !r.ClockRunning() {
		return SARReleased{}, domain.Conflict("sar_identity_pending", "request "+r.id.String()+" is waiting for identity")
	}
	if err := checkOn(on, r.receivedOn); err != nil {
		return SARReleased{}, err
	}
	if len(formats) == 0 {
		return SARReleased{}, domain.Invalid("formats", "is empty")
	}
	if len(digest) != 64 || strings.Trim(digest, "0123456789abcdef") != "" {
		return SARReleased{}, domain.Invalid("digest", "want a hex SHA-256")
	}
	due, _ := r.Due(on)
	ev := SARReleased{On: on, Formats: append([]string{}, formats...), Digest: digest, Due: due, Late: on.After(due), At: at}
	r.Apply(ev)
	return ev, nil
}

// Refuse closes the request without release for a manifestly unfounded or excessive request,
// with an explanation for the requester.
func (r *Request) Refuse(reason RefusalReason, detail string, on Date, at time.Time) (SARRefused, error) {
	if err := r.closed(); err != nil {
		return SARRefused{}, err
	}
	if reason != RefusalManifestlyUnfounded && reason != RefusalExcessive {
		return SARRefused{}, domain.Invalid("reason", "want manifestly_unfounded or excessive")
	}
	if strings.TrimSpace(detail) == "" || len(detail) > maxReasonLen {
		return SARRefused{}, domain.Invalid("detail", "an explanation is required (at most 4000 bytes)")
	}
	if err := checkOn(on, r.receivedOn); err != nil {
		return SARRefused{}, err
	}
	ev := SARRefused{Reason: reason, Detail: detail, On: on, At: at}
	r.Apply(ev)
	return ev, nil
}

// checkOn rejects a missing date or one before the request was received.
func checkOn(on, received Date) error {
	if on.IsZero() {
		return domain.Invalid("on", "is empty")
	}
	if on.Before(received) {
		return domain.Invalid("on", "is before the request was received")
	}
	return nil
}
