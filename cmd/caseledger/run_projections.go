package main

import (
	"context"
)

// runProjections runs the projections engine in the background until Close. It outlives ctx
// (Run's context only bounds start-up). A projector that fails stops on its own and is reported
// by the engine and `caseledger projections status`; if every projector stops, the engine's error
// is logged and the server keeps serving the read models as they are.
func (m *Main) runProjections(ctx context.Context) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	m.projDone = make(chan struct{})
	go func() {
		defer close(m.projDone)
		if err := m.Projections.Run(ctx); err != nil {
			m.Logger.Error("projections stopped", "error", err.Error())
		}
	}()
	m.onClose(func() error {
		cancel()
		<-m.projDone
		return nil
	})
}
