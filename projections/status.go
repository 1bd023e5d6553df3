package projections

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
)

// StatusLagCap is the most unapplied events Status counts; beyond it Behind is StatusLagCap and
// BehindAtLeast is true.
const StatusLagCap = 10000

// Status describes one generation of a projector: where it is in the log and how far behind.
type Status struct {
	Name       string
	Generation int32
	// Active is false for a generation a rebuild is still filling.
	Active   bool
	Position eventstore.Position
	// Applied is the number of events this generation applied.
	Applied int64
	// LastEventID and LastRecordedAt describe the last applied event (zero before the first).
	LastEventID    uuid.UUID
	LastRecordedAt time.Time
	UpdatedAt      time.Time
	// Behind counts the events of the log after Position, up to StatusLagCap.
	Behind        int
	BehindAtLeast bool
	// OldestUnapplied is how long ago the first unapplied event was recorded (0 when caught up).
	OldestUnapplied time.Duration
	// Failure is the event the projector could not apply, if it is failing.
	Failure *Failure
}

// Status reports every generation of every projector with a checkpoint, in name order. now is the
// time lags are measured against.
func (e *Engine) Status(ctx context.Context, now time.Time) ([]Status, error) {
	cps, err := e.cps.all(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Status, 0, len(cps))
	for _, cp := range cps {
		s := Status{Name: cp.Name, Generation: cp.Generation, Active: cp.Active, Position: cp.Position,
			Applied: cp.Applied, LastEventID: cp.LastEvent, LastRecordedAt: cp.LastAt,
			UpdatedAt: cp.UpdatedAt, Failure: cp.Failure}
		if err := e.measureLag(ctx, &s, now); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// measureLag counts the events after s.Position (up to StatusLagCap) and dates the first one.
func (e *Engine) measureLag(ctx context.Context, s *Status, now time.Time) error {
	from := s.Position
	for s.Behind < StatusLagCap {
		events, err := e.cfg.Store.ReadAll(ctx, from, min(1000, StatusLagCap-s.Behind))
		if err != nil {
			return fmt.Errorf("projections: status of %s: %w", s.Name, err)
		}
		if len(events) == 0 {
			return nil
		}
		if s.Behind == 0 {
			s.OldestUnapplied = max(now.Sub(events[0].RecordedAt), 0)
		}
		s.Behind += len(events)
		from = events[len(events)-1].Position
	}
	more, err := e.cfg.Store.ReadAll(ctx, from, 1)
	if err != nil {
		return fmt.Errorf("projections: status of %s: %w", s.Name, err)
	}
	s.BehindAtLeast = len(more) > 0
	return nil
}
