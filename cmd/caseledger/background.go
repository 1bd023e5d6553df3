package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/caseledger/caseledger/api"
	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
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

// periodic runs task (as a background task named name) once at start and then every interval
// until Close, so a server restarted more often than interval still runs it. A failed run is
// logged under name and retried at the next interval.
func (m *Main) periodic(ctx context.Context, name string, interval time.Duration, task func(context.Context) error) {
	m.background(ctx, name, func(ctx context.Context) error {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			if err := task(ctx); err != nil && ctx.Err() == nil {
				m.Logger.Error("background task failed; retrying at the next interval", "task", name, "error", err.Error())
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
			}
		}
	})
}

// startBackground starts what serve runs beside the HTTP server: the projectors (a projector that
// fails stops on its own and shows in `caseledger projections status` and /readyz), signed
// checkpoints of the stream heads every Config.CheckpointInterval, the retention sweep every
// Config.RetentionSweepInterval, the purge of expired sessions and tokens every
// Config.CredentialPurgeInterval, the dormant-account sweep every Config.DormantSweepInterval
// and the release of orphaned calendar reservations every Config.OrphanReleaseInterval (zero
// intervals switch those off).
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
	if every := m.Config.CredentialPurgeInterval; every > 0 {
		m.periodic(ctx, "credential purge", every, m.purgeCredentials)
	}
	if every := m.Config.DormantSweepInterval; every > 0 {
		m.periodic(ctx, "dormant sweep", every, m.disableDormantAccounts)
	}
	if every := m.Config.OrphanReleaseInterval; every > 0 {
		m.periodic(ctx, "orphan release", every, m.releaseOrphanedReservations)
	}
	return nil
}

// purgeCredentials deletes expired sessions and bearer tokens and logs how many.
func (m *Main) purgeCredentials(ctx context.Context) error {
	n, err := api.PurgeExpiredCredentials(ctx, m.App, m.apiConfig().Policy, time.Now())
	if err != nil {
		return err
	}
	m.Logger.Info("credential purge", "deleted", n)
	return nil
}

// disableDormantAccounts disables the accounts unused for the dormancy period and logs their ids.
func (m *Main) disableDormantAccounts(ctx context.Context) error {
	ids, err := api.DisableDormantAccounts(ctx, m.apiConfig())
	if err != nil {
		return err
	}
	m.Logger.Info("dormant sweep", "disabled", len(ids), "users", idStrings(ids))
	return nil
}

// releaseOrphanedReservations frees, on every therapist's calendar, the reservations older than
// Config.OrphanGrace whose booking never wrote its appointment, acting as the system. A calendar
// that fails is logged and the others are still swept.
func (m *Main) releaseOrphanedReservations(ctx context.Context) error {
	heads, err := m.Store.StreamHeads(ctx)
	if err != nil {
		return err
	}
	h := commands.NewReleaseOrphanedReservationsHandler(m.commandDeps())
	system := domain.Actor{Role: domain.RoleSystem}
	var calendars, released int
	for _, head := range heads {
		rest, ok := strings.CutPrefix(string(head.Stream), "calendar-")
		if !ok {
			continue
		}
		therapist, err := domain.ParseID(rest)
		if err != nil {
			continue
		}
		calendars++
		ids, err := h.Handle(ctx, system, therapist, m.Config.OrphanGrace)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			m.Logger.Error("releasing orphaned reservations failed", "therapist", therapist.String(), "error", err.Error())
			continue
		}
		released += len(ids)
		if len(ids) > 0 {
			m.Logger.Warn("released orphaned reservations", "therapist", therapist.String(), "appointments", idStrings(ids))
		}
	}
	m.Logger.Info("orphan release", "calendars", calendars, "released", released)
	return nil
}

// idStrings returns the ids as strings, for logs.
func idStrings(ids []domain.ID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}
