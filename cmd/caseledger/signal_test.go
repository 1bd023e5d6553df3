package main_test

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/caseledger/caseledger/migrations/pgtest"
)

// buildBinary builds the caseledger binary into a temporary directory.
func buildBinary(tb testing.TB) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "caseledger")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
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
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var logs syncBuffer
			cmd.Stderr = &logs
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()

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
				if code, body := get(t, "http://"+a+"/readyz"); code != http.StatusOK {
					t.Fatalf("GET /readyz = %d %s", code, body)
				}
			case <-time.After(60 * time.Second):
				t.Fatalf("serve did not print its address\nlogs:\n%s", logs.String())
			}

			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("serve exited with %v after %v\nlogs:\n%s", err, sig, logs.String())
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("serve did not exit after %v", sig)
			}
			if !strings.Contains(logs.String(), "http server stopped") {
				t.Fatalf("no graceful stop logged:\n%s", logs.String())
			}
		})
	}
}
