package pgstore_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/eventstoretest"
	"github.com/caseledger/caseledger/eventstore/pgstore"
	"github.com/caseledger/caseledger/migrations"
	"github.com/caseledger/caseledger/migrations/pgtest"
)

// seed appends three streams of four events each (the second stream in one batch) and returns
// their ids in order.
func seed(tb testing.TB, s eventstore.Store) []eventstore.StreamID {
	tb.Helper()
	ctx := testCtx(tb)
	streams := []eventstore.StreamID{eventstoretest.Stream("client"), eventstoretest.Stream("note"), eventstoretest.Stream("calendar")}
	for i, st := range streams {
		if i == 1 {
			if _, err := s.Append(ctx, st, eventstore.NoStream(), eventstoretest.Events(tb, "Batched", 4)...); err != nil {
				tb.Fatal(err)
			}
			continue
		}
		for v := 0; v < 4; v++ {
			if _, err := s.Append(ctx, st, eventstore.Any(), eventstoretest.Event(tb, "Single")); err != nil {
				tb.Fatal(err)
			}
		}
	}
	return streams
}

func TestVerifyAndStreamHeads(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := testCtx(t)
	empty, err := s.Verify(ctx)
	if err != nil || !empty.OK || empty.Events != 0 {
		t.Fatalf("empty log: %+v, %v", empty, err)
	}
	seed(t, s)
	rep, err := s.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK || rep.Streams != 3 || rep.Events != 12 || rep.FirstBreak != nil || rep.BrokenStreams != 0 {
		t.Fatalf("report %+v, want OK over 3 streams and 12 events", rep)
	}
	heads, err := s.StreamHeads(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(heads) != 3 {
		t.Fatalf("%d heads, want 3", len(heads))
	}
	for _, h := range heads {
		last, err := s.ReadStream(ctx, h.Stream, 3, 1)
		if err != nil || len(last) != 1 {
			t.Fatalf("read head of %s: %v", h.Stream, err)
		}
		if h.Version != 3 || h.Hash != last[0].Hash || h.EventID != last[0].ID {
			t.Fatalf("head %+v does not match the last event %s@%d", h, last[0].ID, last[0].Version)
		}
	}
	for i := 1; i < len(heads); i++ {
		if heads[i-1].Stream >= heads[i].Stream {
			t.Fatalf("heads not in stream id order")
		}
	}
}

func TestVerifyFindsTampering(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// sql runs as the superuser with the append-only trigger disabled; $1 is the stream.
		sql         string
		wantVersion uint64
		wantReason  string
	}{
		{"payload altered", `UPDATE event_log SET payload = '{"n":"forged"}' WHERE stream_id = $1 AND version = 1`, 1, "altered"},
		{"occurred at moved by a microsecond", `UPDATE event_log SET occurred_at = occurred_at + interval '1 microsecond' WHERE stream_id = $1 AND version = 2`, 2, "altered"},
		{"actor role changed", `UPDATE event_log SET actor_role = 'admin' WHERE stream_id = $1 AND version = 0`, 0, "altered"},
		{"key id changed", `UPDATE event_log SET key_id = key_id + 1 WHERE stream_id = $1 AND version = 3`, 3, "altered"},
		{"middle event deleted", `DELETE FROM event_log WHERE stream_id = $1 AND version = 1`, 2, "gap"},
		{"first event deleted", `DELETE FROM event_log WHERE stream_id = $1 AND version = 0`, 1, "start at version 0"},
		{"event rewritten with a recomputed hash", `UPDATE event_log SET payload = '{}', hash = sha256(hash) WHERE stream_id = $1 AND version = 1`, 1, "altered"},
		{"hash of the predecessor rewritten", `UPDATE event_log SET hash = sha256(hash) WHERE stream_id = $1 AND version = 2`, 2, "altered"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, dsn := newStore(t)
			ctx := testCtx(t)
			streams := seed(t, s)
			target := streams[1]
			want, err := s.ReadStream(ctx, target, tc.wantVersion, 1)
			if err != nil {
				t.Fatal(err)
			}
			admin := adminPool(t, dsn)
			if _, err := admin.Exec(ctx, `ALTER TABLE event_log DISABLE TRIGGER event_log_no_update_delete`); err != nil {
				t.Fatal(err)
			}
			tag, err := admin.Exec(ctx, tc.sql, string(target))
			if err != nil || tag.RowsAffected() != 1 {
				t.Fatalf("tamper: %v (%d rows)", err, tag.RowsAffected())
			}
			if _, err := admin.Exec(ctx, `ALTER TABLE event_log ENABLE TRIGGER event_log_no_update_delete`); err != nil {
				t.Fatal(err)
			}
			rep, err := pgstore.Verify(ctx, pgtest.Pool(t, dsn, migrations.RoleApp))
			if err != nil {
				t.Fatal(err)
			}
			b := rep.FirstBreak
			if rep.OK || b == nil || rep.BrokenStreams != 1 {
				t.Fatalf("tampering went unnoticed: %+v", rep)
			}
			if b.Stream != target || b.Version != tc.wantVersion || b.EventID != want[0].ID || !strings.Contains(b.Reason, tc.wantReason) {
				t.Fatalf("first break %+v, want %s@%d (%s) for %q", b, target, tc.wantVersion, want[0].ID, tc.wantReason)
			}
			if rep.Streams != 3 {
				t.Fatalf("verify stopped early: %+v", rep)
			}
		})
	}
}

func TestLogIsAppendOnly(t *testing.T) {
	t.Parallel()
	s, dsn := newStore(t)
	seed(t, s)
	statements := []string{
		`UPDATE event_log SET payload = '{}'`,
		`DELETE FROM event_log`,
		`TRUNCATE event_log`,
		`UPDATE event_log_xid SET xid_offset = 0`,
	}
	tests := []struct {
		role  string
		codes []string // acceptable SQLSTATEs for every statement
	}{
		{migrations.RoleApp, []string{"42501"}},    // no such grant
		{migrations.RoleOwner, []string{"CL001"}},  // the owner holds the grants; the trigger refuses
		{migrations.RoleReader, []string{"42501"}}, // no grant at all
	}
	for _, tc := range tests {
		t.Run(tc.role, func(t *testing.T) {
			ctx := testCtx(t)
			pool := pgtest.Pool(t, dsn, tc.role)
			for _, sql := range statements {
				if tc.role == migrations.RoleOwner && strings.Contains(sql, "event_log_xid") {
					continue // the owner may repair the offset by hand
				}
				_, err := pool.Exec(ctx, sql)
				var pgErr *pgconn.PgError
				if !errors.As(err, &pgErr) || !contains(tc.codes, pgErr.Code) {
					t.Errorf("%s as %s: err = %v, want SQLSTATE %v", sql, tc.role, err, tc.codes)
				}
			}
		})
	}
	t.Run("reader cannot read or write the log", func(t *testing.T) {
		ctx := testCtx(t)
		pool := pgtest.Pool(t, dsn, migrations.RoleReader)
		for _, sql := range []string{`SELECT count(*) FROM event_log`, `SELECT event_log_realign()`, `SELECT xid_offset FROM event_log_xid`} {
			_, err := pool.Exec(ctx, sql)
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
				t.Errorf("%s as reader: err = %v, want permission denied", sql, err)
			}
		}
		if _, err := pgstore.New(ctx, pool, pgstore.Config{}); err == nil {
			t.Errorf("a store opened as the reader role")
		}
	})
	rep, err := s.Verify(testCtx(t))
	if err != nil || !rep.OK || rep.Events != 12 {
		t.Fatalf("after the refused changes: %+v, %v", rep, err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
