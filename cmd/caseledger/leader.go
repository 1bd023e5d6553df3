package main

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// leaderLockKey is the PostgreSQL advisory lock, per database, whose holder runs serve's
// background work ("caseledg" in ASCII).
const leaderLockKey int64 = 0x636173656c656467

// defaultLeaderRetry is how often an instance that does not lead tries to, and how often the
// leader checks that its lock's connection still works.
const defaultLeaderRetry = 5 * time.Second

// runAsLeader runs work while this process holds the database's leader lock, until ctx ends. The
// lock is a session advisory lock on a connection of its own (from connect): PostgreSQL releases
// it when that connection ends, whichever way (Close, the process gone, the connection killed), and
// another instance takes it at its next try, every retry. The leader checks its connection every
// retry; when the check fails it cancels work's context, waits for work to return, and tries to
// lead again. So at most one instance runs work, except for at most about retry after a leader
// loses its connection without knowing (the new leader may start before the old one stops):
// the work must be safe to run twice, which serve's is (projectors compare-and-set their
// checkpoints; checkpoints, sweeps and purges repeat harmlessly). A leader whose host vanishes
// without closing its connection holds the lock until PostgreSQL notices the connection is gone
// (its tcp_keepalives_* settings).
func runAsLeader(ctx context.Context, connect func(context.Context) (*pgx.Conn, error), key int64, retry time.Duration,
	log *slog.Logger, work func(context.Context)) {
	for ctx.Err() == nil {
		conn, led := lead(ctx, connect, key, log)
		if led {
			log.Info("leading: running the background work", "lock", key)
			workCtx, stop := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() {
				defer close(done)
				work(workCtx)
			}()
			for held := true; held && ctx.Err() == nil; {
				select {
				case <-ctx.Done():
				case <-done:
					held = false
				case <-time.After(retry):
					if _, err := conn.Exec(ctx, `SELECT 1`); err != nil && ctx.Err() == nil {
						log.Error("leader lock connection lost: stopping the background work", "error", err.Error())
						held = false
					}
				}
			}
			stop()
			<-done
		}
		if conn != nil {
			closeCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = conn.Close(closeCtx) // ends the session, which releases the lock
			cancel()
		}
		select {
		case <-ctx.Done():
		case <-time.After(retry):
		}
	}
}

// lead opens a connection and tries the lock on it once. It returns the connection (nil when it
// could not connect) and whether the lock is held on it.
func lead(ctx context.Context, connect func(context.Context) (*pgx.Conn, error), key int64, log *slog.Logger) (*pgx.Conn, bool) {
	conn, err := connect(ctx)
	if err != nil {
		if ctx.Err() == nil {
			log.Error("leader lock: cannot connect; trying again", "error", err.Error())
		}
		return nil, false
	}
	var held bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&held); err != nil {
		if ctx.Err() == nil && !errors.Is(err, context.Canceled) {
			log.Error("leader lock: cannot try the lock; trying again", "error", err.Error())
		}
		return conn, false
	}
	return conn, held
}
