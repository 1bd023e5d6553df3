// Package scheduling holds the therapist's calendar: weekly availability with exceptions, the
// calendar policy (buffer between sessions, cancellation window and fees, self-booking rules),
// slot reservations and holds, free-slot search, the appointment record, and the waitlist.
//
// # Where each fact lives
//
// A therapist's calendar is one stream, "calendar-<therapist id>", whose events are plaintext and
// hold no client data: availability, policy, and slot reservations keyed by appointment id (start,
// end, status, series id). Every booking decision is taken on that stream with an exact expected
// version, so two overlapping bookings on one calendar can never both be appended.
//
// Everything that says who the appointment is with or about — client id, service type, location,
// video link, cancellation reasons, fees — lives in the appointment's own stream,
// "appointment-<appointment id>", sealed under the client's key; the client's appointment ids are
// indexed in "clientschedule-<client id>", sealed likewise. Erasing a client (crypto-shredding)
// leaves the therapist's calendar readable: it shows anonymous busy slots.
//
// The waitlist is a practice-wide plaintext stream, "waitlist-<practice id>", of entries keyed by
// entry id (therapist, service type, priority, preferred times); the client of each entry is in the
// entry's own stream, "waitlistentry-<entry id>", sealed under the client's key.
//
// # Time
//
// Nothing here reads the clock: "now" is always an argument. Availability is written in local
// wall-clock times of the practice's IANA time zone and turned into instants per local date with
// time.Date, so working hours stay at 09:00 local across daylight-saving changes. Callers load the
// *time.Location (time.LoadLocation) and pass it in; the calendar stores only the zone's name.
package scheduling
