package client

import (
	"time"

	"github.com/caseledger/caseledger/domain"
)

// Readmit starts a new episode of treatment on startedOn for a discharged client who returns to
// the therapist holding the record (to return to another therapist, transfer the record first).
// Only the holder may. The client must be discharged (code "not_discharged"), startedOn is a date
// not before the discharge and not after at, and no erasure request may be open, approved or
// deferred (code "erasure_pending": the DPO decides it first). Afterwards RetentionEnds is unknown
// again until the next discharge, from which retention counts.
func (c *Client) Readmit(actor domain.Actor, startedOn, at time.Time) (domain.Event, error) {
	if err := c.Authorise(actor, "readmit", Holder); err != nil {
		return nil, err
	}
	if c.endedOn.IsZero() {
		return nil, domain.Conflict("not_discharged", "client "+c.id.String()+" is in treatment")
	}
	for _, r := range c.erasures {
		if r.Status == ErasureOpen || r.Status == ErasureApproval || r.Status == ErasureDeferral {
			return nil, domain.Conflict("erasure_pending", "client "+c.id.String()+" has an erasure request the DPO has not refused")
		}
	}
	day := time.Date(startedOn.Year(), startedOn.Month(), startedOn.Day(), 0, 0, 0, 0, time.UTC)
	if startedOn.IsZero() || day.After(at) || day.Before(c.endedOn) {
		return nil, domain.Invalid("started_on", "must be between the discharge and today")
	}
	ev := ClientReadmitted{StartedOn: day, At: at.UTC()}
	c.Apply(ev)
	return ev, nil
}
