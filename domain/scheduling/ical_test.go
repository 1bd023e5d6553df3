package scheduling_test

import (
	"strings"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
)

func TestICalendar(t *testing.T) {
	t.Parallel()
	now := utc(t, mondayMorning)
	c := newCalendar(t)
	kept := book(t, c, iv(t, "2026-06-02T09:00:00Z", 50), now)
	gone := book(t, c, iv(t, "2026-06-03T09:00:00Z", 50), now)
	cx, err := c.Cancel(gone, domain.RoleClient, now)
	if err != nil {
		t.Fatal(err)
	}
	c.Apply(cx.Event)
	book(t, c, iv(t, "2026-07-01T09:00:00Z", 50), now) // outside the feed's range

	got := string(c.ICalendar(now, now.Add(7*24*time.Hour), now))
	want := strings.Join([]string{
		"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Caseledger//Scheduling//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
		"BEGIN:VEVENT", "UID:" + kept.String() + "@caseledger", "DTSTAMP:20260601T070000Z",
		"DTSTART:20260602T090000Z", "DTEND:20260602T095000Z", "SUMMARY:Session", "STATUS:CONFIRMED", "TRANSP:OPAQUE", "END:VEVENT",
		"BEGIN:VEVENT", "UID:" + gone.String() + "@caseledger", "DTSTAMP:20260601T070000Z",
		"DTSTART:20260603T090000Z", "DTEND:20260603T095000Z", "SUMMARY:Session", "STATUS:CANCELLED", "TRANSP:TRANSPARENT", "END:VEVENT",
		"END:VCALENDAR", "",
	}, "\r\n")
	if got != want {
		t.Fatalf("feed:\n%s\nwant:\n%s", got, want)
	}
	for _, l := range strings.Split(got, "\r\n") {
		if len(l) > 75 {
			t.Errorf("line longer than 75 octets: %q", l)
		}
	}
}
