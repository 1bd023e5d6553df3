package main_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/caseledger/caseledger/migrations/pgtest"
)

func TestServeRunsCheckpointsAndRetentionSweeps(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewEmptyDatabase(t)
	cfg := testConfig(t, dsn)
	cfg.CheckpointInterval = time.Second
	cfg.RetentionSweepInterval = time.Second
	cfg.LogLevel = "info"
	m, logs := runMain(t, cfg)
	admin := pgtest.Pool(t, dsn, "")

	var signed int
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && (signed == 0 || !strings.Contains(logs.String(), `"msg":"retention sweep"`)); time.Sleep(200 * time.Millisecond) {
		if err := admin.QueryRow(context.Background(),
			`SELECT count(*) FROM event_log WHERE event_type = 'CheckpointSigned'`).Scan(&signed); err != nil {
			t.Fatal(err)
		}
	}
	if signed == 0 {
		t.Fatalf("no checkpoint signed within 30s\nlogs:\n%s", logs)
	}
	if !strings.Contains(logs.String(), `"msg":"retention sweep"`) {
		t.Fatalf("no retention sweep within 30s\nlogs:\n%s", logs)
	}
	if err := m.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	var after int
	if err := admin.QueryRow(context.Background(),
		`SELECT count(*) FROM event_log WHERE event_type = 'CheckpointSigned'`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	var later int
	if err := admin.QueryRow(context.Background(),
		`SELECT count(*) FROM event_log WHERE event_type = 'CheckpointSigned'`).Scan(&later); err != nil {
		t.Fatal(err)
	}
	if later != after {
		t.Fatalf("checkpoints still signed after Close: %d then %d", after, later)
	}
}
