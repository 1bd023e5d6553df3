package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

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

// task is one piece of serve's background work; run returns when its context ends.
type task struct {
	name string
	run  func(context.Context) error
}

// periodic returns a task that runs do once at start and then every interval, so a server
// restarted more often than interval still runs it. A failed run is logged under name and retried
// at the next interval.
func (m *Main) periodic(name string, interval time.Duration, do func(context.Context) error) task {
	return task{name: name, run: func(ctx context.Context) error {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			if err := do(ctx); err != nil && ctx.Err() == nil {
				m.Logger.Error("background task failed; retrying at the next interval", "task", name, "error", err.Error())
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
			}
		}
	}}
}

// runTasks runs every task in its own goroutine until ctx ends and they have returned. A task
// that stops with an error other than cancellation is logged under its name; the others go on.
func (m *Main) runTasks(ctx context.Context, tasks []task) {
	var wg sync.WaitGroup
	for _, t := range tasks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := t.run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				m.Logger.Error("background task stopped", "task", t.name, "error", err.Error())
			}
		}()
	}
	wg.Wait()
}

// startBackground starts what serve runs beside the HTTP server, in the one instance per
// database that holds the leader lock (runAsLeader; the others take over when it goes): the
// projectors (a projector that fails stops on its own and shows in `caseledger projections
// status` and /readyz), signed checkpoints of the stream heads every Config.CheckpointInterval,
// the retention sweep every Config.RetentionSweepInterval, the purge of expired sessions and
// tokens every Config.CredentialPurgeInterval, the dormant-account sweep every
// Config.DormantSweepInterval and the release of orphaned calendar reservations every
// Config.OrphanReleaseInterval (zero intervals switch those off).
func (m *Main) startBackground(ctx context.Context) error {
	tasks := []task{{name: "projections", run: m.Projections.Run}}
	if m.Config.CheckpointInterval > 0 {
		cp, err := m.checkpointer(ctx)
		if err != nil {
			return fmt.Errorf("checkpoints: %w", err)
		}
		every := m.Config.CheckpointInterval
		tasks = append(tasks, task{name: "checkpoints", run: func(ctx context.Context) error {
			return cp.Run(ctx, every, func(err error) {
				m.Logger.Error("signing a checkpoint failed; retrying at the next interval", "error", err.Error())
			})
		}})
	}
	if m.Config.RetentionSweepInterval > 0 {
		sweep := commands.NewSweepRetentionHandler(m.commandDeps(), m.Store)
		every := m.Config.RetentionSweepInterval
		tasks = append(tasks, task{name: "retention sweep", run: func(ctx context.Context) error {
			return sweep.Run(ctx, every, func(res commands.SweepResult, err error) {
				if err != nil {
					m.Logger.Error("retention sweep failed; retrying at the next interval", "error", err.Error())
					return
				}
				m.Logger.Info("retention sweep", "sweep", res.SweepID.String(), "clients", res.Clients, "queued_for_dpo", len(res.Queued))
			})
		}})
	}
	if every := m.Config.CredentialPurgeInterval; every > 0 {
		tasks = append(tasks, m.periodic("credential purge", every, m.purgeCredentials))
	}
	if every := m.Config.DormantSweepInterval; every > 0 {
		tasks = append(tasks, m.periodic("dormant sweep", every, m.disableDormantAccounts))
	}
	if every := m.Config.OrphanReleaseInterval; every > 0 {
		tasks = append(tasks, m.periodic("orphan release", every, m.releaseOrphanedReservations))
	}
	retry := m.leaderRetry
	if retry <= 0 {
		retry = defaultLeaderRetry
	}
	connect := func(ctx context.Context) (*pgx.Conn, error) {
		c, err := m.Admin.Acquire(ctx)
		if err != nil {
			return nil, err
		}
		return c.Hijack(), nil
	}
	m.background(ctx, "leadership", func(ctx context.Context) error {
		runAsLeader(ctx, connect, leaderLockKey, retry, m.Logger, func(ctx context.Context) { m.runTasks(ctx, tasks) })
		return ctx.Err()
	})
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
