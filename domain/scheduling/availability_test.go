package scheduling_test

import (
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain/scheduling"
)

func mustLoc(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatalf("load %s: %v", name, err)
	}
	return loc
}

func ct(tb testing.TB, s string) scheduling.ClockTime {
	tb.Helper()
	c, err := scheduling.ParseClockTime(s)
	if err != nil {
		tb.Fatalf("clock %s: %v", s, err)
	}
	return c
}

func date(tb testing.TB, s string) scheduling.Date {
	tb.Helper()
	d, err := scheduling.ParseDate(s)
	if err != nil {
		tb.Fatalf("date %s: %v", s, err)
	}
	return d
}

func utc(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		tb.Fatalf("time %s: %v", s, err)
	}
	return t
}

// weekdays returns Monday to Friday from start to end local time.
func weekdays(tb testing.TB, start, end string) scheduling.WeeklyHours {
	tb.Helper()
	var h scheduling.WeeklyHours
	for d := time.Monday; d <= time.Friday; d++ {
		h = append(h, scheduling.WeeklyRange{Weekday: scheduling.Weekday(d), LocalRange: scheduling.LocalRange{Start: ct(tb, start), End: ct(tb, end)}})
	}
	return h
}

// TestWindowsAcrossDaylightSaving pins working hours to the local wall clock on both sides of the
// spring and autumn changes in London and New York.
func TestWindowsAcrossDaylightSaving(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, zone, from, to string
		wantStarts           []string // UTC instants of 09:00 local on each working day
	}{
		{"london spring", "Europe/London", "2026-03-27T00:00:00Z", "2026-03-31T00:00:00Z",
			[]string{"2026-03-27T09:00:00Z", "2026-03-30T08:00:00Z"}},
		{"london autumn", "Europe/London", "2026-10-23T00:00:00Z", "2026-10-27T00:00:00Z",
			[]string{"2026-10-23T08:00:00Z", "2026-10-26T09:00:00Z"}},
		{"new york spring", "America/New_York", "2026-03-06T00:00:00Z", "2026-03-10T00:00:00Z",
			[]string{"2026-03-06T14:00:00Z", "2026-03-09T13:00:00Z"}},
		{"new york autumn", "America/New_York", "2026-10-30T00:00:00Z", "2026-11-03T00:00:00Z",
			[]string{"2026-10-30T13:00:00Z", "2026-11-02T14:00:00Z"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			loc := mustLoc(t, tc.zone)
			a := scheduling.Availability{Weekly: weekdays(t, "09:00", "17:00")}
			ws := a.Windows(utc(t, tc.from), utc(t, tc.to), loc)
			if len(ws) != len(tc.wantStarts) {
				t.Fatalf("got %d windows %v, want %d", len(ws), ws, len(tc.wantStarts))
			}
			for i, w := range ws {
				if !w.Start.Equal(utc(t, tc.wantStarts[i])) {
					t.Errorf("window %d starts %s, want %s", i, w.Start.UTC(), tc.wantStarts[i])
				}
				if w.Duration() != 8*time.Hour {
					t.Errorf("window %d lasts %s, want 8h", i, w.Duration())
				}
			}
		})
	}
}

// TestWindowsOnChangeoverNight checks hours that span the changeover itself: the lost hour of
// spring and the repeated hour of autumn.
func TestWindowsOnChangeoverNight(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, zone, day string
		want            time.Duration
	}{
		{"london spring 00-04 is 3h", "Europe/London", "2026-03-29", 3 * time.Hour},
		{"london autumn 00-04 is 5h", "Europe/London", "2026-10-25", 5 * time.Hour},
		{"new york spring 00-04 is 3h", "America/New_York", "2026-03-08", 3 * time.Hour},
		{"new york autumn 00-04 is 5h", "America/New_York", "2026-11-01", 5 * time.Hour},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			loc := mustLoc(t, tc.zone)
			d := date(t, tc.day)
			a := scheduling.Availability{Exceptions: map[scheduling.Date]scheduling.DayException{
				d: {Date: d, Hours: []scheduling.LocalRange{{Start: 0, End: ct(t, "04:00")}}},
			}}
			ws := a.Windows(d.At(0, loc).Add(-time.Hour), d.At(scheduling.MaxClockTime, loc), loc)
			if len(ws) != 1 || ws[0].Duration() != tc.want {
				t.Fatalf("windows %v, want one of %s", ws, tc.want)
			}
		})
	}
}

func TestExceptionsReplaceWeeklyHours(t *testing.T) {
	t.Parallel()
	loc := mustLoc(t, "Europe/London")
	xmas, sat := date(t, "2026-12-25"), date(t, "2026-12-26")
	a := scheduling.Availability{
		Weekly: weekdays(t, "09:00", "17:00"),
		Exceptions: map[scheduling.Date]scheduling.DayException{
			xmas: {Date: xmas, Closed: true},
			sat:  {Date: sat, Hours: []scheduling.LocalRange{{Start: ct(t, "10:00"), End: ct(t, "12:00")}}},
		},
	}
	ws := a.Windows(utc(t, "2026-12-24T00:00:00Z"), utc(t, "2026-12-28T00:00:00Z"), loc)
	want := []scheduling.Interval{
		{Start: utc(t, "2026-12-24T09:00:00Z"), End: utc(t, "2026-12-24T17:00:00Z")},
		{Start: utc(t, "2026-12-26T10:00:00Z"), End: utc(t, "2026-12-26T12:00:00Z")},
	}
	if len(ws) != len(want) {
		t.Fatalf("got %v, want %v", ws, want)
	}
	for i := range want {
		if !ws[i].Start.Equal(want[i].Start) || !ws[i].End.Equal(want[i].End) {
			t.Errorf("window %d = %v, want %v", i, ws[i], want[i])
		}
	}
}

func TestValidation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		err  error
		code string
	}{
		{"overlapping weekly", scheduling.WeeklyHours{
			{Weekday: 1, LocalRange: scheduling.LocalRange{Start: 540, End: 720}},
			{Weekday: 1, LocalRange: scheduling.LocalRange{Start: 700, End: 800}},
		}.Validate(), "invalid_weekly_hours"},
		{"empty range", scheduling.WeeklyHours{{Weekday: 1, LocalRange: scheduling.LocalRange{Start: 540, End: 540}}}.Validate(), "invalid_weekly_hours"},
		{"bad weekday", scheduling.WeeklyHours{{Weekday: 9, LocalRange: scheduling.LocalRange{Start: 540, End: 600}}}.Validate(), "invalid_weekly_hours"},
		{"exception closed with hours", scheduling.DayException{Date: scheduling.Date{Year: 2026, Month: 1, Day: 2}, Closed: true, Hours: []scheduling.LocalRange{{Start: 1, End: 2}}}.Validate(), "invalid_exception"},
		{"exception neither", scheduling.DayException{Date: scheduling.Date{Year: 2026, Month: 1, Day: 2}}.Validate(), "invalid_exception"},
		{"policy without zone", scheduling.Policy{SlotStepMinutes: 15}.Validate(), "invalid_time_zone"},
		{"policy bad step", scheduling.Policy{TimeZone: "Europe/London", SlotStepMinutes: 1}.Validate(), "invalid_slot_step_minutes"},
		{"policy bad fee", scheduling.Policy{TimeZone: "Europe/London", SlotStepMinutes: 15, NoShowFee: &scheduling.Money{AmountMinor: 100, Currency: "gbp"}}.Validate(), "invalid_currency"},
		{"self booking without hold time", scheduling.SelfBookingRules{Enabled: true, HorizonDays: 30, Location: "Room 2"}.Validate(), "invalid_hold_minutes"},
		{"self booking without a place", scheduling.SelfBookingRules{Enabled: true, HorizonDays: 30, HoldMinutes: 15}.Validate(), "invalid_location"},
		{"self booking with a plain http video link", scheduling.SelfBookingRules{Enabled: true, HorizonDays: 30, HoldMinutes: 15, VideoLink: "http://video.example/x"}.Validate(), "invalid_video_link"},
		{"place empty", scheduling.Place{}.Validate(), "invalid_location"},
		{"place http video", scheduling.Place{VideoLink: "http://meet.example/x"}.Validate(), "invalid_video_link"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assertCode(t, tc.err, tc.code)
		})
	}
}

func TestParseClockTime(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "9:00", "24:01", "12:60", "ab:cd", "-1:00"} {
		t.Run("rejects "+s, func(t *testing.T) {
			t.Parallel()
			if _, err := scheduling.ParseClockTime(s); err == nil {
				t.Fatalf("%q accepted", s)
			}
		})
	}
	if c := ct(t, "24:00"); c != scheduling.MaxClockTime {
		t.Fatalf("24:00 = %d", c)
	}
}
