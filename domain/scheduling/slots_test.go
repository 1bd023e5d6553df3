package scheduling_test

import (
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
)

func TestFreeSlots(t *testing.T) {
	t.Parallel()
	loc := mustLoc(t, london)
	tuesday := scheduling.SlotQuery{From: utc(t, "2026-06-01T23:00:00Z"), To: utc(t, "2026-06-02T23:00:00Z"), Length: 50 * time.Minute}
	cases := []struct {
		name  string
		setup func(tb testing.TB, c *scheduling.Calendar)
		query scheduling.SlotQuery
		now   string
		want  int
		first string
	}{
		{"empty day", nil, tuesday, mondayMorning, 29, "2026-06-02T08:00:00Z"},
		{"one booking takes its slot and buffer", func(tb testing.TB, c *scheduling.Calendar) {
			book(tb, c, iv(tb, "2026-06-02T09:00:00Z", 50), utc(tb, mondayMorning))
		}, tuesday, mondayMorning, 22, "2026-06-02T08:00:00Z"},
		{"now cuts the morning", nil, tuesday, "2026-06-02T10:05:00Z", 20, "2026-06-02T10:15:00Z"},
		{"self-booking minimum notice", nil, func() scheduling.SlotQuery {
			q := tuesday
			q.SelfBooking = true
			return q
		}(), "2026-06-01T11:00:00Z", 17, "2026-06-02T11:00:00Z"},
		{"holiday", func(tb testing.TB, c *scheduling.Calendar) {
			ev, err := c.SetException(scheduling.DayException{Date: date(tb, "2026-06-02"), Closed: true})
			if err != nil {
				tb.Fatal(err)
			}
			c.Apply(ev)
		}, tuesday, mondayMorning, 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newCalendar(t)
			if tc.setup != nil {
				tc.setup(t, c)
			}
			now := utc(t, tc.now)
			got, err := c.FreeSlots(tc.query, now, loc)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.want {
				t.Fatalf("got %d slots, want %d: %v", len(got), tc.want, got)
			}
			if tc.want > 0 && !got[0].Start.Equal(utc(t, tc.first)) {
				t.Errorf("first slot %s, want %s", got[0].Start.UTC(), tc.first)
			}
			assertSearchAgreesWithReserve(t, c, tc.query, got, now, loc)
		})
	}
}

// assertSearchAgreesWithReserve checks every start on the 5-minute grid of the query: Reserve
// accepts it exactly when it is on the step grid and FreeSlots returned it.
func assertSearchAgreesWithReserve(tb testing.TB, c *scheduling.Calendar, q scheduling.SlotQuery, free []scheduling.Interval, now time.Time, loc *time.Location) {
	tb.Helper()
	offered := map[time.Time]bool{}
	for _, s := range free {
		offered[s.Start.UTC()] = true
	}
	for s := q.From; s.Before(q.To); s = s.Add(15 * time.Minute) {
		_, err := c.Reserve(scheduling.ReserveRequest{AppointmentID: newID(tb), Slot: scheduling.Interval{Start: s, End: s.Add(q.Length)}, SelfBooked: q.SelfBooking, ServiceTypeID: q.ServiceTypeID}, now, loc)
		if (err == nil) != offered[s.UTC()] {
			tb.Errorf("start %s: reserve error %v, offered %v", s.UTC(), err, offered[s.UTC()])
		}
	}
}

func TestFreeSlotsRejectsBadQueries(t *testing.T) {
	t.Parallel()
	c := newCalendar(t)
	now := utc(t, mondayMorning)
	loc := mustLoc(t, london)
	cases := []struct {
		name string
		q    scheduling.SlotQuery
		code string
	}{
		{"reversed range", scheduling.SlotQuery{From: now, To: now.Add(-time.Hour), Length: time.Hour}, "invalid_range"},
		{"over a year", scheduling.SlotQuery{From: now, To: now.AddDate(2, 0, 0), Length: time.Hour}, "invalid_range"},
		{"no length", scheduling.SlotQuery{From: now, To: now.Add(time.Hour)}, "invalid_length"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := c.FreeSlots(tc.q, now, loc)
			assertCode(t, err, tc.code)
		})
	}
}

func TestWaitlistMatches(t *testing.T) {
	t.Parallel()
	loc := mustLoc(t, london)
	therapist, other, service := newID(t), newID(t), newID(t)
	now := utc(t, mondayMorning)
	slot := iv(t, "2026-06-02T09:00:00Z", 50) // Tuesday 10:00 BST
	w := scheduling.RebuildWaitlist(nil)
	type entry struct {
		name       string
		therapist  domain.ID
		service    domain.ID
		priority   int
		joined     time.Duration
		preferred  scheduling.WeeklyHours
		wantListed bool
	}
	entries := []entry{
		{"any therapist, low priority", domain.ID{}, domain.ID{}, 1, 0, nil, true},
		{"this therapist, high priority", therapist, service, 50, 2 * time.Hour, nil, true},
		{"this therapist, high priority, earlier", therapist, domain.ID{}, 50, time.Hour, nil, true},
		{"other therapist", other, service, 99, 0, nil, false},
		{"other service", therapist, newID(t), 99, 0, nil, false},
		{"prefers afternoons", therapist, service, 99, 0, scheduling.WeeklyHours{{Weekday: scheduling.Weekday(time.Tuesday), LocalRange: scheduling.LocalRange{Start: ct(t, "13:00"), End: ct(t, "18:00")}}}, false},
		{"prefers Tuesday mornings", domain.ID{}, service, 10, 0, scheduling.WeeklyHours{{Weekday: scheduling.Weekday(time.Tuesday), LocalRange: scheduling.LocalRange{Start: ct(t, "09:00"), End: ct(t, "12:00")}}}, true},
	}
	ids := map[domain.ID]string{}
	for _, e := range entries {
		id := newID(t)
		ids[id] = e.name
		ev, err := w.Join(scheduling.WaitlistEntry{ID: id, TherapistID: e.therapist, ServiceTypeID: e.service, Priority: e.priority, Preferred: e.preferred}, now.Add(e.joined))
		if err != nil {
			t.Fatal(err)
		}
		w.Apply(ev)
	}
	got := w.Matches(therapist, service, slot, loc)
	want := []string{"this therapist, high priority, earlier", "this therapist, high priority", "prefers Tuesday mornings", "any therapist, low priority"}
	if len(got) != len(want) {
		t.Fatalf("got %d matches, want %d", len(got), len(want))
	}
	for i, m := range got {
		if ids[m.ID] != want[i] {
			t.Errorf("match %d = %q, want %q", i, ids[m.ID], want[i])
		}
	}
	left, err := w.Leave(got[0].ID, "booked")
	if err != nil {
		t.Fatal(err)
	}
	w.Apply(left)
	if n := len(w.Matches(therapist, service, slot, loc)); n != 3 {
		t.Errorf("after leaving: %d matches", n)
	}
	_, err = w.Leave(got[0].ID, "booked")
	assertCode(t, err, "waitlist_entry_not_found")
	_, err = w.Join(scheduling.WaitlistEntry{ID: newID(t), Priority: 101}, now)
	assertCode(t, err, "invalid_priority")
}

// TestFreeSlotsAcrossDaylightSaving searches a week spanning each change: the first and last slot
// of every working day stay at 09:00 and 16:00 local while their UTC instants move by an hour.
func TestFreeSlotsAcrossDaylightSaving(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, zone, from, to string
		firstUTC             []string // first slot of each working day
	}{
		{"london spring", "Europe/London", "2026-03-26T23:00:00Z", "2026-03-31T00:00:00Z",
			[]string{"2026-03-27T09:00:00Z", "2026-03-30T08:00:00Z"}},
		{"new york autumn", "America/New_York", "2026-10-30T04:00:00Z", "2026-11-03T04:00:00Z",
			[]string{"2026-10-30T13:00:00Z", "2026-11-02T14:00:00Z"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			loc := mustLoc(t, tc.zone)
			c := scheduling.NewCalendar(newID(t))
			p := standardPolicy()
			p.TimeZone = tc.zone
			ev, err := c.Configure(p)
			if err != nil {
				t.Fatal(err)
			}
			c.Apply(ev)
			wh, err := c.SetWeeklyHours(weekdays(t, "09:00", "17:00"))
			if err != nil {
				t.Fatal(err)
			}
			c.Apply(wh)
			from := utc(t, tc.from)
			q := scheduling.SlotQuery{From: from, To: utc(t, tc.to), Length: time.Hour}
			got, err := c.FreeSlots(q, from, loc)
			if err != nil {
				t.Fatal(err)
			}
			days := map[scheduling.Date][]scheduling.Interval{}
			var order []scheduling.Date
			for _, s := range got {
				d := scheduling.DateOf(s.Start, loc)
				if _, ok := days[d]; !ok {
					order = append(order, d)
				}
				days[d] = append(days[d], s)
			}
			if len(order) != len(tc.firstUTC) {
				t.Fatalf("slots on %v, want %d days", order, len(tc.firstUTC))
			}
			for i, d := range order {
				slots := days[d]
				first, last := slots[0].Start, slots[len(slots)-1].Start
				if !first.Equal(utc(t, tc.firstUTC[i])) {
					t.Errorf("%s: first slot %s, want %s", d, first.UTC(), tc.firstUTC[i])
				}
				if l := last.In(loc); l.Hour() != 16 || l.Minute() != 0 || len(slots) != 29 {
					t.Errorf("%s: last slot %s local, %d slots; want 16:00 and 29", d, l.Format("15:04"), len(slots))
				}
			}
		})
	}
}
