package pgstore_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/eventstoretest"
	"github.com/caseledger/caseledger/migrations"
	"github.com/caseledger/caseledger/migrations/pgtest"
)

// pgBin holds the PostgreSQL 15 server binaries (initdb, pg_ctl) used to start a private cluster.
const pgBin = "/usr/lib/postgresql/15/bin"

// TestRestoreKeepsOrderAndChains dumps a log with pg_dump and restores it with pg_restore into a
// fresh database on the same server and into a brand-new cluster, whose transaction ids restart
// below the stored ones (the watermill-sql #576 hazard). In both, Verify passes, the global order
// is unchanged, and a reader resuming from its checkpoint sees exactly the events appended after
// the restore: none skipped, none repeated.
func TestRestoreKeepsOrderAndChains(t *testing.T) {
	t.Parallel()
	src, srcDSN := newStore(t)
	ctx := testCtx(t)
	// Make the source's transaction ids clearly higher than a new cluster's, so the hazard is real.
	burnXIDs(t, srcDSN, 5000)
	streams := seed(t, src)
	before := readAllWait(t, src, 12)
	heads, err := src.StreamHeads(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dump := filepath.Join(t.TempDir(), "caseledger.dump")
	run(t, "pg_dump", "--format=custom", "--file="+dump, srcDSN)

	tests := []struct {
		name       string
		newCluster bool
	}{
		{"same server, fresh database", false},
		{"new cluster", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var dst string
			if tc.newCluster {
				admin := startCluster(t)
				copyRoles(t, srcDSN, admin)
				dst = createDatabase(t, admin, "restored")
			} else {
				dst = pgtest.NewEmptyDatabase(t)
			}
			run(t, "pg_restore", "--exit-on-error", "--dbname="+dst, dump)

			admin := adminPool(t, dst)
			var stale bool
			if err := admin.QueryRow(ctx, `SELECT max(tx_order) >= pg_snapshot_xmax(pg_current_snapshot())::text::bigint + (SELECT xid_offset FROM event_log_xid) FROM event_log`).Scan(&stale); err != nil {
				t.Fatal(err)
			}
			if stale != tc.newCluster {
				t.Fatalf("before realignment, stored order ahead of new transaction ids = %v, want %v (the test would prove nothing)", stale, tc.newCluster)
			}

			s := openStore(t, dst, migrations.RoleApp) // realigns
			rep, err := s.Verify(ctx)
			if err != nil || !rep.OK || rep.Events != 12 || rep.Streams != 3 {
				t.Fatalf("verify after restore: %+v, %v", rep, err)
			}
			gotHeads, err := s.StreamHeads(ctx)
			if err != nil || fmt.Sprint(gotHeads) != fmt.Sprint(heads) {
				t.Fatalf("heads after restore %v (%v), before %v", gotHeads, err, heads)
			}
			restored := readAllWait(t, s, 12)
			for i := range before {
				if restored[i].ID != before[i].ID || restored[i].Position != before[i].Position {
					t.Fatalf("event %d is %s@%s after restore, was %s@%s", i, restored[i].ID, restored[i].Position, before[i].ID, before[i].Position)
				}
			}

			// A projector resumes from its checkpoint, the last position it saw before the backup.
			checkpoint := before[len(before)-1].Position
			tailed := make(chan []eventstore.RecordedEvent, 100)
			tctx, cancel := context.WithCancel(ctx)
			defer cancel()
			go s.Tail(tctx, checkpoint, func(b []eventstore.RecordedEvent) error { tailed <- b; return nil })

			var want []eventstore.EventData
			for i, st := range streams {
				evs := eventstoretest.Events(t, "AfterRestore", 1+i)
				if _, err := s.Append(ctx, st, eventstore.Exact(3), evs...); err != nil {
					t.Fatalf("append to restored stream %s: %v", st, err)
				}
				want = append(want, evs...)
			}
			fresh := eventstoretest.Event(t, "AfterRestore")
			if _, err := s.Append(ctx, eventstoretest.Stream("fresh"), eventstore.NoStream(), fresh); err != nil {
				t.Fatal(err)
			}
			want = append(want, fresh)

			var seen []eventstore.RecordedEvent
			deadline := time.After(15 * time.Second)
			for len(seen) < len(want) {
				select {
				case b := <-tailed:
					seen = append(seen, b...)
				case <-deadline:
					t.Fatalf("tail from the checkpoint saw %d of %d new events", len(seen), len(want))
				}
			}
			select {
			case b := <-tailed:
				seen = append(seen, b...)
			case <-time.After(200 * time.Millisecond):
			}
			if len(seen) != len(want) {
				t.Fatalf("tail from the checkpoint saw %d events, want exactly the %d new ones", len(seen), len(want))
			}
			for i, r := range seen {
				if r.ID != want[i].ID || !checkpoint.Less(r.Position) {
					t.Fatalf("tail event %d: %s at %s, want %s after %s", i, r.ID, r.Position, want[i].ID, checkpoint)
				}
			}
			all := readAllWait(t, s, 12+len(want))
			for i := 1; i < len(all); i++ {
				if !all[i-1].Position.Less(all[i].Position) {
					t.Fatalf("global order broken at %d: %s then %s", i, all[i-1].Position, all[i].Position)
				}
			}
			if rep, err := s.Verify(ctx); err != nil || !rep.OK || rep.Events != int64(len(all)) {
				t.Fatalf("verify after appending to the restored log: %+v, %v", rep, err)
			}
		})
	}
}

// readAllWait reads the whole log once at least want events are visible.
func readAllWait(tb testing.TB, s eventstore.Store, want int) []eventstore.RecordedEvent {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		all, err := s.ReadAll(testCtx(tb), eventstore.Start, 100000)
		if err != nil {
			tb.Fatal(err)
		}
		if len(all) >= want {
			return all
		}
		if time.Now().After(deadline) {
			tb.Fatalf("ReadAll shows %d events, want %d", len(all), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// burnXIDs consumes transaction ids on dsn's server until the next one is at least floor, using
// subtransactions so that it costs one commit.
func burnXIDs(tb testing.TB, dsn string, floor int64) {
	tb.Helper()
	pool := adminPool(tb, dsn)
	_, err := pool.Exec(testCtx(tb), fmt.Sprintf(`DO $$
DECLARE n bigint := %d - pg_current_xact_id()::text::bigint;
BEGIN
  CREATE TEMP TABLE burn (x bigint);
  FOR i IN 1 .. n LOOP
    BEGIN
      INSERT INTO burn VALUES (i);
    EXCEPTION WHEN others THEN NULL;
    END;
  END LOOP;
END $$`, floor))
	if err != nil {
		tb.Fatalf("burn transaction ids: %v", err)
	}
}

// run runs a PostgreSQL client program and fails tb with its output if it fails.
func run(tb testing.TB, name string, args ...string) {
	tb.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		tb.Fatalf("%s: %v\n%s", name, err, out)
	}
}

// startCluster initialises and starts a private PostgreSQL 15 cluster on a free loopback port, as
// the postgres user when running as root (initdb refuses root), and stops and removes it when tb
// ends. It returns the URL of its maintenance database.
func startCluster(tb testing.TB) string {
	tb.Helper()
	dir, err := os.MkdirTemp("", "caseledger-cluster-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	asPostgres := func(name string, args ...string) *exec.Cmd {
		bin := filepath.Join(pgBin, name)
		if os.Geteuid() == 0 {
			return exec.Command("runuser", append([]string{"-u", "postgres", "--", bin}, args...)...)
		}
		return exec.Command(bin, args...)
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			tb.Fatalf("no postgres user to run initdb as: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			tb.Fatal(err)
		}
	}
	data := filepath.Join(dir, "data")
	if out, err := asPostgres("initdb", "--pgdata="+data, "--username=postgres", "--auth=trust", "--encoding=UTF8", "--no-sync").CombinedOutput(); err != nil {
		tb.Fatalf("initdb: %v\n%s", err, out)
	}
	port := freePort(tb)
	opts := fmt.Sprintf("-c port=%d -c listen_addresses=127.0.0.1 -c unix_socket_directories=%s -c fsync=off -c max_connections=30", port, dir)
	if out, err := asPostgres("pg_ctl", "--pgdata="+data, "--log="+filepath.Join(dir, "server.log"), "--options="+opts, "--wait", "--timeout=60", "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
		tb.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	tb.Cleanup(func() {
		if out, err := asPostgres("pg_ctl", "--pgdata="+data, "--mode=immediate", "--wait", "stop").CombinedOutput(); err != nil {
			tb.Errorf("pg_ctl stop: %v\n%s", err, out)
		}
	})
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
}

func freePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// copyRoles copies every role of the source server into a new cluster, as an operator does before
// restoring a dump (roles are per cluster and not in a database dump). psql carries on past the
// roles that already exist, such as postgres.
func copyRoles(tb testing.TB, fromURL, toURL string) {
	tb.Helper()
	roles := filepath.Join(tb.TempDir(), "roles.sql")
	run(tb, "pg_dumpall", "--roles-only", "--file="+roles, "--dbname="+fromURL)
	run(tb, "psql", "--quiet", "--file="+roles, toURL)
}

// createDatabase creates an empty database on adminURL's server and returns its URL.
func createDatabase(tb testing.TB, adminURL, name string) string {
	tb.Helper()
	conn, err := pgx.Connect(testCtx(tb), adminURL)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(testCtx(tb), "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		tb.Fatal(err)
	}
	return pgtest.WithDatabase(adminURL, name)
}
