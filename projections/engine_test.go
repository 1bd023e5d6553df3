package projections_test

import (
	"context"
	"math/rand"
	"reflect"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/migrations/pgtest"
	"github.com/caseledger/caseledger/projections"
)

// TestCrashesNeitherLoseNorDoubleEffects stops the engine at random instants while events flow,
// restarts it, and checks that every projector applied every event exactly once and that the read
// models equal a clean rebuild of the same log.
func TestCrashesNeitherLoseNorDoubleEffects(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	w := newWorkload(e, 1)

	stop := make(chan struct{})
	crashes := make(chan int, 1)
	errs := make(chan error, 1)
	go func() {
		rng := rand.New(rand.NewSource(2))
		n := 0
		for {
			select {
			case <-stop:
				crashes <- n
				return
			default:
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- e.engine.Run(ctx) }()
			time.Sleep(time.Duration(rng.Intn(40)) * time.Millisecond)
			cancel()
			if err := <-done; err != nil {
				errs <- err
				return
			}
			n++
		}
	}()
	for range 700 {
		w.step(t)
	}
	close(stop)
	select {
	case err := <-errs:
		t.Fatalf("engine: %v", err)
	case n := <-crashes:
		if n < 10 {
			t.Fatalf("only %d crashes happened; the test proves nothing", n)
		}
		t.Logf("%d crashes while appending", n)
	}
	catchUp(t, e.dsn, e.engine)

	var logged int64
	if err := pgtest.Pool(t, e.dsn, "").QueryRow(context.Background(), `SELECT count(*) FROM event_log`).Scan(&logged); err != nil {
		t.Fatal(err)
	}
	st, err := e.engine.Status(context.Background(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if s.Applied != logged {
			t.Errorf("projector %s applied %d events, the log holds %d", s.Name, s.Applied, logged)
		}
	}
	incremental := snapshot(t, e.dsn)
	if got := len(incremental["rm_audit_trail"]); int64(got) != logged {
		t.Errorf("audit trail holds %d rows, the log %d events", got, logged)
	}
	dpo := domain.Actor{UserID: newID(), Role: domain.RoleDPO}
	before := readAll(t, e, dpo)

	encodedBefore, _ := projections.CopyCounts()
	if err := e.engine.Rebuild(context.Background(), ""); err != nil {
		t.Fatalf("rebuild: %v", err)
	}
	if encoded, byPgx := projections.CopyCounts(); encoded == encodedBefore || byPgx != 0 {
		t.Errorf("the rebuild's COPYs: %d encoded by the projections (%d before), %d left to pgx; want some and none",
			encoded, encodedBefore, byPgx)
	}
	rebuilt := snapshot(t, e.dsn)
	for table, rows := range incremental {
		if !reflect.DeepEqual(rows, rebuilt[table]) {
			t.Errorf("%s: incremental has %d rows, rebuild %d, and they differ", table, len(rows), len(rebuilt[table]))
		}
	}
	if after := readAll(t, e, dpo); !reflect.DeepEqual(before, after) {
		t.Error("decrypted read models differ between incremental and rebuild")
	}
}

// everything is what a DPO reads through Reader, decrypted.
type everything struct {
	Clients      []projections.ClientRecord
	Appointments []projections.Appointment
}

func readAll(tb testing.TB, e *env, actor domain.Actor) everything {
	tb.Helper()
	ctx := context.Background()
	cs, err := e.reader.Clients(ctx, actor)
	if err != nil {
		tb.Fatalf("clients: %v", err)
	}
	as, err := e.reader.Appointments(ctx, actor, at.Add(-24*time.Hour), at.Add(365*24*time.Hour))
	if err != nil {
		tb.Fatalf("appointments: %v", err)
	}
	return everything{Clients: cs, Appointments: as}
}
