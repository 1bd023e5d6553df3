package pgstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/eventstoretest"
	"github.com/caseledger/caseledger/eventstore/pgstore"
	"github.com/caseledger/caseledger/migrations"
	"github.com/caseledger/caseledger/migrations/pgtest"
)

// TestTailWakesOnNotifyFromAnotherProcess tails through one store and appends through another
// (another pool, as another process would), with a safety poll far longer than the test: only
// LISTEN/NOTIFY can wake the tail in time.
func TestTailWakesOnNotifyFromAnotherProcess(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t)
	ctx := testCtx(t)
	open := func() *pgstore.Store {
		s, err := pgstore.New(ctx, pgtest.Pool(t, dsn, migrations.RoleApp), pgstore.Config{PollInterval: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	reader, writer := open(), open()
	got := make(chan []eventstore.RecordedEvent, 10)
	tctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go reader.Tail(tctx, eventstore.Start, func(b []eventstore.RecordedEvent) error { got <- b; return nil })
	for round := 0; round < 3; round++ {
		time.Sleep(300 * time.Millisecond) // let the tail reach its wait
		e := eventstoretest.Event(t, "Notified")
		if _, err := writer.Append(ctx, eventstoretest.Stream("notified"), eventstore.NoStream(), e); err != nil {
			t.Fatal(err)
		}
		select {
		case b := <-got:
			if len(b) != 1 || b[0].ID != e.ID {
				t.Fatalf("round %d: tail delivered %d events, want the one appended", round, len(b))
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("round %d: no notification reached the tail of the other store", round)
		}
	}
}
