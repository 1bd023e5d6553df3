package commands_test

import (
	"context"
	"testing"
	"time"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/sar"
)

// setClock moves the clinic's clock to t (forwards or backwards).
func (c *clinic) setClock(t time.Time) { c.clock.Advance(t.Sub(c.clock.Now())) }

func instant(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339, s)
	must(tb, err)
	return t
}

// TestSARDeadlineRules runs requests through the commands on PostgreSQL under each regime and
// time zone: "today" is the practice's local date, UK GDPR counts a calendar month and adds clock
// stops, HIPAA counts 30 days from receipt with no stops and one written extension.
func TestSARDeadlineRules(t *testing.T) {
	t.Parallel()
	c, _ := newPostgresClinic(t)
	ctx := context.Background()
	london := sar.Rules{Regime: sar.RegimeUKGDPR, TimeZone: "Europe/London"}
	newYork := sar.Rules{Regime: sar.RegimeHIPAA, TimeZone: "America/New_York"}

	// step runs a DPO command at an instant; the command's date defaults to that instant's date
	// in the request's zone.
	type step struct {
		at  string
		run func(req domain.ID) error
	}
	stop := func(at string) step {
		return step{at, func(req domain.ID) error {
			return commands.NewSARIdentityHandler(c.deps).Handle(ctx, c.dpo, commands.SARIdentity{RequestID: req, Reason: "which records?"})
		}}
	}
	restart := func(at string) step {
		return step{at, func(req domain.ID) error {
			return commands.NewSARIdentityHandler(c.deps).Handle(ctx, c.dpo, commands.SARIdentity{RequestID: req, Verified: true, Method: "clarified_by_email"})
		}}
	}
	extend := func(at string, x commands.ExtendSAR) step {
		return step{at, func(req domain.ID) error {
			x.RequestID, x.Reason = req, "records from three services"
			return commands.NewExtendSARHandler(c.deps).Handle(ctx, c.dpo, x)
		}}
	}
	cases := []struct {
		name         string
		rules        sar.Rules
		regime       sar.Regime // per-request override
		receivedAt   string
		steps        []step
		today        string // the day the deadline is asked for
		wantReceived string
		wantRegime   sar.Regime
		wantDue      string
	}{
		{"UK GDPR in London: 23:30 UTC is already the next day (BST)", london, "", "2026-03-31T23:30:00Z", nil,
			"2026-04-01", "2026-04-01", sar.RegimeUKGDPR, "2026-05-01"},
		{"UK GDPR in UTC: the same instant is still 31 March", sar.Rules{Regime: sar.RegimeUKGDPR, TimeZone: "UTC"}, "", "2026-03-31T23:30:00Z", nil,
			"2026-03-31", "2026-03-31", sar.RegimeUKGDPR, "2026-04-30"},
		{"HIPAA in New York: 03:00 UTC is the evening before", newYork, "", "2026-03-01T03:00:00Z", nil,
			"2026-02-28", "2026-02-28", sar.RegimeHIPAA, "2026-03-30"},
		{"a HIPAA request in a UK GDPR practice", london, sar.RegimeHIPAA, "2026-06-10T12:00:00Z", nil,
			"2026-06-10", "2026-06-10", sar.RegimeHIPAA, "2026-07-10"},
		{"a UK GDPR request in a HIPAA practice keeps New York dates", newYork, sar.RegimeUKGDPR, "2026-03-01T03:00:00Z", nil,
			"2026-02-28", "2026-02-28", sar.RegimeUKGDPR, "2026-03-28"},
		{"UK GDPR: a clarification stops the clock for ten London days", london, "", "2026-03-01T12:00:00Z",
			[]step{stop("2026-03-10T12:00:00Z"), restart("2026-03-20T12:00:00Z")},
			"2026-03-25", "2026-03-01", sar.RegimeUKGDPR, "2026-04-11"},
		{"UK GDPR: the stop is counted in London dates (UTC would count eleven days)", london, "", "2026-04-01T12:00:00Z",
			[]step{stop("2026-04-09T23:30:00Z"), restart("2026-04-20T12:00:00Z")},
			"2026-04-25", "2026-04-01", sar.RegimeUKGDPR, "2026-05-11"},
		{"HIPAA: a clarification does not stop the clock", newYork, "", "2026-03-01T17:00:00Z",
			[]step{stop("2026-03-10T17:00:00Z"), restart("2026-03-20T17:00:00Z")},
			"2026-03-25", "2026-03-01", sar.RegimeHIPAA, "2026-03-31"},
		{"HIPAA: one 30-day extension in writing", newYork, "", "2026-01-31T17:00:00Z",
			[]step{extend("2026-02-10T17:00:00Z", commands.ExtendSAR{Days: 30, InWriting: true})},
			"2026-02-10", "2026-01-31", sar.RegimeHIPAA, "2026-04-01"},
		{"UK GDPR: extended by two months", london, "", "2026-01-31T12:00:00Z",
			[]step{extend("2026-02-10T12:00:00Z", commands.ExtendSAR{Months: 2})},
			"2026-02-10", "2026-01-31", sar.RegimeUKGDPR, "2026-04-30"},
	}
	cl := c.register(t, c.alice)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			must(t, commands.NewSetSARRulesHandler(c.deps).Handle(ctx, c.dpo, commands.SetSARRules{PracticeID: c.practiceID, Rules: tc.rules}))
			req := newID(t)
			c.setClock(instant(t, tc.receivedAt))
			must(t, commands.NewReceiveSARHandler(c.deps).Handle(ctx, c.dpo, commands.ReceiveSAR{
				RequestID: req, ClientID: cl, Channel: sar.ChannelEmail, Identity: sar.IdentityVerified, Regime: tc.regime,
			}))
			for _, s := range tc.steps {
				c.setClock(instant(t, s.at))
				must(t, s.run(req))
			}
			r, _, err := commands.LoadSAR(ctx, c.deps, req)
			must(t, err)
			due, ok := r.Due(sarDate(t, tc.today))
			if r.ReceivedOn().String() != tc.wantReceived || r.Regime() != tc.wantRegime || !ok || due.String() != tc.wantDue {
				t.Fatalf("received %s under %s, due %s (ok=%v); want received %s under %s, due %s",
					r.ReceivedOn(), r.Regime(), due, ok, tc.wantReceived, tc.wantRegime, tc.wantDue)
			}
			if r.TimeZone() != tc.rules.TimeZone {
				t.Fatalf("request counts dates in %s, want %s", r.TimeZone(), tc.rules.TimeZone)
			}
		})
	}

	t.Run("the DPO's list shows each request's rules and deadline on its own local date", func(t *testing.T) {
		must(t, commands.NewSetSARRulesHandler(c.deps).Handle(ctx, c.dpo, commands.SetSARRules{PracticeID: c.practiceID, Rules: newYork}))
		req := newID(t)
		c.setClock(instant(t, "2026-09-01T12:00:00Z"))
		must(t, commands.NewReceiveSARHandler(c.deps).Handle(ctx, c.dpo, commands.ReceiveSAR{
			RequestID: req, ClientID: cl, Channel: sar.ChannelLetter, Identity: sar.IdentityPending,
		}))
		// 2 October 02:00 UTC is still 1 October in New York: due today, not yet overdue (a UTC
		// date would make it overdue).
		c.setClock(instant(t, "2026-10-02T02:00:00Z"))
		list, err := commands.NewListSARsHandler(c.deps, lister(t, c)).Handle(ctx, c.dpo, sar.Date{})
		must(t, err)
		for _, s := range list {
			if s.RequestID != req {
				continue
			}
			if s.Regime != sar.RegimeHIPAA || s.TimeZone != "America/New_York" || s.Due.String() != "2026-10-01" || s.Overdue {
				t.Fatalf("listed as %+v; want HIPAA in New York, due 2026-10-01, not overdue (identity pending does not stop HIPAA's clock)", s)
			}
			return
		}
		t.Fatal("request not listed")
	})

	t.Run("refusals", func(t *testing.T) {
		set := commands.NewSetSARRulesHandler(c.deps)
		wantKind(t, set.Handle(ctx, c.alice, commands.SetSARRules{PracticeID: c.practiceID, Rules: london}), domain.KindForbidden, "sar_rules_forbidden")
		wantKind(t, set.Handle(ctx, c.dpo, commands.SetSARRules{PracticeID: c.practiceID, Rules: sar.Rules{Regime: sar.RegimeHIPAA, TimeZone: "Mars/Olympus_Mons"}}), domain.KindInvalid, "invalid_time_zone")
		wantKind(t, set.Handle(ctx, c.dpo, commands.SetSARRules{PracticeID: c.practiceID, Rules: sar.Rules{Regime: "ccpa", TimeZone: "UTC"}}), domain.KindInvalid, "invalid_regime")
		wantKind(t, set.Handle(ctx, c.admin, commands.SetSARRules{PracticeID: newID(t), Rules: london}), domain.KindNotFound, "")

		must(t, set.Handle(ctx, c.admin, commands.SetSARRules{PracticeID: c.practiceID, Rules: newYork}))
		req := newID(t)
		must(t, commands.NewReceiveSARHandler(c.deps).Handle(ctx, c.dpo, commands.ReceiveSAR{RequestID: req, ClientID: cl, Channel: sar.ChannelEmail, Identity: sar.IdentityVerified}))
		ext := commands.NewExtendSARHandler(c.deps)
		wantKind(t, ext.Handle(ctx, c.dpo, commands.ExtendSAR{RequestID: req, Days: 30, Reason: "complex"}), domain.KindInvalid, "invalid_in_writing")
		wantKind(t, ext.Handle(ctx, c.dpo, commands.ExtendSAR{RequestID: req, Months: 1, Reason: "complex", InWriting: true}), domain.KindInvalid, "invalid_days")
		must(t, ext.Handle(ctx, c.dpo, commands.ExtendSAR{RequestID: req, Days: 15, Reason: "complex", InWriting: true}))
		wantKind(t, ext.Handle(ctx, c.dpo, commands.ExtendSAR{RequestID: req, Days: 15, Reason: "complex", InWriting: true}), domain.KindConflict, "sar_already_extended")
		wantKind(t, commands.NewReceiveSARHandler(c.deps).Handle(ctx, c.dpo, commands.ReceiveSAR{RequestID: newID(t), ClientID: cl, Channel: sar.ChannelEmail, Identity: sar.IdentityVerified, Regime: "ccpa"}), domain.KindInvalid, "invalid_regime")
	})
}
