package main_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	main "github.com/caseledger/caseledger/cmd/caseledger"
	"github.com/caseledger/caseledger/migrations/pgtest"
)

func TestKeysRotateMaster(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewEmptyDatabase(t)
	dir := t.TempDir()
	oldKey := "file:" + filepath.Join(dir, "old.keyset")
	newKey := "file:" + filepath.Join(dir, "new.keyset")
	base := map[string]string{"CASELEDGER_DATABASE_URL": dsn, "CASELEDGER_DATA_DIR": dir}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}

	if code, _, stderr := dispatch(t, with("CASELEDGER_MASTER_KEY", oldKey), "demo"); code != 0 {
		t.Fatalf("demo: exit %d\n%s", code, stderr)
	}

	t.Run("the new master alone is refused before the rotation", func(t *testing.T) {
		code, _, stderr := dispatch(t, with("CASELEDGER_MASTER_KEY", newKey), "demo")
		if code != 1 || !strings.Contains(stderr, "does not match this database") {
			t.Fatalf("exit %d, want 1 naming the wrong master\n%s", code, stderr)
		}
	})
	t.Run("usage errors", func(t *testing.T) {
		for _, args := range [][]string{{"keys"}, {"keys", "shred-everything"}, {"keys", "rotate-master", "extra"}} {
			if code, _, stderr := dispatch(t, with("CASELEDGER_MASTER_KEY", oldKey), args...); code != 2 {
				t.Errorf("%q: exit %d, want 2\n%s", args, code, stderr)
			}
		}
	})
	t.Run("rotation re-wraps every keyset", func(t *testing.T) {
		code, stdout, stderr := dispatch(t, with("CASELEDGER_MASTER_KEY", newKey, "CASELEDGER_PREVIOUS_MASTER_KEYS", oldKey),
			"keys", "rotate-master")
		if code != 0 || !strings.Contains(stdout, "re-wrapped") {
			t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
		}
		if strings.Contains(stdout, "re-wrapped 0 keysets") {
			t.Fatalf("nothing was re-wrapped: %s", stdout)
		}
		code, stdout, _ = dispatch(t, with("CASELEDGER_MASTER_KEY", newKey, "CASELEDGER_PREVIOUS_MASTER_KEYS", oldKey),
			"keys", "rotate-master")
		if code != 0 || !strings.Contains(stdout, "re-wrapped 0 keysets") {
			t.Fatalf("a second rotation should find nothing left: exit %d %s", code, stdout)
		}
	})
	t.Run("the new master alone opens every sealed event afterwards", func(t *testing.T) {
		cfg := testConfig(t, dsn)
		cfg.MasterKey = newKey
		var out, logs syncBuffer
		m := mainFor(t, cfg, &out, &logs)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := m.Open(ctx); err != nil {
			t.Fatalf("Open with the new master only: %v", err)
		}
		opened := openAllSealed(t, m)
		if opened == 0 {
			t.Fatal("the demo sealed no events")
		}
	})
}

// openAllSealed opens every sealed payload in the log with m's keyring and returns how many. It
// reads stream by stream: ReadAll only shows events older than the oldest transaction running on
// the server, which other tests' transactions may hold back.
func openAllSealed(tb testing.TB, m *main.Main) int {
	tb.Helper()
	ctx := context.Background()
	heads, err := m.Store.StreamHeads(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	var n int
	for _, h := range heads {
		evs, err := m.Store.ReadStream(ctx, h.Stream, 0, int(h.Version)+1)
		if err != nil {
			tb.Fatal(err)
		}
		for _, e := range evs {
			if e.Subject != uuid.Nil {
				if _, err := m.Keys.Open(ctx, e); err != nil {
					tb.Fatalf("open %s@%d: %v", e.StreamID, e.Version, err)
				}
				n++
			}
		}
	}
	return n
}
