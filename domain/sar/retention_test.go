package sar_test

import (
	"errors"
	"testing"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/sar"
)

func TestRetentionQueue(t *testing.T) {
	t.Parallel()
	sweep := domain.ID{5}
	cases := []struct {
		name       string
		history    func(tb testing.TB) []domain.Event
		discharged string
		years      int
		today      string
		queued     bool
	}{
		{"not yet due", nil, "2020-06-30", 8, "2028-06-29", false},
		{"due on the anniversary", nil, "2020-06-30", 8, "2028-06-30", true},
		{"29 Feb discharge ends 28 Feb", nil, "2024-02-29", 1, "2025-02-28", true},
		{"already queued", func(tb testing.TB) []domain.Event {
			return []domain.Event{sar.RetentionReviewQueued{ClientID: clientID, RecordKind: "adult_mental_health", Until: d(tb, "2028-06-30")}}
		}, "2020-06-30", 8, "2029-01-01", false},
		{"kept until a later review", func(tb testing.TB) []domain.Event {
			return []domain.Event{
				sar.RetentionReviewQueued{ClientID: clientID, RecordKind: "adult_mental_health"},
				sar.RetentionReviewResolved{RecordKind: "adult_mental_health", Outcome: sar.RetentionKept, ReviewOn: d(tb, "2030-01-01")},
			}
		}, "2020-06-30", 8, "2029-01-01", false},
		{"requeued after the review date", func(tb testing.TB) []domain.Event {
			return []domain.Event{
				sar.RetentionReviewQueued{ClientID: clientID, RecordKind: "adult_mental_health"},
				sar.RetentionReviewResolved{RecordKind: "adult_mental_health", Outcome: sar.RetentionKept, ReviewOn: d(tb, "2030-01-01")},
			}
		}, "2020-06-30", 8, "2030-01-01", true},
		{"never again after erasure was requested", func(tb testing.TB) []domain.Event {
			return []domain.Event{
				sar.RetentionReviewQueued{ClientID: clientID, RecordKind: "adult_mental_health"},
				sar.RetentionReviewResolved{RecordKind: "adult_mental_health", Outcome: sar.RetentionErasureRequested, ErasureRequestID: domain.ID{8}},
			}
		}, "2020-06-30", 8, "2040-01-01", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var h []domain.Event
			if c.history != nil {
				h = c.history(t)
			}
			q := sar.ReplayRetention(clientID, h)
			ev, ok, err := q.Queue("adult_mental_health", d(t, c.discharged), sar.RetentionEnd(d(t, c.discharged), c.years), d(t, c.today), sweep, at)
			if err != nil {
				t.Fatal(err)
			}
			if ok != c.queued {
				t.Fatalf("queued = %v, want %v", ok, c.queued)
			}
			if ok && (ev.Until != sar.RetentionEnd(d(t, c.discharged), c.years) || !q.Pending("adult_mental_health")) {
				t.Fatalf("queued event %+v", ev)
			}
		})
	}
}

func TestRetentionResolve(t *testing.T) {
	t.Parallel()
	q := sar.ReplayRetention(clientID, nil)
	today := d(t, "2030-01-01")
	if _, err := q.Resolve("general_adult", sar.RetentionKept, domain.ID{}, d(t, "2031-01-01"), today, reviewer, at); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("resolve unqueued: %v, want conflict", err)
	}
	if _, _, err := q.Queue("general_adult", d(t, "2020-01-01"), d(t, "2028-01-01"), today, domain.ID{5}, at); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Resolve("general_adult", sar.RetentionKept, domain.ID{}, today, today, reviewer, at); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("keep without a future review date: %v, want invalid", err)
	}
	if _, err := q.Resolve("general_adult", sar.RetentionErasureRequested, domain.ID{}, sar.Date{}, today, reviewer, at); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("erasure without request id: %v, want invalid", err)
	}
	ev, err := q.Resolve("general_adult", sar.RetentionErasureRequested, domain.ID{8}, sar.Date{}, today, reviewer, at)
	if err != nil || q.Pending("general_adult") {
		t.Fatalf("resolve: %+v %v", ev, err)
	}
	roundTrip(t, ev)
}

func TestErasureVerifiedPassed(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		checks []sar.Check
		want   bool
	}{
		{"all passed", []sar.Check{{Name: sar.CheckKeyGone, Passed: true}, {Name: sar.CheckReadModelsEmpty, Passed: true}}, true},
		{"one failed", []sar.Check{{Name: sar.CheckKeyGone, Passed: true}, {Name: sar.CheckPayloadUnreadable}}, false},
		{"no checks proves nothing", nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ev := sar.NewErasureVerified(reqID, clientID, "approved", c.checks, at)
			if ev.Passed != c.want {
				t.Fatalf("passed = %v, want %v", ev.Passed, c.want)
			}
			roundTrip(t, ev)
		})
	}
}
