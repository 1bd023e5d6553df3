package scheduling

import (
	"fmt"
	"slices"
	"time"

	"github.com/caseledger/caseledger/domain"
)

// WeeklyRange is one block of working hours on a day of the week, in local wall-clock time.
type WeeklyRange struct {
	Weekday Weekday `json:"weekday"`
	LocalRange
}

// WeeklyHours is a therapist's regular working week. The zero value is a week with no hours.
type WeeklyHours []WeeklyRange

// Validate checks every range is well formed and no two ranges of one day overlap.
func (w WeeklyHours) Validate() error {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if err := validateRanges("weekly_hours", sortedRanges(w.on(Weekday(d)))); err != nil {
			return err
		}
	}
	for i, r := range w {
		if r.Weekday < 0 || r.Weekday > 6 {
			return domain.Invalid("weekly_hours", fmt.Sprintf("range %d has no valid weekday", i))
		}
	}
	return nil
}

// on returns the ranges of weekday d.
func (w WeeklyHours) on(d Weekday) []LocalRange {
	var out []LocalRange
	for _, r := range w {
		if r.Weekday == d {
			out = append(out, r.LocalRange)
		}
	}
	return out
}

func sortedRanges(rs []LocalRange) []LocalRange {
	slices.SortFunc(rs, func(a, b LocalRange) int { return int(a.Start - b.Start) })
	return rs
}

// DayException replaces the weekly hours on one local date: Closed for a holiday or day off, or
// Hours for a one-off change (other hours that day, or extra hours on a day normally off).
type DayException struct {
	Date   Date         `json:"date"`
	Closed bool         `json:"closed"`
	Hours  []LocalRange `json:"hours,omitempty"`
}

// Validate checks the exception is either closed or has well-formed hours, not both.
func (e DayException) Validate() error {
	if e.Date.IsZero() {
		return domain.Invalid("date", "required")
	}
	if e.Closed == (len(e.Hours) > 0) {
		return domain.Invalid("exception", "either closed or hours, exactly one")
	}
	return validateRanges("hours", e.Hours)
}

// Availability is a working week plus exceptions by local date.
type Availability struct {
	Weekly     WeeklyHours
	Exceptions map[Date]DayException
}

// hoursOn returns the local working ranges on date d, exceptions first.
func (a Availability) hoursOn(d Date) []LocalRange {
	if e, ok := a.Exceptions[d]; ok {
		if e.Closed {
			return nil
		}
		return e.Hours
	}
	return sortedRanges(a.Weekly.on(Weekday(d.Weekday())))
}

// Windows returns the instants of working time in [from, to), in order, with touching ranges
// merged, computed per local date in loc so that working hours keep their wall-clock times across
// daylight-saving changes. It returns nil when from is not before to.
func (a Availability) Windows(from, to time.Time, loc *time.Location) []Interval {
	if !from.Before(to) {
		return nil
	}
	var out []Interval
	last := DateOf(to, loc)
	for d := DateOf(from, loc).AddDays(-1); !last.Before(d); d = d.AddDays(1) {
		for _, r := range a.hoursOn(d) {
			w := Interval{Start: d.At(r.Start, loc), End: d.At(r.End, loc)}
			if w.Start.Before(from) {
				w.Start = from
			}
			if w.End.After(to) {
				w.End = to
			}
			if !w.Start.Before(w.End) {
				continue
			}
			if n := len(out); n > 0 && !out[n-1].End.Before(w.Start) {
				if w.End.After(out[n-1].End) {
					out[n-1].End = w.End
				}
				continue
			}
			out = append(out, w)
		}
	}
	return out
}

// Covers reports whether the whole of iv lies inside one window of working time.
func (a Availability) Covers(iv Interval, loc *time.Location) bool {
	for _, w := range a.Windows(iv.Start, iv.End, loc) {
		if w.Start.Equal(iv.Start) && w.End.Equal(iv.End) {
			return true
		}
	}
	return false
}
