package pgstore

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// channel is the LISTEN/NOTIFY channel on which appends are announced. The payload is empty:
// listeners re-read the log.
const channel = "caseledger_event_log"

// notifier sends NOTIFY after appends, outside them and coalesced: at most one notification is in
// flight per Store, at most one per gap, and one more is sent if appends committed meanwhile.
// PostgreSQL serialises the commits of every transaction that notifies, so notifying inside each
// append would forfeit group commit under concurrent writers and double the transactions of a
// single one. Every append is followed, within about gap, by a notification sent after it
// committed; if one is lost (the process dies), tailers still find the events at their safety poll.
type notifier struct {
	pool  *pgxpool.Pool
	gap   time.Duration
	state atomic.Int32 // idle, running, or running with appends since the notification began
}

const (
	notifyIdle int32 = iota
	notifyRunning
	notifyDirty
)

func (n *notifier) signal() {
	for {
		switch n.state.Load() {
		case notifyIdle:
			if n.state.CompareAndSwap(notifyIdle, notifyRunning) {
				go n.run()
				return
			}
		case notifyRunning:
			if n.state.CompareAndSwap(notifyRunning, notifyDirty) {
				return
			}
		default:
			return
		}
	}
}

func (n *notifier) run() {
	for {
		sent := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		// The notification carries no data worth an fsync: its commit need not wait for the WAL.
		_, _ = n.pool.Exec(ctx, `SELECT set_config('synchronous_commit', 'off', true), pg_notify('`+channel+`', '')`)
		cancel()
		if n.state.CompareAndSwap(notifyDirty, notifyRunning) {
			time.Sleep(time.Until(sent.Add(n.gap)))
			continue
		}
		if n.state.CompareAndSwap(notifyRunning, notifyIdle) {
			return
		}
	}
}
