package main_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	main "github.com/caseledger/caseledger/cmd/caseledger"
)

// clusterDataDir returns a fresh data directory whose parent the postgres user can reach when the
// test runs as root (t.TempDir is private to the test's user).
func clusterDataDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.MkdirTemp("", "caseledger-cluster-")
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	// The data directory itself is private, as the keyring leaves it when it creates the master
	// keyset first: the cluster must still start.
	if err := os.Mkdir(filepath.Join(dir, "data"), 0o700); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = os.RemoveAll(dir) })
	return filepath.Join(dir, "data")
}

func TestPrivateClusterStartsWhenDefaultIsUnreachable(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t, "postgres://postgres@127.0.0.1:1/caseledger?sslmode=disable")
	cfg.DatabaseURLExplicit = false // the implicit default: falling back is allowed
	cfg.PrivateCluster = true
	cfg.DataDir = clusterDataDir(t)
	cfg.MasterKey = "file:" + filepath.Join(cfg.DataDir, "master.keyset")
	cfg.LogLevel = "info"

	m, logs := runMain(t, cfg)

	pgDir := filepath.Join(cfg.DataDir, "pg")
	t.Run("cluster initialised under the data dir", func(t *testing.T) {
		if _, err := os.Stat(filepath.Join(pgDir, "PG_VERSION")); err != nil {
			t.Fatalf("no cluster under %s: %v", pgDir, err)
		}
		fi, err := os.Stat(filepath.Join(cfg.DataDir, "pg.password"))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Fatalf("pg.password mode %v, want 0600", fi.Mode().Perm())
		}
	})
	t.Run("UTF-8 database", func(t *testing.T) {
		var enc string
		if err := m.Admin.QueryRow(context.Background(), `SHOW server_encoding`).Scan(&enc); err != nil {
			t.Fatal(err)
		}
		if enc != "UTF8" {
			t.Fatalf("server_encoding %s, want UTF8", enc)
		}
	})
	t.Run("migrations applied and ready", func(t *testing.T) {
		code, body := get(t, "http://"+m.Addr()+"/readyz")
		if code != http.StatusOK {
			t.Fatalf("GET /readyz = %d %s\nlogs:\n%s", code, body, logs)
		}
	})
	port := postmasterPort(t, pgDir)
	t.Run("listens on loopback only, with a password", func(t *testing.T) {
		if !strings.Contains(logs.String(), "private PostgreSQL cluster started") {
			t.Fatalf("no start logged:\n%s", logs)
		}
		conf, err := os.ReadFile(filepath.Join(pgDir, "pg_hba.conf"))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(conf), "\n") {
			if strings.HasPrefix(line, "host") && strings.Contains(line, "trust") {
				t.Fatalf("pg_hba.conf trusts connections: %q", line)
			}
		}
	})
	t.Run("a second process adopts the running cluster and leaves it running", func(t *testing.T) {
		m2, _ := runMain(t, cfg)
		if code, body := get(t, "http://"+m2.Addr()+"/readyz"); code != http.StatusOK {
			t.Fatalf("GET /readyz = %d %s", code, body)
		}
		if err := m2.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if code, body := get(t, "http://"+m.Addr()+"/readyz"); code != http.StatusOK {
			t.Fatalf("first server not ready after the adopter closed: %d %s", code, body)
		}
	})
	t.Run("close stops the cluster", func(t *testing.T) {
		if err := m.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if _, err := os.Stat(filepath.Join(pgDir, "postmaster.pid")); !os.IsNotExist(err) {
			t.Fatalf("postmaster.pid still present after Close (err=%v)", err)
		}
		if c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second); err == nil {
			c.Close()
			t.Fatalf("port %d still accepts connections after Close", port)
		}
	})
	t.Run("a later start restarts the initialised cluster", func(t *testing.T) {
		m2, _ := runMain(t, cfg)
		if code, body := get(t, "http://"+m2.Addr()+"/readyz"); code != http.StatusOK {
			t.Fatalf("GET /readyz = %d %s", code, body)
		}
		if err := m2.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	})
}

// postmasterPort reads the running server's port from line 4 of postmaster.pid.
func postmasterPort(tb testing.TB, pgDir string) int {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(pgDir, "postmaster.pid"))
	if err != nil {
		tb.Fatalf("cluster not running: %v", err)
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) < 4 {
		tb.Fatalf("short postmaster.pid: %q", b)
	}
	port, err := strconv.Atoi(strings.TrimSpace(lines[3]))
	if err != nil {
		tb.Fatalf("postmaster.pid port: %v", err)
	}
	return port
}

func TestFindPostgresBinaries(t *testing.T) {
	t.Parallel()
	t.Run("none installed says what to install", func(t *testing.T) {
		t.Parallel()
		empty := t.TempDir()
		_, err := main.FindPostgresBinariesIn([]string{empty, filepath.Join(empty, "missing")})
		if !errors.Is(err, main.ErrNoPostgreSQL) {
			t.Fatalf("err = %v, want ErrNoPostgreSQL", err)
		}
		for _, want := range []string{"apt-get install postgresql", "brew install postgresql@15", "CASELEDGER_DATABASE_URL"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("message %q lacks %q", err, want)
			}
		}
	})
	t.Run("the installed server is found", func(t *testing.T) {
		t.Parallel()
		dir, err := main.FindPostgresBinariesIn(main.PostgresCandidates())
		if err != nil {
			t.Fatalf("no PostgreSQL found on this machine, which the tests need: %v", err)
		}
		for _, prog := range []string{"initdb", "pg_ctl", "postgres"} {
			if _, err := os.Stat(filepath.Join(dir, prog)); err != nil {
				t.Errorf("%s: %v", prog, err)
			}
		}
	})
}
