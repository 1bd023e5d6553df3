package commands_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/eventstore/pgstore"
	"github.com/caseledger/caseledger/keyring"
	"github.com/caseledger/caseledger/migrations"
	"github.com/caseledger/caseledger/migrations/pgtest"
)

// newPostgresSchedClinic is newSchedClinic on a fresh PostgreSQL database: the PostgreSQL event
// store and the PostgreSQL keyring, acting as the application role.
func newPostgresSchedClinic(tb testing.TB) *schedClinic {
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
	return setUpSchedClinic(tb, setUpClinic(tb, commands.Deps{Log: store, Sealer: keys, Clock: clock}, clock, nil, keys))
}

// TestPostgresConcurrentBookingsOneWinner races 24 goroutines for overlapping slots of one
// therapist's calendar on PostgreSQL: exactly one booking is appended.
func TestPostgresConcurrentBookingsOneWinner(t *testing.T) {
	t.Parallel()
	assertOneWinner(t, newPostgresSchedClinic(t), 24)
}

// TestPostgresConcurrentDisjointBookingsAllSucceed races 8 goroutines booking 8 different slots
// of one calendar: every loser of an append race decides again and succeeds, because its slot
// no longer overlaps anything.
func TestPostgresConcurrentDisjointBookingsAllSucceed(t *testing.T) {
	t.Parallel()
	s := newPostgresSchedClinic(t)
	h := commands.NewBookAppointmentHandler(s.deps)
	base := s.at(t, "2026-03-05", 9, 0)
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
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
