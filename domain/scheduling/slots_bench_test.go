package scheduling_test

import (
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain/scheduling"
)

// BenchmarkFreeSlots searches 8 weeks of one therapist's calendar holding 300 appointments.
func BenchmarkFreeSlots(b *testing.B) {
	loc := mustLoc(b, london)
	from := utc(b, "2026-06-01T00:00:00Z")
	c := newCalendar(b)
	booked := 0
	for day := 0; day < 56 && booked < 300; day++ {
		d := scheduling.DateOf(from, loc).AddDays(day)
		for slot := 0; slot < 8 && booked < 300; slot++ {
			start := d.At(scheduling.ClockTime(9*60+slot*60), loc)
			ev, err := c.Reserve(scheduling.ReserveRequest{AppointmentID: newID(b), Slot: scheduling.Interval{Start: start, End: start.Add(50 * time.Minute)}}, from, loc)
			if err != nil {
				continue // weekends
			}
			c.Apply(ev)
			booked++
		}
	}
	if booked != 300 {
		b.Fatalf("%d appointments, want 300", booked)
	}
	q := scheduling.SlotQuery{From: from, To: from.AddDate(0, 0, 56), Length: 50 * time.Minute}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.FreeSlots(q, from, loc); err != nil {
			b.Fatal(err)
		}
	}
}
