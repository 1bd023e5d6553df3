package main_test

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	main "github.com/caseledger/caseledger/cmd/caseledger"
	"github.com/caseledger/caseledger/migrations/pgtest"
)

// leaderProbe is one contender's work: it records that it runs, and how many run at once.
type leaderProbe struct {
	running atomic.Bool
	starts  atomic.Int32
}

// TestOneContenderLeadsAtATime runs two contenders for one lock on a real database: one leads,
// the other waits; when the leader stops, the other takes over, never both at once; when the
// leader's lock connection is killed, it stops its work and leads again once the lock is free.
func TestOneContenderLeadsAtATime(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t)
	admin := pgtest.Pool(t, dsn, "")
	key := rand.Int64()
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	connect := func(ctx context.Context) (*pgx.Conn, error) { return pgx.Connect(ctx, dsn) }
	var (
		mu          sync.Mutex
		now, most   int
		a, b        leaderProbe
		ctxA, stopA = context.WithCancel(context.Background())
		ctxB, stopB = context.WithCancel(context.Background())
		wg          sync.WaitGroup
	)
	defer stopA()
	defer stopB()
	work := func(p *leaderProbe) func(context.Context) {
		return func(ctx context.Context) {
			mu.Lock()
			now++
			most = max(most, now)
			mu.Unlock()
			p.starts.Add(1)
			p.running.Store(true)
			<-ctx.Done()
			p.running.Store(false)
			mu.Lock()
			now--
			mu.Unlock()
		}
	}
	wait := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting until %s", what)
			}
		}
	}
	wg.Add(2)
	go func() { defer wg.Done(); main.RunAsLeader(ctxA, connect, key, 50*time.Millisecond, log, work(&a)) }()
	wait("the first contender leads", a.running.Load)
	go func() { defer wg.Done(); main.RunAsLeader(ctxB, connect, key, 50*time.Millisecond, log, work(&b)) }()
	time.Sleep(500 * time.Millisecond)
	if b.running.Load() {
		t.Fatal("the second contender runs while the first holds the lock")
	}

	stopA()
	wait("the second contender takes over", b.running.Load)
	mu.Lock()
	if most != 1 {
		t.Errorf("%d contenders ran at once during a clean handover; want 1", most)
	}
	mu.Unlock()

	var killed int
	if err := admin.QueryRow(context.Background(), `SELECT count(pg_terminate_backend(pid)) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND ((classid::bigint << 32) | objid::bigint) = $1`, key).Scan(&killed); err != nil {
		t.Fatal(err)
	}
	if killed != 1 {
		t.Fatalf("terminated %d lock holders; want 1", killed)
	}
	wait("the leader notices its lost connection and stops", func() bool { return !b.running.Load() })
	wait("it leads again once the lock is free", func() bool { return b.running.Load() && b.starts.Load() == 2 })
	stopB()
	wg.Wait()
}

// TestASecondServerTakesOverTheBackgroundWork runs two servers on one database: only the first
// runs the projectors and timers; when it closes, the second takes over.
func TestASecondServerTakesOverTheBackgroundWork(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewEmptyDatabase(t)
	cfg := testConfig(t, dsn)
	cfg.LogLevel = "info"
	first, firstLogs := runMain(t, cfg)
	const leading = `"msg":"leading: running the background work"`
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(firstLogs.String(), leading); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the only server does not lead\nlogs:\n%s", firstLogs)
		}
	}

	var out, secondLogs syncBuffer
	second := mainFor(t, cfg, &out, &secondLogs)
	second.SetLeaderRetry(100 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := second.Run(ctx); err != nil {
		t.Fatalf("second Run: %v\nlogs:\n%s", err, secondLogs.String())
	}
	time.Sleep(time.Second)
	if strings.Contains(secondLogs.String(), leading) {
		t.Fatalf("the second server leads while the first does\nlogs:\n%s", secondLogs.String())
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(secondLogs.String(), leading); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the second server did not take over\nlogs:\n%s", secondLogs.String())
		}
	}
}
