package scheduling

import "time"

// Interval is a span of absolute time, [Start, End).
type Interval struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Overlaps reports whether i and j share any instant.
func (i Interval) Overlaps(j Interval) bool { return i.Start.Before(j.End) && j.Start.Before(i.End) }

// Duration returns the length of i.
func (i Interval) Duration() time.Duration { return i.End.Sub(i.Start) }

// padded returns i widened by b on both sides: the span a session keeps clear of other sessions.
func (i Interval) padded(b time.Duration) Interval {
	return Interval{Start: i.Start.Add(-b), End: i.End.Add(b)}
}
