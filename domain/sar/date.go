package sar

import (
	"fmt"
	"time"

	"github.com/caseledger/caseledger/domain"
)

// Date is a calendar date without a time of day or zone: the unit statutory deadlines are
// counted in. The zero Date means "none".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar date of t in t's own location. Callers convert t to the practice's
// zone first.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// NewDate returns the date y-m-d, or an ErrInvalid error when it does not exist (31 April).
func NewDate(y int, m time.Month, d int) (Date, error) {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if y < 1 || y > 9999 || t.Year() != y || t.Month() != m || t.Day() != d {
		return Date{}, domain.Invalid("date", fmt.Sprintf("%04d-%02d-%02d is not a calendar date", y, int(m), d))
	}
	return Date{Year: y, Month: m, Day: d}, nil
}

// ParseDate parses "YYYY-MM-DD". It returns an ErrInvalid error for anything else.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, domain.Invalid("date", "want YYYY-MM-DD")
	}
	return DateOf(t), nil
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// String renders d as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// Time returns midnight at the start of d in UTC.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// AddDays returns the date n days after d (before it when n is negative).
func (d Date) AddDays(n int) Date { return DateOf(d.Time().AddDate(0, 0, n)) }

// DaysUntil returns the number of days from d to e: negative when e is before d.
func (d Date) DaysUntil(e Date) int { return int(e.Time().Sub(d.Time()).Hours() / 24) }

// Before and After compare two dates.
func (d Date) Before(e Date) bool { return d.Time().Before(e.Time()) }
func (d Date) After(e Date) bool  { return d.Time().After(e.Time()) }

// AddMonths returns the same day of the month n calendar months after d, clamped to the last day
// of a shorter month: 31 January + 1 month is 28 February (29 in a leap year), 31 March + 1 month
// is 30 April. It never overflows into the following month as time.AddDate does.
func (d Date) AddMonths(n int) Date {
	first := time.Date(d.Year, d.Month, 1, 0, 0, 0, 0, time.UTC).AddDate(0, n, 0)
	last := first.AddDate(0, 1, -1).Day()
	return Date{Year: first.Year(), Month: first.Month(), Day: min(d.Day, last)}
}

// AddYears returns the same day n years after d; 29 February becomes 28 February in a common year.
func (d Date) AddYears(n int) Date { return d.AddMonths(12 * n) }

// MarshalText and UnmarshalText make a Date travel in JSON as YYYY-MM-DD; the zero Date is "".
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	return []byte(d.String()), nil
}

func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	p, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}
