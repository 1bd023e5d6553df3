package commands

import (
	"context"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
)

// ConfigureCalendar sets a therapist's calendar policy: the practice's IANA time zone, the buffer
// between sessions, the slot step, the cancellation window and the late-cancellation and no-show
// fees. A calendar takes no bookings until it is configured.
type ConfigureCalendar struct {
	TherapistID domain.ID
	Policy      scheduling.Policy
}

// ConfigureCalendarHandler handles ConfigureCalendar. It is safe for concurrent use.
type ConfigureCalendarHandler struct{ d Deps }

// NewConfigureCalendarHandler returns a handler over d.
func NewConfigureCalendarHandler(d Deps) *ConfigureCalendarHandler {
	return &ConfigureCalendarHandler{d: d}
}

// Handle appends CalendarConfigured to the therapist's calendar. Only the therapist or an admin
// may; anyone else gets KindNotFound. A zone time.LoadLocation does not know is KindInvalid
// ("invalid_time_zone"). A policy change applies to later decisions only: existing bookings stay.
func (h *ConfigureCalendarHandler) Handle(ctx context.Context, actor domain.Actor, cmd ConfigureCalendar) error {
	if err := authoriseCalendar(actor, cmd.TherapistID); err != nil {
		return err
	}
	if _, err := calendarZone(cmd.Policy.TimeZone); err != nil {
		return err
	}
	err := changeCalendar(ctx, h.d, cmd.TherapistID, actor, func(c *scheduling.Calendar, _ *time.Location, _ time.Time) ([]domain.Event, error) {
		ev, err := c.Configure(cmd.Policy)
		return []domain.Event{ev}, err
	})
	return err
}
