package sar_test

import (
	"errors"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/sar"
)

var (
	at       = time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC)
	reqID    = domain.ID{1}
	clientID = domain.ID{2}
	reviewer = domain.ID{3}
	digest   = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
)

func receive(tb testing.TB, on string, identity sar.Identity) *sar.Request {
	tb.Helper()
	return receiveUnder(tb, sar.RegimeUKGDPR, on, identity)
}

// receiveUnder receives a request on on under regime, dates in Europe/London.
func receiveUnder(tb testing.TB, regime sar.Regime, on string, identity sar.Identity) *sar.Request {
	tb.Helper()
	r, _, err := sar.Receive(reqID, clientID, d(tb, on), sar.ChannelEmail, identity, false, sar.Rules{Regime: regime, TimeZone: "Europe/London"}, at)
	if err != nil {
		tb.Fatalf("receive: %v", err)
	}
	return r
}

func TestDueDate(t *testing.T) {
	t.Parallel()
	type step func(tb testing.TB, r *sar.Request)
	requestID := func(on string) step {
		return func(tb testing.TB, r *sar.Request) {
			if _, err := r.RequestIdentity(d(tb, on), "", at); err != nil {
				tb.Fatalf("request identity: %v", err)
			}
		}
	}
	verify := func(on string) step {
		return func(tb testing.TB, r *sar.Request) {
			if _, err := r.VerifyIdentity(d(tb, on), "photo_id", at); err != nil {
				tb.Fatalf("verify: %v", err)
			}
		}
	}
	extend := func(months int, on string) step {
		return func(tb testing.TB, r *sar.Request) {
			if _, err := r.Extend(sar.Extension{Months: months, Reason: "complex: records in three services", NotifiedOn: d(tb, on)}, at); err != nil {
				tb.Fatalf("extend: %v", err)
			}
		}
	}
	extendDays := func(days int, on string) step {
		return func(tb testing.TB, r *sar.Request) {
			if _, err := r.Extend(sar.Extension{Days: days, Reason: "records held off site", NotifiedOn: d(tb, on), InWriting: true}, at); err != nil {
				tb.Fatalf("extend: %v", err)
			}
		}
	}
	const gdpr, hipaa = sar.RegimeUKGDPR, sar.RegimeHIPAA
	cases := []struct {
		name     string
		regime   sar.Regime
		received string
		identity sar.Identity
		steps    []step
		today    string
		want     string // "" = no deadline yet
	}{
		{"one calendar month", gdpr, "2026-03-14", sar.IdentityVerified, nil, "2026-03-14", "2026-04-14"},
		{"31 Jan is due 28 Feb", gdpr, "2026-01-31", sar.IdentityVerified, nil, "2026-01-31", "2026-02-28"},
		{"31 Jan in a leap year is due 29 Feb", gdpr, "2028-01-31", sar.IdentityVerified, nil, "2028-01-31", "2028-02-29"},
		{"identity pending at receipt: no deadline", gdpr, "2026-01-31", sar.IdentityPending, nil, "2026-02-20", ""},
		{"identity pending at receipt: clock starts when verified", gdpr, "2026-01-31", sar.IdentityPending,
			[]step{verify("2026-02-05")}, "2026-02-05", "2026-03-05"},
		{"clock stops for clarification and the stop is added", gdpr, "2026-03-01", sar.IdentityVerified,
			[]step{requestID("2026-03-10"), verify("2026-03-20")}, "2026-03-25", "2026-04-11"},
		{"a stopped clock counts the stop up to today", gdpr, "2026-03-01", sar.IdentityVerified,
			[]step{requestID("2026-03-10")}, "2026-03-15", "2026-04-06"},
		{"two stops add up", gdpr, "2026-03-01", sar.IdentityVerified,
			[]step{requestID("2026-03-02"), verify("2026-03-04"), requestID("2026-03-10"), verify("2026-03-13")}, "2026-03-20", "2026-04-06"},
		{"extended by two months", gdpr, "2026-01-31", sar.IdentityVerified, []step{extend(2, "2026-02-10")}, "2026-02-10", "2026-04-30"},
		{"extended one then one more", gdpr, "2026-01-31", sar.IdentityVerified, []step{extend(1, "2026-02-10"), extend(1, "2026-02-11")}, "2026-02-11", "2026-04-30"},
		{"HIPAA: 30 days from receipt", hipaa, "2026-03-14", sar.IdentityVerified, nil, "2026-03-14", "2026-04-13"},
		{"HIPAA: 30 days across the end of February", hipaa, "2026-02-10", sar.IdentityVerified, nil, "2026-02-10", "2026-03-12"},
		{"HIPAA: identity pending at receipt, the deadline runs anyway", hipaa, "2026-01-31", sar.IdentityPending, nil, "2026-02-20", "2026-03-02"},
		{"HIPAA: verifying identity later does not move the deadline", hipaa, "2026-01-31", sar.IdentityPending,
			[]step{verify("2026-02-05")}, "2026-02-05", "2026-03-02"},
		{"HIPAA: a request for clarification does not stop the clock", hipaa, "2026-03-01", sar.IdentityVerified,
			[]step{requestID("2026-03-10"), verify("2026-03-20")}, "2026-03-25", "2026-03-31"},
		{"HIPAA: a current stop is not counted", hipaa, "2026-03-01", sar.IdentityVerified,
			[]step{requestID("2026-03-10")}, "2026-03-15", "2026-03-31"},
		{"HIPAA: one 30-day extension in writing", hipaa, "2026-01-31", sar.IdentityVerified, []step{extendDays(30, "2026-02-10")}, "2026-02-10", "2026-04-01"},
		{"HIPAA: a shorter extension", hipaa, "2026-03-14", sar.IdentityVerified, []step{extendDays(10, "2026-04-13")}, "2026-04-13", "2026-04-23"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := receiveUnder(t, c.regime, c.received, c.identity)
			for _, s := range c.steps {
				s(t, r)
			}
			due, ok := r.Due(d(t, c.today))
			if c.want == "" {
				if ok {
					t.Fatalf("due = %s, want no deadline while identity is pending", due)
				}
				return
			}
			if !ok || due.String() != c.want {
				t.Fatalf("due = %s (ok=%v), want %s", due, ok, c.want)
			}
		})
	}
}

func TestWorkflowRules(t *testing.T) {
	t.Parallel()
	item := sar.ItemRef{Kind: "note", ID: domain.ID{9}}
	cases := []struct {
		name string
		run  func(tb testing.TB) error
		kind domain.Kind
		code string
	}{
		{"receive without client", func(tb testing.TB) error {
			_, _, err := sar.Receive(reqID, domain.ID{}, d(tb, "2026-01-01"), sar.ChannelEmail, sar.IdentityVerified, false, sar.DefaultRules(), at)
			return err
		}, domain.KindInvalid, "invalid_client_id"},
		{"receive by unknown channel", func(tb testing.TB) error {
			_, _, err := sar.Receive(reqID, clientID, d(tb, "2026-01-01"), "pigeon", sar.IdentityVerified, false, sar.DefaultRules(), at)
			return err
		}, domain.KindInvalid, "invalid_channel"},
		{"release before review", func(tb testing.TB) error {
			_, err := receive(tb, "2026-01-01", sar.IdentityVerified).Release(d(tb, "2026-01-10"), []string{"json"}, digest, at)
			return err
		}, domain.KindConflict, "sar_not_reviewed"},
		{"release while identity pending", func(tb testing.TB) error {
			r := receive(tb, "2026-01-01", sar.IdentityPending)
			if _, err := r.Review(reviewer, nil, at); err != nil {
				tb.Fatal(err)
			}
			_, err := r.Release(d(tb, "2026-01-10"), []string{"json"}, digest, at)
			return err
		}, domain.KindConflict, "sar_identity_pending"},
		{"release twice", func(tb testing.TB) error {
			r := receive(tb, "2026-01-01", sar.IdentityVerified)
			if _, err := r.Review(reviewer, nil, at); err != nil {
				tb.Fatal(err)
			}
			if _, err := r.Release(d(tb, "2026-01-10"), []string{"json"}, digest, at); err != nil {
				tb.Fatal(err)
			}
			_, err := r.Release(d(tb, "2026-01-11"), []string{"json"}, digest, at)
			return err
		}, domain.KindConflict, "sar_released"},
		{"receive under an unknown regime", func(tb testing.TB) error {
			_, _, err := sar.Receive(reqID, clientID, d(tb, "2026-01-01"), sar.ChannelEmail, sar.IdentityVerified, false, sar.Rules{Regime: "ccpa", TimeZone: "UTC"}, at)
			return err
		}, domain.KindInvalid, "invalid_regime"},
		{"receive with a zone that is not an IANA name", func(tb testing.TB) error {
			_, _, err := sar.Receive(reqID, clientID, d(tb, "2026-01-01"), sar.ChannelEmail, sar.IdentityVerified, false, sar.Rules{Regime: sar.RegimeHIPAA, TimeZone: "../../etc/passwd"}, at)
			return err
		}, domain.KindInvalid, "invalid_time_zone"},
		{"UK GDPR extension in days", func(tb testing.TB) error {
			_, err := receive(tb, "2026-01-01", sar.IdentityVerified).Extend(sar.Extension{Days: 30, Reason: "complex", NotifiedOn: d(tb, "2026-01-05")}, at)
			return err
		}, domain.KindInvalid, "invalid_months"},
		{"HIPAA extension in months", func(tb testing.TB) error {
			_, err := receiveUnder(tb, sar.RegimeHIPAA, "2026-01-01", sar.IdentityVerified).Extend(sar.Extension{Months: 1, Reason: "complex", NotifiedOn: d(tb, "2026-01-05"), InWriting: true}, at)
			return err
		}, domain.KindInvalid, "invalid_days"},
		{"HIPAA extension beyond 30 days", func(tb testing.TB) error {
			_, err := receiveUnder(tb, sar.RegimeHIPAA, "2026-01-01", sar.IdentityVerified).Extend(sar.Extension{Days: 31, Reason: "complex", NotifiedOn: d(tb, "2026-01-05"), InWriting: true}, at)
			return err
		}, domain.KindInvalid, "invalid_days"},
		{"HIPAA extension not in writing", func(tb testing.TB) error {
			_, err := receiveUnder(tb, sar.RegimeHIPAA, "2026-01-01", sar.IdentityVerified).Extend(sar.Extension{Days: 30, Reason: "complex", NotifiedOn: d(tb, "2026-01-05")}, at)
			return err
		}, domain.KindInvalid, "invalid_in_writing"},
		{"HIPAA extended twice", func(tb testing.TB) error {
			r := receiveUnder(tb, sar.RegimeHIPAA, "2026-01-01", sar.IdentityVerified)
			if _, err := r.Extend(sar.Extension{Days: 10, Reason: "complex", NotifiedOn: d(tb, "2026-01-05"), InWriting: true}, at); err != nil {
				tb.Fatal(err)
			}
			_, err := r.Extend(sar.Extension{Days: 10, Reason: "complex", NotifiedOn: d(tb, "2026-01-06"), InWriting: true}, at)
			return err
		}, domain.KindConflict, "sar_already_extended"},
		{"HIPAA extension notified after the 30 days", func(tb testing.TB) error {
			_, err := receiveUnder(tb, sar.RegimeHIPAA, "2026-01-01", sar.IdentityVerified).Extend(sar.Extension{Days: 30, Reason: "complex", NotifiedOn: d(tb, "2026-02-01"), InWriting: true}, at)
			return err
		}, domain.KindConflict, "sar_extension_late"},
		{"extension beyond two months", func(tb testing.TB) error {
			r := receive(tb, "2026-01-01", sar.IdentityVerified)
			if _, err := r.Extend(sar.Extension{Months: 2, Reason: "complex", NotifiedOn: d(tb, "2026-01-05")}, at); err != nil {
				tb.Fatal(err)
			}
			_, err := r.Extend(sar.Extension{Months: 1, Reason: "complex", NotifiedOn: d(tb, "2026-01-06")}, at)
			return err
		}, domain.KindInvalid, "invalid_months"},
		{"extension without reason", func(tb testing.TB) error {
			_, err := receive(tb, "2026-01-01", sar.IdentityVerified).Extend(sar.Extension{Months: 1, Reason: "  ", NotifiedOn: d(tb, "2026-01-05")}, at)
			return err
		}, domain.KindInvalid, "invalid_reason"},
		{"extension notified after the first month", func(tb testing.TB) error {
			_, err := receive(tb, "2026-01-01", sar.IdentityVerified).Extend(sar.Extension{Months: 1, Reason: "complex", NotifiedOn: d(tb, "2026-02-02")}, at)
			return err
		}, domain.KindConflict, "sar_extension_late"},
		{"withhold without reason", func(tb testing.TB) error {
			_, err := receive(tb, "2026-01-01", sar.IdentityVerified).Review(reviewer, []sar.ItemDecision{{Item: item, Action: sar.ActionWithhold}}, at)
			return err
		}, domain.KindInvalid, "invalid_decisions[0]"},
		{"unknown action", func(tb testing.TB) error {
			_, err := receive(tb, "2026-01-01", sar.IdentityVerified).Review(reviewer, []sar.ItemDecision{{Item: item, Action: "shred", Reason: "x"}}, at)
			return err
		}, domain.KindInvalid, "invalid_decisions[0]"},
		{"same item twice", func(tb testing.TB) error {
			dec := sar.ItemDecision{Item: item, Action: sar.ActionRedact, Reason: "serious harm"}
			_, err := receive(tb, "2026-01-01", sar.IdentityVerified).Review(reviewer, []sar.ItemDecision{dec, dec}, at)
			return err
		}, domain.KindInvalid, "invalid_decisions[1]"},
		{"stop a clock that is not running", func(tb testing.TB) error {
			_, err := receive(tb, "2026-01-01", sar.IdentityPending).RequestIdentity(d(tb, "2026-01-02"), "", at)
			return err
		}, domain.KindConflict, "sar_clock_stopped"},
		{"verify identity not awaited", func(tb testing.TB) error {
			_, err := receive(tb, "2026-01-01", sar.IdentityVerified).VerifyIdentity(d(tb, "2026-01-02"), "photo_id", at)
			return err
		}, domain.KindConflict, "sar_identity_not_awaited"},
		{"date before receipt", func(tb testing.TB) error {
			_, err := receive(tb, "2026-01-10", sar.IdentityPending).VerifyIdentity(d(tb, "2026-01-02"), "photo_id", at)
			return err
		}, domain.KindInvalid, "invalid_on"},
		{"refuse with unknown reason", func(tb testing.TB) error {
			_, err := receive(tb, "2026-01-10", sar.IdentityVerified).Refuse("bored", "x", d(tb, "2026-01-12"), at)
			return err
		}, domain.KindInvalid, "invalid_reason"},
		{"act on a refused request", func(tb testing.TB) error {
			r := receive(tb, "2026-01-10", sar.IdentityVerified)
			if _, err := r.Refuse(sar.RefusalExcessive, "fifth identical request this month", d(tb, "2026-01-12"), at); err != nil {
				tb.Fatal(err)
			}
			_, err := r.Review(reviewer, nil, at)
			return err
		}, domain.KindConflict, "sar_refused"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			err := c.run(t)
			var de *domain.Error
			if !errors.As(err, &de) || de.Kind != c.kind || de.Code != c.code {
				t.Fatalf("err = %v, want kind %s code %s", err, c.kind, c.code)
			}
		})
	}
}

func TestReleaseRecordsLateness(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, on string
		late     bool
	}{
		{"on the due date", "2026-02-28", false},
		{"the day after", "2026-03-01", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := receive(t, "2026-01-31", sar.IdentityVerified)
			dec := []sar.ItemDecision{{Item: sar.ItemRef{Kind: "note", ID: domain.ID{7}}, Action: sar.ActionWithhold, Reason: "serious harm test"}}
			if _, err := r.Review(reviewer, dec, at); err != nil {
				t.Fatal(err)
			}
			ev, err := r.Release(d(t, c.on), []string{"json", "fhir"}, digest, at)
			if err != nil {
				t.Fatal(err)
			}
			if ev.Late != c.late || ev.Due.String() != "2026-02-28" {
				t.Fatalf("release = %+v, want late=%v due 2026-02-28", ev, c.late)
			}
			if r.Status() != sar.StatusReleased || len(r.Decisions()) != 1 || r.Reviewer() != reviewer {
				t.Fatalf("state after release: status %s, %d decisions", r.Status(), len(r.Decisions()))
			}
		})
	}
}

func TestReplayEqualsLive(t *testing.T) {
	t.Parallel()
	r, recv, err := sar.Receive(reqID, clientID, d(t, "2026-03-01"), sar.ChannelPortal, sar.IdentityVerified, true, sar.DefaultRules(), at)
	if err != nil {
		t.Fatal(err)
	}
	history := []domain.Event{recv}
	add := func(ev domain.Event, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		history = append(history, ev)
	}
	add(r.RequestIdentity(d(t, "2026-03-05"), "proof of parental responsibility", at))
	add(r.VerifyIdentity(d(t, "2026-03-09"), "birth_certificate", at))
	add(r.Extend(sar.Extension{Months: 1, Reason: "complex", NotifiedOn: d(t, "2026-03-20")}, at))
	add(r.Review(reviewer, nil, at))
	// Round-trip every event through its JSON payload and the decoder, as the log does.
	var decoded []domain.Event
	for _, ev := range history {
		decoded = append(decoded, roundTrip(t, ev))
	}
	back, err := sar.Replay(reqID, decoded)
	if err != nil {
		t.Fatal(err)
	}
	today := d(t, "2026-03-25")
	want, _ := r.Due(today)
	got, _ := back.Due(today)
	if got != want || back.Status() != r.Status() || back.Client() != clientID || want.String() != "2026-05-05" {
		t.Fatalf("replayed due %s status %s, live due %s status %s", got, back.Status(), want, r.Status())
	}
	if _, err := sar.Replay(reqID, nil); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("replay of nothing: %v, want not found", err)
	}
}
