package main_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	main "github.com/caseledger/caseledger/cmd/caseledger"
	"github.com/caseledger/caseledger/migrations/pgtest"
)

func TestMainServesHealthAndReadiness(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewEmptyDatabase(t)
	m, logs := runMain(t, testConfig(t, dsn))

	base := "http://" + m.Addr()
	for _, tc := range []struct{ path, want string }{
		{"/healthz", `"ok"`},
		{"/readyz", `"ready"`},
		{"/", `<script type="module"`},
		{"/api/v1/openapi.json", `"openapi"`},
	} {
		t.Run(tc.path, func(t *testing.T) {
			code, body := get(t, base+tc.path)
			if code != http.StatusOK || !strings.Contains(body, tc.want) {
				t.Fatalf("GET %s = %d %s, want 200 %s", tc.path, code, body, tc.want)
			}
		})
	}

	t.Run("readyz fails while a migration is not recorded", func(t *testing.T) {
		admin := pgtest.Pool(t, dsn, "")
		ctx := context.Background()
		var name string
		if err := admin.QueryRow(ctx, `DELETE FROM schema_migrations WHERE name = (SELECT max(name) FROM schema_migrations) RETURNING name`).Scan(&name); err != nil {
			t.Fatal(err)
		}
		code, body := get(t, base+"/readyz")
		if code != http.StatusServiceUnavailable || !strings.Contains(body, "migrations pending") {
			t.Fatalf("GET /readyz = %d %s, want 503 migrations pending", code, body)
		}
		if _, err := admin.Exec(ctx, `INSERT INTO schema_migrations (name) VALUES ($1)`, name); err != nil {
			t.Fatal(err)
		}
		if code, _ := get(t, base+"/readyz"); code != http.StatusOK {
			t.Fatalf("GET /readyz after restoring = %d, want 200", code)
		}
	})

	t.Run("close stops the server", func(t *testing.T) {
		if err := m.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		client := &http.Client{Timeout: 2 * time.Second}
		if resp, err := client.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			t.Fatal("server still answers after Close")
		}
		if err := m.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
	})

	if strings.Contains(logs.String(), "postgres://") {
		t.Errorf("logs carry a database url:\n%s", logs)
	}
}

func TestMainCreatesMissingDatabaseAndMigrates(t *testing.T) {
	t.Parallel()
	// A database name the server does not have yet: Main must create it, then migrate it.
	name := "caseledger_test_created_" + uuid.NewString()[:8]
	dsn := pgtest.WithDatabase(pgtest.AdminURL(), name)
	t.Cleanup(func() {
		admin := pgtest.Pool(t, pgtest.AdminURL(), "")
		if _, err := admin.Exec(context.Background(), `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	m, _ := runMain(t, testConfig(t, dsn))
	if code, body := get(t, "http://"+m.Addr()+"/readyz"); code != http.StatusOK {
		t.Fatalf("GET /readyz = %d %s", code, body)
	}
}

func TestMainRefusesUnreachableExplicitURL(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t, "postgres://postgres@127.0.0.1:1/caseledger?sslmode=disable")
	cfg.PrivateCluster = true // allowed, but the URL is explicit, so no fallback
	var out, logs syncBuffer
	m := main.NewMain(cfg, &out, &logs)
	defer m.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := m.Run(ctx); err == nil {
		t.Fatal("Run succeeded against an unreachable explicit URL")
	}
	if _, err := os.Stat(filepath.Join(cfg.DataDir, "pg")); err == nil {
		t.Fatal("a private cluster was created for an explicit URL")
	}
}
