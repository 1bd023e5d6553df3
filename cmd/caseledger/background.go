package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/caseledger/caseledger/commands"
)

// background runs task in its own goroutine until Close, which cancels its context and waits
// for it to return. The task outlives ctx (Run's context only bounds start-up). An error other
// than cancellation is logged under name; the server keeps serving.
func (m *Main) background(ctx context.Context, name string, task func(context.Context) error) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := task(ctx); err != nil && !errors.Is(err, context.Canceled) {
			m.Logger.Error("background task stopped", "task", name, "error", err.Error())
		}
	}()
	m.onClose(func() error {
		cancel()
		<-done
		return nil
	})
}

// startBackground starts what serve runs beside the HTTP server: the projectors (a projector that
// fails stops on its own and shows in `caseledger projections status`), signed checkpoints of the
// stream heads every Config.CheckpointInterval, and the retention sweep every
// Config.RetentionSweepInterval (zero intervals switch those off).
func (m *Main) startBackground(ctx context.Context) error {
	m.background(ctx, "projections", m.Projections.Run)
	if m.Config.CheckpointInterval > 0 {
		cp, err := m.checkpointer(ctx)
		if err != nil {
			return fmt.Errorf("checkpoints: %w", err)
		}
		every := m.Config.CheckpointInterval
		m.background(ctx, "checkpoints", func(ctx context.Context) error {
			return cp.Run(ctx, every, func(err error) {
				m.Logger.Error("signing a checkpoint failed; retrying at the next interval", "error", err.Error())
			})
		})
	}
	if m.Config.RetentionSweepInterval > 0 {
		sweep := commands.NewSweepRetentionHandler(m.commandDeps(), m.Store)
		every := m.Config.RetentionSweepInterval
		m.background(ctx, "retention sweep", func(ctx context.Context) error {
			return sweep.Run(ctx, every, func(res commands.SweepResult, err error) {
				if err != nil {
					m.Logger.Error("retention sweep failed; retrying at the next interval", "error", err.Error())
					return
				}
				m.Logger.Info("retention sweep", "sweep", res.SweepID.String(), "clients", res.Clients, "queued_for_dpo", len(res.Queued))
			})
		})
	}
	return nil
}
