package sar_test

import (
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain/sar"
)

func d(tb testing.TB, s string) sar.Date {
	tb.Helper()
	v, err := sar.ParseDate(s)
	if err != nil {
		tb.Fatalf("parse %q: %v", s, err)
	}
	return v
}

func TestAddMonths(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, from string
		months     int
		want       string
	}{
		{"same date next month", "2026-03-14", 1, "2026-04-14"},
		{"31 Jan to 28 Feb", "2026-01-31", 1, "2026-02-28"},
		{"31 Jan to 29 Feb in a leap year", "2028-01-31", 1, "2028-02-29"},
		{"30 Jan to 28 Feb", "2026-01-30", 1, "2026-02-28"},
		{"28 Feb to 28 Mar", "2026-02-28", 1, "2026-03-28"},
		{"31 Mar to 30 Apr", "2026-03-31", 1, "2026-04-30"},
		{"31 Dec to 31 Jan over the year", "2026-12-31", 1, "2027-01-31"},
		{"three months from 30 Nov", "2026-11-30", 3, "2027-02-28"},
		{"minus one month clamps too", "2026-03-31", -1, "2026-02-28"},
		{"29 Feb plus a year", "2028-02-29", 12, "2029-02-28"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := d(t, c.from).AddMonths(c.months).String(); got != c.want {
				t.Errorf("%s + %d months = %s, want %s", c.from, c.months, got, c.want)
			}
		})
	}
}

func TestDateParsing(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in string
		ok       bool
	}{
		{"valid", "2026-01-31", true},
		{"no such day", "2026-02-30", false},
		{"not a date", "31/01/2026", false},
		{"empty", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := sar.ParseDate(c.in)
			if (err == nil) != c.ok {
				t.Errorf("ParseDate(%q) err = %v, want ok=%v", c.in, err, c.ok)
			}
		})
	}
	if _, err := sar.NewDate(2026, time.April, 31); err == nil {
		t.Error("NewDate(2026-04-31) accepted a day that does not exist")
	}
}
