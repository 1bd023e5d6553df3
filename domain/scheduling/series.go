package scheduling

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/caseledger/caseledger/domain"
)

// MaxSeriesOccurrences is the most occurrences one series may book at once.
const MaxSeriesOccurrences = 104

// Occurrence is one appointment of a recurring series.
type Occurrence struct {
	AppointmentID domain.ID
	Slot          Interval
}

// OccurrenceConflict names an occurrence that cannot be booked and why (a domain error code such
// as "slot_taken", "outside_availability").
type OccurrenceConflict struct {
	Index int       `json:"index"`
	Start time.Time `json:"start"`
	Code  string    `json:"code"`
}

// SeriesConflictError lists every occurrence of a series that cannot be booked or moved. It
// unwraps to a KindConflict domain error with code "series_conflict", so errors.Is(err,
// domain.ErrConflict) and domain.KindOf hold for it.
type SeriesConflictError struct {
	SeriesID  domain.ID
	Conflicts []OccurrenceConflict
}

func (e *SeriesConflictError) Error() string {
	starts := make([]string, len(e.Conflicts))
	for i, c := range e.Conflicts {
		starts[i] = fmt.Sprintf("#%d %s (%s)", c.Index, c.Start.UTC().Format(time.RFC3339), c.Code)
	}
	return fmt.Sprintf("series_conflict: series %s: %d occurrence(s) conflict: %s", e.SeriesID, len(e.Conflicts), strings.Join(starts, ", "))
}

// Unwrap returns the KindConflict domain error the series conflict is.
func (e *SeriesConflictError) Unwrap() error {
	return domain.Conflict("series_conflict", fmt.Sprintf("%d occurrence(s) of series %s conflict", len(e.Conflicts), e.SeriesID))
}

// ReserveSeries returns the events that book every occurrence, all or nothing. Each occurrence is
// checked as Reserve checks a single booking and against the series' earlier occurrences. If any
// cannot be booked, it returns a *SeriesConflictError listing each such occurrence and its reason
// instead of skipping it.
func (c *Calendar) ReserveSeries(series domain.ID, occ []Occurrence, now time.Time, loc *time.Location) ([]SlotReserved, error) {
	if series.IsZero() {
		return nil, domain.Invalid("series_id", "required")
	}
	if len(occ) == 0 || len(occ) > MaxSeriesOccurrences {
		return nil, domain.Invalid("occurrences", fmt.Sprintf("want 1 to %d", MaxSeriesOccurrences))
	}
	var out []SlotReserved
	var conflicts []OccurrenceConflict
	for i, o := range occ {
		ev, err := c.Reserve(ReserveRequest{AppointmentID: o.AppointmentID, SeriesID: series, Slot: o.Slot}, now, loc)
		if err == nil {
			err = clashWithin(o.Slot, occ[:i], c.policy.Buffer())
		}
		if err != nil {
			if domain.KindOf(err) != domain.KindConflict {
				return nil, err
			}
			conflicts = append(conflicts, OccurrenceConflict{Index: i, Start: o.Slot.Start, Code: errCode(err)})
			continue
		}
		out = append(out, ev)
	}
	if len(conflicts) > 0 {
		return nil, &SeriesConflictError{SeriesID: series, Conflicts: conflicts}
	}
	return out, nil
}

// SeriesFrom returns the open reservations of series starting at or after from, by start. It
// fails with KindNotFound when there are none.
func (c *Calendar) SeriesFrom(series domain.ID, from time.Time) ([]Reservation, error) {
	var out []Reservation
	for _, r := range c.reservations {
		if r.SeriesID == series && r.Status.Open() && !r.Slot.Start.Before(from) {
			out = append(out, *r)
		}
	}
	if len(out) == 0 {
		return nil, domain.NotFound("series", series)
	}
	slices.SortFunc(out, func(a, b Reservation) int { return a.Slot.Start.Compare(b.Slot.Start) })
	return out, nil
}

// CancelSeriesFrom returns the cancellation of every open occurrence of series starting at or after
// from ("this and following"), each decided as Cancel decides it.
func (c *Calendar) CancelSeriesFrom(series domain.ID, from time.Time, by domain.Role, now time.Time) ([]Cancellation, error) {
	rs, err := c.SeriesFrom(series, from)
	if err != nil {
		return nil, err
	}
	out := make([]Cancellation, 0, len(rs))
	for _, r := range rs {
		cx, err := c.Cancel(r.AppointmentID, by, now)
		if err != nil {
			return nil, err
		}
		out = append(out, cx)
	}
	return out, nil
}

// MoveSeriesFrom returns the events that move every open occurrence of series starting at or after
// from ("this and following"): the first to newStart, each later one by the same number of local
// calendar days and to the same local time of day, so the series keeps its wall-clock time across
// daylight-saving changes; every occurrence lasts length. Occurrences that cannot move are listed
// in a *SeriesConflictError; nothing moves unless all can.
func (c *Calendar) MoveSeriesFrom(series domain.ID, from, newStart time.Time, length time.Duration, now time.Time, loc *time.Location) ([]SlotMoved, error) {
	rs, err := c.SeriesFrom(series, from)
	if err != nil {
		return nil, err
	}
	firstDay := DateOf(rs[0].Slot.Start, loc)
	newDay := DateOf(newStart, loc)
	shift := daysBetween(firstDay, newDay)
	local := newStart.In(loc)
	clock := ClockTime(local.Hour()*60 + local.Minute())
	ids := make([]domain.ID, len(rs))
	for i, r := range rs {
		ids[i] = r.AppointmentID
	}
	var out []SlotMoved
	var moved []Occurrence
	var conflicts []OccurrenceConflict
	for i, r := range rs {
		start := DateOf(r.Slot.Start, loc).AddDays(shift).At(clock, loc)
		slot := Interval{start, start.Add(length)}
		err := c.checkSlot(slot, slotCheck{except: ids}, now, loc)
		if err == nil {
			err = clashWithin(slot, moved, c.policy.Buffer())
		}
		moved = append(moved, Occurrence{AppointmentID: r.AppointmentID, Slot: slot})
		if err != nil {
			if domain.KindOf(err) != domain.KindConflict {
				return nil, err
			}
			conflicts = append(conflicts, OccurrenceConflict{Index: i, Start: slot.Start, Code: errCode(err)})
			continue
		}
		out = append(out, SlotMoved{AppointmentID: r.AppointmentID, Start: slot.Start.UTC(), End: slot.End.UTC()})
	}
	if len(conflicts) > 0 {
		return nil, &SeriesConflictError{SeriesID: series, Conflicts: conflicts}
	}
	return out, nil
}

// clashWithin reports a conflict between slot and the earlier occurrences of the same series.
func clashWithin(slot Interval, earlier []Occurrence, buffer time.Duration) error {
	for _, o := range earlier {
		if slot.padded(buffer).Overlaps(o.Slot) {
			return domain.Conflict("series_overlaps_itself", "two occurrences of the series overlap")
		}
	}
	return nil
}

func daysBetween(a, b Date) int {
	ta := time.Date(a.Year, a.Month, a.Day, 12, 0, 0, 0, time.UTC)
	tb := time.Date(b.Year, b.Month, b.Day, 12, 0, 0, 0, time.UTC)
	return int(tb.Sub(ta).Hours() / 24)
}

func errCode(err error) string {
	var de *domain.Error
	if errors.As(err, &de) {
		return de.Code
	}
	return "conflict"
}
