package main_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/caseledger/caseledger/migrations/pgtest"
)

// startServe starts cmd (a serve command) and returns the address it prints and its logs. The
// process is killed when tb ends if it still runs.
func startServe(tb testing.TB, cmd *exec.Cmd) (string, *syncBuffer) {
	tb.Helper()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	logs := &syncBuffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = cmd.Process.Kill() })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if _, a, ok := strings.Cut(sc.Text(), "serving on http://"); ok {
				addr <- a
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case a := <-addr:
		return a, logs
	case <-time.After(90 * time.Second):
		tb.Fatalf("serve did not print its address\nlogs:\n%s", logs.String())
		return "", nil
	}
}

// stopServe sends sig to cmd and requires a clean exit within 30 seconds.
func stopServe(tb testing.TB, cmd *exec.Cmd, sig syscall.Signal, logs *syncBuffer) {
	tb.Helper()
	if err := cmd.Process.Signal(sig); err != nil {
		tb.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			tb.Fatalf("serve exited with %v after %v\nlogs:\n%s", err, sig, logs.String())
		}
	case <-time.After(30 * time.Second):
		tb.Fatalf("serve did not exit after %v", sig)
	}
}

var (
	binaryOnce sync.Once
	binaryDir  string
	binaryPath string
	binaryErr  error
)

// TestMain removes the binary buildBinary built.
func TestMain(m *testing.M) {
	code := m.Run()
	if binaryDir != "" {
		_ = os.RemoveAll(binaryDir)
	}
	os.Exit(code)
}

// buildBinary builds the caseledger binary once per test run and returns its path.
func buildBinary(tb testing.TB) string {
	tb.Helper()
	binaryOnce.Do(func() {
		if binaryDir, binaryErr = os.MkdirTemp("", "caseledger-bin-"); binaryErr != nil {
			return
		}
		binaryPath = filepath.Join(binaryDir, "caseledger")
		if out, err := exec.Command("go", "build", "-o", binaryPath, ".").CombinedOutput(); err != nil {
			binaryErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binaryErr != nil {
		tb.Fatal(binaryErr)
	}
	return binaryPath
}

func TestServeShutsDownGracefullyOnSignal(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	dsn := pgtest.NewEmptyDatabase(t)
	dataDir := t.TempDir() // one development master key for the database, across both runs
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(bin, "serve")
			cmd.Env = append(os.Environ(),
				"CASELEDGER_DATABASE_URL="+dsn,
				"CASELEDGER_LISTEN=127.0.0.1:0",
				"CASELEDGER_DATA_DIR="+dataDir,
				"CASELEDGER_PRIVATE_CLUSTER=off",
			)
			addr, logs := startServe(t, cmd)
			if code, body := get(t, "http://"+addr+"/readyz"); code != http.StatusOK {
				t.Fatalf("GET /readyz = %d %s", code, body)
			}
			stopServe(t, cmd, sig, logs)
			if !strings.Contains(logs.String(), "http server stopped") {
				t.Fatalf("no graceful stop logged:\n%s", logs.String())
			}
		})
	}
}

func TestServeStopsItsPrivateClusterOnSignal(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	dataDir := clusterDataDir(t)
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(),
		"CASELEDGER_DATABASE_URL=private",
		"CASELEDGER_LISTEN=127.0.0.1:0",
		"CASELEDGER_DATA_DIR="+dataDir,
	)
	addr, logs := startServe(t, cmd)
	if code, body := get(t, "http://"+addr+"/readyz"); code != http.StatusOK {
		t.Fatalf("GET /readyz = %d %s", code, body)
	}
	pgDir := filepath.Join(dataDir, "pg")
	port := postmasterPort(t, pgDir)

	stopServe(t, cmd, syscall.SIGTERM, logs)
	if _, err := os.Stat(filepath.Join(pgDir, "postmaster.pid")); !os.IsNotExist(err) {
		t.Fatalf("postmaster.pid still present after SIGTERM (err=%v)\nlogs:\n%s", err, logs.String())
	}
	if c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second); err == nil {
		c.Close()
		t.Fatalf("the private cluster still accepts connections on port %d after SIGTERM", port)
	}
}
