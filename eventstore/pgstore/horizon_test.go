package pgstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/eventstoretest"
	"github.com/caseledger/caseledger/eventstore/pgstore"
	"github.com/caseledger/caseledger/migrations"
	"github.com/caseledger/caseledger/migrations/pgtest"
)

// TestLateCommitIsNeverSkipped reproduces the hazard of identity positions: a transaction that
// started earlier commits after a later one. A reader must not see the later event before the
// earlier one is visible, or it would pass it and never see it.
func TestLateCommitIsNeverSkipped(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// insertFirst makes the slow transaction insert its row (and so take the lower identity
		// position) before the fast append; otherwise it only holds a transaction id.
		insertFirst bool
	}{
		{"slow transaction inserts first", true},
		{"slow transaction inserts last", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, dsn := newStore(t)
			ctx := testCtx(t)
			slowConn := pgtest.Pool(t, dsn, migrations.RoleApp)
			slow, err := slowConn.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer slow.Rollback(context.Background())
			if _, err := slow.Exec(ctx, `SELECT pg_current_xact_id()`); err != nil { // takes its xid now
				t.Fatal(err)
			}
			late := eventstoretest.Event(t, "Late")
			lateStream := eventstoretest.Stream("late")
			appendIn := func(tx pgx.Tx) {
				sql, args := pgstore.AppendStatement(lateStream, eventstore.NoStream(), time.Now(), []eventstore.EventData{late})
				var status int32
				var v, txo, pos *int64
				if err := tx.QueryRow(ctx, sql, args...).Scan(&status, &v, &txo, &pos); err != nil || status != 0 {
					t.Fatalf("slow append: status %d, %v", status, err)
				}
			}
			if tc.insertFirst {
				appendIn(slow)
			}
			early := eventstoretest.Event(t, "Early")
			if _, err := s.Append(ctx, eventstoretest.Stream("early"), eventstore.NoStream(), early); err != nil {
				t.Fatal(err)
			}
			if !tc.insertFirst {
				appendIn(slow)
			}
			// The fast event is committed, but must stay invisible while the older transaction runs.
			got, err := s.ReadAll(ctx, eventstore.Start, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 0 {
				t.Fatalf("ReadAll returned %d events while an older transaction was still running", len(got))
			}
			tailed := make(chan []eventstore.RecordedEvent, 10)
			tctx, cancel := context.WithCancel(ctx)
			defer cancel()
			go s.Tail(tctx, eventstore.Start, func(b []eventstore.RecordedEvent) error { tailed <- b; return nil })
			select {
			case b := <-tailed:
				t.Fatalf("Tail delivered %d events while an older transaction was still running", len(b))
			case <-time.After(300 * time.Millisecond):
			}
			if err := slow.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			var seen []eventstore.RecordedEvent
			deadline := time.After(10 * time.Second)
			for len(seen) < 2 {
				select {
				case b := <-tailed:
					seen = append(seen, b...)
				case <-deadline:
					t.Fatalf("tail saw %d of 2 events after the commit", len(seen))
				}
			}
			if len(seen) != 2 || seen[0].ID != late.ID || seen[1].ID != early.ID {
				t.Fatalf("tail order %v, want the earlier transaction's event first", []string{seen[0].Type, seen[1].Type})
			}
		})
	}
}

// TestOtherDatabaseDoesNotHoldTheHorizon holds a transaction open in another database of the
// same server: it cannot write this log, so ReadAll must not wait for it.
func TestOtherDatabaseDoesNotHoldTheHorizon(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := testCtx(t)
	other := pgtest.Pool(t, pgtest.NewDatabase(t), "")
	tx, err := other.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(ctx, `SELECT pg_current_xact_id()`); err != nil {
		t.Fatal(err)
	}
	e := eventstoretest.Event(t, "Visible")
	if _, err := s.Append(ctx, eventstoretest.Stream("here"), eventstore.NoStream(), e); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, err := s.ReadAll(ctx, eventstore.Start, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 1 && got[0].ID == e.ID {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("ReadAll shows %d events while a transaction runs in another database, want the one appended", len(got))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestHiddenProbesTheEndOfTheLog checks the question Tail asks after every empty read (is any
// committed event after this position?): right at both ends, and answered from the end of the
// primary key, not by scanning the log. As EXISTS over a row comparison the planner chose a
// sequential scan, which read the whole log whenever nothing followed.
func TestHiddenProbesTheEndOfTheLog(t *testing.T) {
	t.Parallel()
	s, dsn := newStore(t)
	ctx := testCtx(t)
	for range 50 {
		if _, err := s.Append(ctx, eventstoretest.Stream("probe"), eventstore.NoStream(), eventstoretest.Events(t, "Probe", 100)...); err != nil {
			t.Fatal(err)
		}
	}
	admin := adminPool(t, dsn)
	if _, err := admin.Exec(ctx, `ANALYZE event_log`); err != nil {
		t.Fatal(err)
	}
	all, err := s.ReadAll(ctx, eventstore.Start, 10000)
	if err != nil || len(all) != 5000 {
		t.Fatalf("read %d events: %v", len(all), err)
	}
	for _, tc := range []struct {
		from eventstore.Position
		want bool
	}{
		{eventstore.Start, true},
		{all[4998].Position, true},
		{all[4999].Position, false},
	} {
		got, err := s.Hidden(ctx, tc.from)
		if err != nil || got != tc.want {
			t.Errorf("hidden after %s: %v, %v; want %v", tc.from, got, err, tc.want)
		}
	}
	tx, pos := all[4999].Position.Parts()
	rows, err := admin.Query(ctx, `EXPLAIN (ANALYZE, COSTS OFF) `+pgstore.HiddenSQL, int64(tx), int64(pos))
	if err != nil {
		t.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(lines, "\n")
	if strings.Contains(text, "Seq Scan") || !strings.Contains(text, "Backward using event_log_pkey") {
		t.Errorf("the probe does not read one entry at the end of the primary key:\n%s", text)
	}
}
