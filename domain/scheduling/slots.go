package scheduling

import (
	"cmp"
	"slices"
	"time"

	"github.com/caseledger/caseledger/domain"
)

// MaxSearchSpan is the longest date range one slot search may cover.
const MaxSearchSpan = 366 * 24 * time.Hour

// SlotQuery asks for free slots of one length in [From, To).
type SlotQuery struct {
	From, To time.Time
	Length   time.Duration
	// SelfBooking applies the self-booking rules (portal search) for ServiceTypeID.
	SelfBooking   bool
	ServiceTypeID domain.ID
}

// FreeSlots returns, in order, every slot of q.Length that Reserve would accept at now: starting
// in [q.From, q.To), on the policy's step grid counted from local midnight, inside working hours,
// clear of every session by the buffer and of unexpired holds, and for a self-booking search also
// inside the self-booking hours, notice and horizon. An unconfigured calendar, or a self-booking
// search on a calendar that takes none, has no free slots; a malformed query fails with
// KindInvalid.
func (c *Calendar) FreeSlots(q SlotQuery, now time.Time, loc *time.Location) ([]Interval, error) {
	if !q.From.Before(q.To) || q.To.Sub(q.From) > MaxSearchSpan {
		return nil, domain.Invalid("range", "from must be before to, at most 366 days apart")
	}
	if q.Length <= 0 || q.Length > MaxSessionLength || q.Length%time.Minute != 0 {
		return nil, domain.Invalid("length", "want whole minutes up to 8 hours")
	}
	if !c.configured || (q.SelfBooking && !c.selfBooking.Enabled) {
		return nil, nil
	}
	from, to := q.From, q.To
	if from.Before(now) {
		from = now
	}
	windows := c.availability.Windows(from, to.Add(q.Length), loc)
	if q.SelfBooking {
		if len(c.selfBooking.Hours) > 0 {
			windows = intersect(windows, Availability{Weekly: c.selfBooking.Hours}.Windows(from, to.Add(q.Length), loc))
		}
	}
	busy := c.busy(now, Interval{from, to.Add(q.Length)})
	step := c.policy.Step()
	var out []Interval
	j := 0
	for _, w := range windows {
		for s := gridAfter(w.Start, step, loc); !s.Add(q.Length).After(w.End) && s.Before(to); s = s.Add(step) {
			slot := Interval{s, s.Add(q.Length)}
			if q.SelfBooking && c.selfBooking.bookable(slot, q.ServiceTypeID, now, loc) != nil {
				continue
			}
			start, end := slot.Start.UnixNano(), slot.End.UnixNano()
			for j < len(busy) && busy[j].end <= start {
				j++
			}
			if j < len(busy) && busy[j].start < end {
				continue
			}
			out = append(out, slot)
		}
	}
	return out, nil
}

// span is an interval as Unix nanoseconds, for the hot loop of FreeSlots.
type span struct{ start, end int64 }

// busy returns the time within near that no new session may use, as sorted disjoint spans: every
// occupying reservation and every hold active at now, widened by the buffer.
func (c *Calendar) busy(now time.Time, near Interval) []span {
	b := c.policy.Buffer()
	near = near.padded(b)
	spans := make([]span, 0, len(c.reservations))
	add := func(iv Interval) {
		if p := iv.padded(b); p.Overlaps(near) {
			spans = append(spans, span{p.Start.UnixNano(), p.End.UnixNano()})
		}
	}
	for _, r := range c.reservations {
		if r.Status.Occupies() {
			add(r.Slot)
		}
	}
	for _, h := range c.holds {
		if h.activeAt(now) {
			add(h.Slot)
		}
	}
	slices.SortFunc(spans, func(x, y span) int { return cmp.Compare(x.start, y.start) })
	out := spans[:0]
	for _, s := range spans {
		if n := len(out); n > 0 && out[n-1].end >= s.start {
			out[n-1].end = max(out[n-1].end, s.end)
			continue
		}
		out = append(out, s)
	}
	return out
}

// gridAfter returns the first instant at or after t whose local wall-clock time of day is a
// multiple of step.
func gridAfter(t time.Time, step time.Duration, loc *time.Location) time.Time {
	lt := t.In(loc)
	wall := time.Duration(lt.Hour())*time.Hour + time.Duration(lt.Minute())*time.Minute +
		time.Duration(lt.Second())*time.Second + time.Duration(lt.Nanosecond())
	if r := wall % step; r != 0 {
		return t.Add(step - r)
	}
	return t
}

// intersect returns the common parts of two sorted lists of disjoint intervals.
func intersect(a, b []Interval) []Interval {
	var out []Interval
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		s, e := a[i].Start, a[i].End
		if b[j].Start.After(s) {
			s = b[j].Start
		}
		if b[j].End.Before(e) {
			e = b[j].End
		}
		if s.Before(e) {
			out = append(out, Interval{s, e})
		}
		if a[i].End.Before(b[j].End) {
			i++
		} else {
			j++
		}
	}
	return out
}
