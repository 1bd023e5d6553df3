package commands_test

import (
	"context"
	"testing"
	"time"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
)

// TestReadmissionRetentionCountsFromLatestDischarge discharges a client, readmits them a year
// later and discharges them again: an erasure deferred afterwards lasts until 20 years after the
// second discharge. On the in-memory store and on PostgreSQL with encryption on.
func TestReadmissionRetentionCountsFromLatestDischarge(t *testing.T) {
	t.Parallel()
	stores := []struct {
		name   string
		clinic func(testing.TB) *clinic
	}{
		{"memory", newClinic},
		{"postgres", func(tb testing.TB) *clinic { c, _ := newPostgresClinic(tb); return c }},
	}
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			c := s.clinic(t)
			cl := c.register(t, c.alice)
			discharge := commands.NewDischargeClientHandler(c.deps)
			readmit := commands.NewReadmitClientHandler(c.deps)

			wantKind(t, readmit.Handle(ctx, c.alice, commands.ReadmitClient{ClientID: cl, StartedOn: clinicStart}), domain.KindConflict, "not_discharged")
			must(t, discharge.Handle(ctx, c.alice, commands.DischargeClient{ClientID: cl, EndedOn: clinicStart}))
			c.clock.Advance(365 * 24 * time.Hour)
			returned := c.clock.Now()
			wantKind(t, readmit.Handle(ctx, c.bob, commands.ReadmitClient{ClientID: cl, StartedOn: returned}), domain.KindNotFound, "client_not_found")
			must(t, readmit.Handle(ctx, c.alice, commands.ReadmitClient{ClientID: cl, StartedOn: returned}))

			req, err := commands.NewRequestErasureHandler(c.deps).Handle(ctx, c.dpo, commands.RequestErasure{ClientID: cl})
			must(t, err)
			decide := commands.NewDecideErasureHandler(c.deps, commands.ShredFunc(func(context.Context, domain.ID, commands.ShredOrder) error {
				t.Error("shredded without approval")
				return nil
			}))
			wantKind(t, decide.Handle(ctx, c.dpo, commands.DecideErasure{ClientID: cl, RequestID: req, Decision: commands.EraseDefer}), domain.KindConflict, "treatment_ongoing")
			wantKind(t, discharge.Handle(ctx, c.alice, commands.DischargeClient{ClientID: cl, EndedOn: clinicStart}), domain.KindInvalid, "invalid_ended_on")
			c.clock.Advance(30 * 24 * time.Hour)
			must(t, discharge.Handle(ctx, c.alice, commands.DischargeClient{ClientID: cl, EndedOn: c.clock.Now()}))
			must(t, decide.Handle(ctx, c.dpo, commands.DecideErasure{ClientID: cl, RequestID: req, Decision: commands.EraseDefer}))

			got, _, err := commands.LoadClient(ctx, c.deps, cl)
			must(t, err)
			second := c.clock.Now()
			want := time.Date(second.Year()+20, second.Month(), second.Day(), 0, 0, 0, 0, time.UTC)
			if until := got.ErasureRequests()[0].Until; !until.Equal(want) {
				t.Fatalf("deferred until %s, want %s (20 years after the latest discharge)", until, want)
			}
			wantKind(t, readmit.Handle(ctx, c.alice, commands.ReadmitClient{ClientID: cl, StartedOn: second}), domain.KindConflict, "erasure_pending")
		})
	}
}
