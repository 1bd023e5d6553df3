package commands

import (
	"context"
	"time"

	"github.com/caseledger/caseledger/domain"
)

// MaxFeedSpan is the longest range one calendar feed covers.
const MaxFeedSpan = 400 * 24 * time.Hour

// CalendarFeedHandler renders a therapist's calendar as an iCalendar (RFC 5545) feed for their
// external calendar, with no client data (scheduling.Calendar.ICalendar). It reads only; it is
// safe for concurrent use.
type CalendarFeedHandler struct{ d Deps }

// NewCalendarFeedHandler returns a handler over d.
func NewCalendarFeedHandler(d Deps) *CalendarFeedHandler { return &CalendarFeedHandler{d: d} }

// Feed returns the feed of [from, to) (at most MaxFeedSpan) as text/calendar bytes. Only the
// therapist or an admin may; anyone else gets KindNotFound. An unconfigured calendar gives an
// empty feed.
func (h *CalendarFeedHandler) Feed(ctx context.Context, actor domain.Actor, therapist domain.ID, from, to time.Time) ([]byte, error) {
	if err := authoriseCalendar(actor, therapist); err != nil {
		return nil, err
	}
	if !from.Before(to) || to.Sub(from) > MaxFeedSpan {
		return nil, domain.Invalid("range", "from must be before to, at most 400 days apart")
	}
	c, _, _, err := LoadCalendar(ctx, h.d, therapist)
	if err != nil {
		return nil, err
	}
	return c.ICalendar(from, to, h.d.Clock.Now()), nil
}
