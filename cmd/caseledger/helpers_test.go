package main_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	main "github.com/caseledger/caseledger/cmd/caseledger"
)

// testConfig returns a valid Config for dsn that listens on a free port, keeps its state in a
// temporary directory and never starts a private cluster.
func testConfig(tb testing.TB, dsn string) main.Config {
	tb.Helper()
	dir := tb.TempDir()
	return main.Config{
		DatabaseURL:         dsn,
		DatabaseURLExplicit: true,
		Listen:              "127.0.0.1:0",
		MasterKey:           "file:" + filepath.Join(dir, "master.keyset"),
		DataDir:             dir,
		PrivateCluster:      false,
		LogLevel:            "warn",
	}
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines to log into.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// mainFor returns a Main for cfg, closed when tb ends.
func mainFor(tb testing.TB, cfg main.Config, out, logs *syncBuffer) *main.Main {
	tb.Helper()
	if err := cfg.Validate(); err != nil {
		tb.Fatalf("config: %v", err)
	}
	m := main.NewMain(cfg, out, logs)
	tb.Cleanup(func() {
		if err := m.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return m
}

// openMain returns a Main for cfg, opened (Open: migrations, pools, event log and keyring; no
// listener, projections not started) and closed when tb ends; it fails tb, with the logs, when
// Open fails.
func openMain(tb testing.TB, cfg main.Config) *main.Main {
	tb.Helper()
	var out, logs syncBuffer
	m := mainFor(tb, cfg, &out, &logs)
	if err := m.Open(context.Background()); err != nil {
		tb.Fatalf("Open: %v\n%s", err, logs.String())
	}
	return m
}

// runMain runs a Main for cfg and closes it when tb ends.
func runMain(tb testing.TB, cfg main.Config) (*main.Main, *syncBuffer) {
	tb.Helper()
	var out, logs syncBuffer
	m := mainFor(tb, cfg, &out, &logs)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := m.Run(ctx); err != nil {
		tb.Fatalf("Run: %v\nlogs:\n%s", err, logs.String())
	}
	return m, &logs
}

// get fetches url over real HTTP and returns the status and body.
func get(tb testing.TB, url string) (int, string) {
	tb.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		tb.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}
