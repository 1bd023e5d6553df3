package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/practice"
	"github.com/caseledger/caseledger/domain/sar"
	"github.com/caseledger/caseledger/eventstore"
)

// StreamLister lists every stream of the log with its head: *pgstore.Store and
// *eventstore.Memory satisfy it. The retention sweep finds clients by their "client-" streams.
type StreamLister interface {
	StreamHeads(ctx context.Context) ([]eventstore.StreamHead, error)
}

// RetentionRecordKind is the record kind the sweep queues: the client's clinical record as a
// whole, whose period the record's own kind (and the children's rule) decides.
const RetentionRecordKind = "clinical_record"

// SweepRetention looks for records past their retention period on Today (default: today, UTC).
type SweepRetention struct {
	SweepID domain.ID
	Today   sar.Date
}

// SweepResult says what a sweep looked at and what it queued for the DPO.
type SweepResult struct {
	SweepID domain.ID
	Clients int
	// Erased counts clients skipped because they were already erased.
	Erased int
	Queued []sar.RetentionReviewQueued
}

// SweepRetentionHandler handles SweepRetention. It is safe for concurrent use.
type SweepRetentionHandler struct {
	d       Deps
	streams StreamLister
}

// NewSweepRetentionHandler returns a handler over d that finds clients through streams.
func NewSweepRetentionHandler(d Deps, streams StreamLister) *SweepRetentionHandler {
	return &SweepRetentionHandler{d: d, streams: streams}
}

// Handle finds every discharged client whose retention period (client.Client.RetentionEnds under
// their practice's periods: discharge date plus the period of the record's kind, or the children's
// rule) ended on or before Today, and queues each for a DPO decision with a RetentionReviewQueued
// event in "retention-<client id>". It erases nothing: erasure needs the DPO's decision. A client
// already queued, kept by the DPO until a later date, or whose erasure was requested is not queued
// again, so sweeps can run as often as wanted. Only the DPO and the system may sweep.
func (h *SweepRetentionHandler) Handle(ctx context.Context, actor domain.Actor, cmd SweepRetention) (SweepResult, error) {
	if actor.Role != domain.RoleDPO && actor.Role != domain.RoleSystem {
		return SweepResult{}, domain.Forbidden("sweep_retention_forbidden", "role "+string(actor.Role)+" may not run the retention sweep")
	}
	if cmd.SweepID.IsZero() {
		id, err := uuid.NewV7()
		if err != nil {
			return SweepResult{}, err
		}
		cmd.SweepID = domain.ID(id)
	}
	today := sarToday(h.d, cmd.Today)
	heads, err := h.streams.StreamHeads(ctx)
	if err != nil {
		return SweepResult{}, fmt.Errorf("retention sweep: %w", err)
	}
	res := SweepResult{SweepID: cmd.SweepID}
	practices := map[domain.ID]practice.Retention{}
	for _, head := range heads {
		rest, ok := strings.CutPrefix(string(head.Stream), "client-")
		if !ok {
			continue
		}
		clientID, err := domain.ParseID(rest)
		if err != nil {
			continue
		}
		res.Clients++
		ev, queued, err := h.sweepClient(ctx, actor, clientID, today, cmd.SweepID, practices)
		if errors.Is(err, domain.ErrErased) {
			res.Erased++
			continue
		}
		if err != nil {
			return res, err
		}
		if queued {
			res.Queued = append(res.Queued, ev)
		}
	}
	return res, nil
}

func (h *SweepRetentionHandler) sweepClient(ctx context.Context, actor domain.Actor, clientID domain.ID, today sar.Date, sweep domain.ID, practices map[domain.ID]practice.Retention) (sar.RetentionReviewQueued, bool, error) {
	c, _, err := LoadClient(ctx, h.d, clientID)
	if err != nil {
		return sar.RetentionReviewQueued{}, false, err
	}
	endedOn, discharged := c.Discharged()
	if !discharged {
		return sar.RetentionReviewQueued{}, false, nil
	}
	retention, ok := practices[c.PracticeID()]
	if !ok {
		p, _, err := LoadPractice(ctx, h.d, c.PracticeID())
		if err != nil {
			return sar.RetentionReviewQueued{}, false, err
		}
		retention = p.Retention()
		practices[c.PracticeID()] = retention
	}
	until, ok := c.RetentionEnds(retention)
	if !ok {
		return sar.RetentionReviewQueued{}, false, nil
	}
	l, err := loadStream(ctx, h.d, RetentionStream(clientID), sar.DecodeRetention)
	if err != nil {
		return sar.RetentionReviewQueued{}, false, err
	}
	q := sar.ReplayRetention(clientID, l.Events)
	ev, queued, err := q.Queue(RetentionRecordKind, sar.DateOf(endedOn.UTC()), sar.DateOf(until.UTC()), today, sweep, h.d.Clock.Now().UTC())
	if err != nil || !queued {
		return sar.RetentionReviewQueued{}, false, err
	}
	if _, err := appendEvents(ctx, h.d, RetentionStream(clientID), l.Expected(), Envelope{Actor: actor}, ev); err != nil {
		return sar.RetentionReviewQueued{}, false, concurrentChange(err)
	}
	return ev, true, nil
}

// Run sweeps every interval until ctx is done, then returns ctx.Err(), acting as the system. A
// failed sweep is passed to report (which may be nil) and retried at the next tick. serve calls
// Run in a goroutine.
func (h *SweepRetentionHandler) Run(ctx context.Context, interval time.Duration, report func(SweepResult, error)) error {
	if interval <= 0 {
		return fmt.Errorf("retention sweep: interval %s must be positive", interval)
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	system := domain.Actor{Role: domain.RoleSystem}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			res, err := h.Handle(ctx, system, SweepRetention{})
			if report != nil && ctx.Err() == nil {
				report(res, err)
			}
		}
	}
}
