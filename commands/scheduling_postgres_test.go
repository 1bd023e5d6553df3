package commands_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/eventstore/pgstore"
	"github.com/caseledger/caseledger/keyring"
	"github.com/caseledger/caseledger/migrations"
	"github.com/caseledger/caseledger/migrations/pgtest"
)

// pgSchedClinic is newSchedClinic on a fresh PostgreSQL database (the PostgreSQL event store and
// keyring, acting as the application role), with the pool to open more stores on it.
type pgSchedClinic struct {
	*schedClinic
	pool *pgxpool.Pool
}

func newPostgresSchedClinic(tb testing.TB) *pgSchedClinic {
	tb.Helper()
	ctx := context.Background()
	pool := pgtest.Pool(tb, pgtest.NewDatabase(tb), migrations.RoleApp)
	store, err := pgstore.New(ctx, pool, pgstore.Config{})
	must(tb, err)
	master, err := keyring.NewRandomMaster()
	must(tb, err)
	keys, err := keyring.New(ctx, keyring.Config{Storage: keyring.NewPostgresStorage(pool), Master: master, Events: store})
	must(tb, err)
	tb.Cleanup(keys.Close)
	clock := &testClock{now: clinicStart}
	s := setUpSchedClinic(tb, setUpClinic(tb, commands.Deps{Log: store, Sealer: keys, Clock: clock}, clock, nil, keys))
	return &pgSchedClinic{schedClinic: s, pool: pool}
}

// ownStore returns the clinic's Deps with a PostgreSQL store of its own: to the calendar cache
// and writer it is another process, so bookings through it race the others in the database.
func (s *pgSchedClinic) ownStore(tb testing.TB) commands.Deps {
	tb.Helper()
	store, err := pgstore.New(context.Background(), s.pool, pgstore.Config{})
	must(tb, err)
	d := s.deps
	d.Log = store
	return d
}

// TestPostgresConcurrentBookingsOneWinner races 24 goroutines for overlapping slots of one
// therapist's calendar on PostgreSQL, each through a store of its own (as separate processes
// would): the expected version lets exactly one booking be appended.
func TestPostgresConcurrentBookingsOneWinner(t *testing.T) {
	t.Parallel()
	s := newPostgresSchedClinic(t)
	deps := make([]commands.Deps, 24)
	for i := range deps {
		deps[i] = s.ownStore(t)
	}
	assertOneWinner(t, s.schedClinic, len(deps), func(i int) commands.Deps { return deps[i] })
}

// TestPostgresConcurrentBookingsOneWinnerOneProcess races them through one store, where the
// calendar writer combines concurrent decisions into shared appends.
func TestPostgresConcurrentBookingsOneWinnerOneProcess(t *testing.T) {
	t.Parallel()
	s := newPostgresSchedClinic(t)
	assertOneWinner(t, s.schedClinic, 24, func(int) commands.Deps { return s.deps })
}

// TestPostgresConcurrentDisjointBookingsAllSucceed races 8 goroutines, half through stores of
// their own, booking 8 different slots of one calendar: every loser of an append race decides
// again and succeeds, because its slot no longer overlaps anything.
func TestPostgresConcurrentDisjointBookingsAllSucceed(t *testing.T) {
	t.Parallel()
	s := newPostgresSchedClinic(t)
	base := s.at(t, "2026-03-05", 9, 0)
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		d := s.deps
		if i%2 == 1 {
			d = s.ownStore(t)
		}
		h := commands.NewBookAppointmentHandler(d)
		wg.Go(func() {
			_, errs[i] = h.Handle(context.Background(), s.alice, s.booking(base.Add(time.Duration(i)*time.Hour)))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("booking %d: %v", i, err)
		}
	}
	c, _, _, err := commands.LoadCalendar(context.Background(), s.deps, s.alice.UserID)
	must(t, err)
	if got := len(c.Reservations(base, base.Add(n*time.Hour))); got != n {
		t.Fatalf("calendar holds %d reservations, want %d", got, n)
	}
}
