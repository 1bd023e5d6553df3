package client

import (
	"time"

	"github.com/caseledger/caseledger/domain/practice"
)

// RetentionEnds returns the day the client's clinical record may be destroyed under retention,
// counted from the end of treatment; ok is false while the client is in treatment (or the date of
// birth does not parse).
//
// An adult's record is kept for the years of its record kind after discharge. A client under 18
// at discharge is a child: the record is kept until the birthday retention[RecordChild] (25 by
// default), or the one after if they were 17 at discharge, or for the years of its record kind
// after discharge if that is later (where two rules apply, the longer wins).
func (c *Client) RetentionEnds(retention practice.Retention) (time.Time, bool) {
	if c.endedOn.IsZero() {
		return time.Time{}, false
	}
	birth, ok := c.details.Birth()
	if !ok {
		return time.Time{}, false
	}
	defaults := practice.DefaultRetention()
	years := func(k practice.RecordKind) int {
		if y, ok := retention[k]; ok {
			return y
		}
		return defaults[k]
	}
	end := c.endedOn.AddDate(years(c.recordKind), 0, 0)
	if age := ageOn(birth, c.endedOn); age < 18 {
		until := years(practice.RecordChild)
		if age == 17 {
			until++
		}
		if child := birth.AddDate(until, 0, 0); child.After(end) {
			end = child
		}
	}
	return end, true
}

// ageOn returns the age in whole years, on day, of someone born on birth.
func ageOn(birth, day time.Time) int {
	age := day.Year() - birth.Year()
	if birth.AddDate(age, 0, 0).After(day) {
		age--
	}
	return age
}
