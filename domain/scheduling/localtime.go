package scheduling

import (
	"fmt"
	"strings"
	"time"

	"github.com/caseledger/caseledger/domain"
)

// ClockTime is a local wall-clock time of day in minutes after midnight, 0 to 1440 ("24:00" ends a
// range at midnight). It travels in JSON as "HH:MM".
type ClockTime int

// MaxClockTime is the end of the day, "24:00".
const MaxClockTime ClockTime = 24 * 60

// ParseClockTime parses "HH:MM" (00:00 to 24:00). It returns an ErrInvalid error otherwise.
func ParseClockTime(s string) (ClockTime, error) {
	var h, m int
	if len(s) != 5 || s[2] != ':' {
		return 0, domain.Invalid("time_of_day", "want HH:MM")
	}
	if _, err := fmt.Sscanf(s, "%02d:%02d", &h, &m); err != nil || h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0) {
		return 0, domain.Invalid("time_of_day", "want HH:MM between 00:00 and 24:00")
	}
	return ClockTime(h*60 + m), nil
}

func (c ClockTime) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// MarshalText renders c as "HH:MM".
func (c ClockTime) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText parses "HH:MM".
func (c *ClockTime) UnmarshalText(b []byte) error {
	v, err := ParseClockTime(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// Date is a local calendar date without a zone. It travels in JSON as "YYYY-MM-DD".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the local date of t in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return Date{y, m, d}
}

// ParseDate parses "YYYY-MM-DD". It returns an ErrInvalid error for anything else, including a
// day that does not exist.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, domain.Invalid("date", "want YYYY-MM-DD")
	}
	return Date{t.Year(), t.Month(), t.Day()}, nil
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// At returns the instant of local time c on d in loc. Times that fall in a daylight-saving gap are
// moved forward by the gap, as time.Date does; "24:00" is midnight at the start of the next day.
func (d Date) At(c ClockTime, loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, int(c)/60, int(c)%60, 0, 0, loc)
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date {
	t := time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC)
	return Date{t.Year(), t.Month(), t.Day()}
}

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool {
	if d.Year != e.Year {
		return d.Year < e.Year
	}
	if d.Month != e.Month {
		return d.Month < e.Month
	}
	return d.Day < e.Day
}

// MarshalText renders d as "YYYY-MM-DD", and the zero Date as "".
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return nil, nil
	}
	return []byte(d.String()), nil
}

// UnmarshalText parses "YYYY-MM-DD"; "" is the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Weekday is a day of the week that travels in JSON as its lowercase English name ("monday").
type Weekday time.Weekday

// ParseWeekday parses a lowercase English day name. It returns an ErrInvalid error otherwise.
func ParseWeekday(s string) (Weekday, error) {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.ToLower(d.String()) == s {
			return Weekday(d), nil
		}
	}
	return 0, domain.Invalid("weekday", "want a lowercase English day name")
}

// MarshalText renders w as its lowercase name.
func (w Weekday) MarshalText() ([]byte, error) {
	if w < 0 || w > 6 {
		return nil, domain.Invalid("weekday", "out of range")
	}
	return []byte(strings.ToLower(time.Weekday(w).String())), nil
}

// UnmarshalText parses a lowercase day name.
func (w *Weekday) UnmarshalText(b []byte) error {
	v, err := ParseWeekday(string(b))
	if err != nil {
		return err
	}
	*w = v
	return nil
}

// LocalRange is a span of local wall-clock time within one day, [Start, End).
type LocalRange struct {
	Start ClockTime `json:"start"`
	End   ClockTime `json:"end"`
}

// validateRanges checks that ranges are well formed, in order and do not overlap.
func validateRanges(field string, ranges []LocalRange) error {
	for i, r := range ranges {
		if r.Start < 0 || r.End > MaxClockTime || r.Start >= r.End {
			return domain.Invalid(field, fmt.Sprintf("range %d must start before it ends, within the day", i))
		}
		if i > 0 && ranges[i-1].End > r.Start {
			return domain.Invalid(field, fmt.Sprintf("range %d overlaps or precedes range %d", i, i-1))
		}
	}
	return nil
}
