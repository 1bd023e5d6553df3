package scheduling

import (
	"bytes"
	"time"
)

// icalStamp is the RFC 5545 UTC date-time form.
const icalStamp = "20060102T150405Z"

// ICalendar renders the reservations of c that overlap [from, to) as an RFC 5545 calendar feed for
// the therapist's external calendar (text/calendar, CRLF line ends). Each appointment is one
// VEVENT whose UID is "<appointment id>@caseledger", timed in UTC, summarised "Session": the feed
// carries no client data (the calendar holds none). A booking waiting for approval is TENTATIVE;
// a cancelled, declined or failed one stays in the feed as CANCELLED so that subscribed calendars
// remove it; completed and no-show sessions stay CONFIRMED. Occurrences of a series are separate
// VEVENTs (no RRULE): a subscriber sees every move and cancellation without RECURRENCE-ID
// overrides. now is the DTSTAMP.
func (c *Calendar) ICalendar(from, to, now time.Time) []byte {
	var b bytes.Buffer
	line := func(s ...string) {
		for _, p := range s {
			b.WriteString(p)
		}
		b.WriteString("\r\n")
	}
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Caseledger//Scheduling//EN")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	stamp := now.UTC().Format(icalStamp)
	for _, r := range c.Reservations(from, to) {
		summary, status := "Session", "CONFIRMED"
		switch {
		case r.Status == StatusPendingApproval:
			summary, status = "Session (awaiting approval)", "TENTATIVE"
		case !r.Status.Occupies():
			status = "CANCELLED"
		}
		line("BEGIN:VEVENT")
		line("UID:", r.AppointmentID.String(), "@caseledger")
		line("DTSTAMP:", stamp)
		line("DTSTART:", r.Slot.Start.UTC().Format(icalStamp))
		line("DTEND:", r.Slot.End.UTC().Format(icalStamp))
		line("SUMMARY:", summary)
		line("STATUS:", status)
		if status == "CANCELLED" {
			line("TRANSP:TRANSPARENT")
		} else {
			line("TRANSP:OPAQUE")
		}
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return b.Bytes()
}
