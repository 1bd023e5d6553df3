package main_test

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseledger/caseledger/migrations/pgtest"
)

// signIn posts email and password to the running server and returns the status.
func signIn(tb testing.TB, baseURL, email, password string) int {
	tb.Helper()
	body, err := json.Marshal(map[string]string{"email": email, "password": password})
	if err != nil {
		tb.Fatal(err)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Post(baseURL+"/api/v1/sessions", "application/json", strings.NewReader(string(body)))
	if err != nil {
		tb.Fatalf("sign in: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestUsersCreateAdmin(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewEmptyDatabase(t)
	dir := t.TempDir()
	masterKey := "file:" + filepath.Join(dir, "master.keyset")
	vars := map[string]string{
		"CASELEDGER_DATABASE_URL": dsn, "CASELEDGER_DATA_DIR": dir, "CASELEDGER_MASTER_KEY": masterKey,
		"CASELEDGER_PRIVATE_CLUSTER": "off", "CASELEDGER_LOG_LEVEL": "warn",
		"SECOND_ADMIN_PASSWORD": "another long passphrase 42",
	}
	const firstPassword = "correct horse battery staple 7"
	admin := pgtest.Pool(t, dsn, "")
	users := func() int {
		t.Helper()
		var n int
		if err := admin.QueryRow(context.Background(),
			`SELECT count(*) FROM event_log WHERE event_type = 'UserRegistered'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	// Refusals that write nothing, before anything exists. Each step below builds on the last.
	refusals := []struct {
		name     string
		stdin    string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"no subcommand", "", []string{"users"}, 2, "missing subcommand"},
		{"unknown subcommand", "", []string{"users", "delete-everyone"}, 2, "unknown users subcommand"},
		{"no email", firstPassword + "\n", []string{"users", "create-admin"}, 2, "--email is required"},
		{"password as a flag value", "", []string{"users", "create-admin", "--email", "a@example.org", "--password", "x"}, 2, "flag provided but not defined"},
		{"no password on stdin", "", []string{"users", "create-admin", "--email", "a@example.org"}, 2, "no password"},
		{"unset password variable", "", []string{"users", "create-admin", "--email", "a@example.org", "--password-env", "NOPE"}, 2, "NOPE"},
		{"weak password", "password123\n", []string{"users", "create-admin", "--email", "a@example.org"}, 1, "password must be at least 12 characters"},
		{"common password", "password1234\n", []string{"users", "create-admin", "--email", "a@example.org"}, 1, "commonly used"},
		{"not an email", firstPassword + "\n", []string{"users", "create-admin", "--email", "not-an-email"}, 1, "not an email address"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := dispatchStdin(t, vars, tt.stdin, tt.args...)
			if code != tt.wantCode || !strings.Contains(stderr, tt.wantErr) {
				t.Fatalf("exit %d, want %d with %q\nstdout: %s\nstderr: %s", code, tt.wantCode, tt.wantErr, stdout, stderr)
			}
		})
	}
	// The migrations ran with the first refusal that opened the database; no user exists.
	if n := users(); n != 0 {
		t.Fatalf("%d users registered by refused commands", n)
	}

	t.Run("first admin from stdin", func(t *testing.T) {
		code, stdout, stderr := dispatchStdin(t, vars, firstPassword+"\r\n", "users", "create-admin", "--email", "First.Admin@Example.org")
		if code != 0 || !strings.Contains(stdout, "admin ") {
			t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
		}
		if strings.Contains(stdout+stderr, firstPassword) || strings.Contains(strings.ToLower(stdout+stderr), "first.admin") {
			t.Fatalf("output shows the password or email\nstdout: %s\nstderr: %s", stdout, stderr)
		}
	})
	t.Run("a second admin is refused without --force", func(t *testing.T) {
		code, _, stderr := dispatch(t, vars, "users", "create-admin", "--email", "second@example.org", "--password-env", "SECOND_ADMIN_PASSWORD")
		if code != 1 || !strings.Contains(stderr, "already exists") {
			t.Fatalf("exit %d, want 1 naming the existing admin\n%s", code, stderr)
		}
	})
	t.Run("the same email is refused even with --force", func(t *testing.T) {
		code, _, stderr := dispatch(t, vars, "users", "create-admin", "--force", "--email", "first.admin@example.org", "--password-env", "SECOND_ADMIN_PASSWORD")
		if code != 1 || !strings.Contains(stderr, "already exists") {
			t.Fatalf("exit %d, want 1 (email taken)\n%s", code, stderr)
		}
	})
	if n := users(); n != 1 {
		t.Fatalf("%d users registered, want 1", n)
	}
	t.Run("--force adds another admin from an environment variable", func(t *testing.T) {
		code, stdout, stderr := dispatch(t, vars, "users", "create-admin", "--force", "--email", "second@example.org", "--password-env", "SECOND_ADMIN_PASSWORD")
		if code != 0 {
			t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
		}
	})
	if n := users(); n != 2 {
		t.Fatalf("%d users registered, want 2", n)
	}

	t.Run("the admins sign in through the API", func(t *testing.T) {
		cfg := testConfig(t, dsn)
		cfg.MasterKey = masterKey
		m, _ := runMain(t, cfg)
		for _, c := range []struct {
			name, email, password string
			want                  int
		}{
			{"first admin, email in another case", "first.admin@example.org", firstPassword, http.StatusCreated},
			{"second admin", "second@example.org", "another long passphrase 42", http.StatusCreated},
			{"wrong password", "second@example.org", firstPassword, http.StatusUnauthorized},
		} {
			if got := signIn(t, m.URL(), c.email, c.password); got != c.want {
				t.Errorf("%s: status %d, want %d", c.name, got, c.want)
			}
		}
	})
}
