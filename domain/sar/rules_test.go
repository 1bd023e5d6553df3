package sar_test

import (
	"errors"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/sar"
)

func TestSetRules(t *testing.T) {
	t.Parallel()
	practice := domain.ID{7}
	cases := []struct {
		name     string
		practice domain.ID
		rules    sar.Rules
		code     string // "" = valid
	}{
		{"UK GDPR in London", practice, sar.Rules{Regime: sar.RegimeUKGDPR, TimeZone: "Europe/London"}, ""},
		{"HIPAA in New York", practice, sar.Rules{Regime: sar.RegimeHIPAA, TimeZone: "America/New_York"}, ""},
		{"three-part zone name", practice, sar.Rules{Regime: sar.RegimeHIPAA, TimeZone: "America/Argentina/Buenos_Aires"}, ""},
		{"UTC", practice, sar.Rules{Regime: sar.RegimeUKGDPR, TimeZone: "UTC"}, ""},
		{"no practice", domain.ID{}, sar.Rules{Regime: sar.RegimeUKGDPR, TimeZone: "UTC"}, "invalid_practice_id"},
		{"no regime", practice, sar.Rules{TimeZone: "UTC"}, "invalid_regime"},
		{"unknown regime", practice, sar.Rules{Regime: "gdpr_eu", TimeZone: "UTC"}, "invalid_regime"},
		{"no zone", practice, sar.Rules{Regime: sar.RegimeUKGDPR}, "invalid_time_zone"},
		{"Local is the server's zone, not the practice's", practice, sar.Rules{Regime: sar.RegimeUKGDPR, TimeZone: "Local"}, "invalid_time_zone"},
		{"a path", practice, sar.Rules{Regime: sar.RegimeUKGDPR, TimeZone: "/etc/localtime"}, "invalid_time_zone"},
		{"climbing out", practice, sar.Rules{Regime: sar.RegimeUKGDPR, TimeZone: "Europe/../../etc"}, "invalid_time_zone"},
		{"spaces", practice, sar.Rules{Regime: sar.RegimeUKGDPR, TimeZone: "Europe/ London"}, "invalid_time_zone"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ev, err := sar.SetRules(c.practice, c.rules, at)
			if c.code == "" {
				if err != nil {
					t.Fatalf("SetRules: %v", err)
				}
				if got := sar.RulesFrom([]domain.Event{roundTrip(t, ev)}); got != c.rules {
					t.Fatalf("rules in force %+v, want %+v", got, c.rules)
				}
				return
			}
			wantErr(t, err, domain.KindInvalid, c.code)
		})
	}
}

func TestRulesFrom(t *testing.T) {
	t.Parallel()
	if got := sar.RulesFrom(nil); got != sar.DefaultRules() || got.Regime != sar.RegimeUKGDPR || got.TimeZone != "UTC" {
		t.Fatalf("no history: %+v, want UK GDPR in UTC", got)
	}
	first, err := sar.SetRules(domain.ID{7}, sar.Rules{Regime: sar.RegimeHIPAA, TimeZone: "America/Chicago"}, at)
	if err != nil {
		t.Fatal(err)
	}
	second, err := sar.SetRules(domain.ID{7}, sar.Rules{Regime: sar.RegimeUKGDPR, TimeZone: "Europe/London"}, at.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got := sar.RulesFrom([]domain.Event{first, second}); got != (sar.Rules{Regime: sar.RegimeUKGDPR, TimeZone: "Europe/London"}) {
		t.Fatalf("the latest rules should apply, got %+v", got)
	}
}

// TestRequestsKeepTheirRules: a request received before regimes existed (no regime or zone in
// its event) is UK GDPR in UTC; a request keeps the rules it was received under.
func TestRequestsKeepTheirRules(t *testing.T) {
	t.Parallel()
	old, err := sar.Decode("SARReceived", 1, []byte(`{"request_id":"01000000-0000-0000-0000-000000000000","client_id":"02000000-0000-0000-0000-000000000000","received_on":"2026-01-31","channel":"email","identity":"verified","at":"2026-01-31T10:00:00Z"}`))
	if err != nil {
		t.Fatal(err)
	}
	r, err := sar.Replay(reqID, []domain.Event{old})
	if err != nil {
		t.Fatal(err)
	}
	if r.Regime() != sar.RegimeUKGDPR || r.TimeZone() != "UTC" {
		t.Fatalf("old request follows %s in %s, want uk_gdpr in UTC", r.Regime(), r.TimeZone())
	}
	if due, _ := r.Due(d(t, "2026-01-31")); due.String() != "2026-02-28" {
		t.Fatalf("old request due %s, want 2026-02-28", due)
	}
	h := receiveUnder(t, sar.RegimeHIPAA, "2026-01-31", sar.IdentityVerified)
	if h.Regime() != sar.RegimeHIPAA || h.TimeZone() != "Europe/London" {
		t.Fatalf("request follows %s in %s", h.Regime(), h.TimeZone())
	}
}

// wantErr fails unless err is a domain error of kind with code.
func wantErr(tb testing.TB, err error, kind domain.Kind, code string) {
	tb.Helper()
	var de *domain.Error
	if !errors.As(err, &de) || de.Kind != kind || de.Code != code {
		tb.Fatalf("err = %v, want kind %s code %s", err, kind, code)
	}
}
