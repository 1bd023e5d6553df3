package main_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	main "github.com/caseledger/caseledger/cmd/caseledger"
	"github.com/caseledger/caseledger/migrations"
	"github.com/caseledger/caseledger/migrations/pgtest"
)

// dispatch runs the binary's entry point in-process with the given environment and an empty
// standard input.
func dispatch(tb testing.TB, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	tb.Helper()
	return dispatchStdin(tb, vars, "", args...)
}

// dispatchStdin runs the binary's entry point in-process with the given environment and stdin.
func dispatchStdin(tb testing.TB, vars map[string]string, stdin string, args ...string) (code int, stdout, stderr string) {
	tb.Helper()
	var out, errOut bytes.Buffer
	lookup := func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	code = main.Dispatch(context.Background(), args, lookup, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestDispatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		env        map[string]string
		wantCode   int
		wantStdout []string
		wantStderr []string
	}{
		{name: "no arguments", args: nil, wantCode: 2, wantStderr: []string{"Usage: caseledger"}},
		{name: "help lists every command", args: []string{"help"}, wantCode: 0,
			wantStdout: []string{"serve", "migrate", "help"}},
		{name: "help for one command", args: []string{"help", "serve"}, wantCode: 0,
			wantStdout: []string{"CASELEDGER_DATABASE_URL", "--demo"}},
		{name: "help for an unknown command", args: []string{"help", "nope"}, wantCode: 2,
			wantStderr: []string{`unknown command "nope"`}},
		{name: "unknown command", args: []string{"nope"}, wantCode: 2, wantStderr: []string{`unknown command "nope"`}},
		{name: "bad flag", args: []string{"migrate", "-bogus"}, wantCode: 2, wantStderr: []string{"bogus"}},
		{name: "-h is not a failure", args: []string{"serve", "-h"}, wantCode: 0, wantStderr: []string{"-demo"}},
		{name: "bad configuration", args: []string{"migrate"}, env: map[string]string{"CASELEDGER_LOG_LEVEL": "loud"},
			wantCode: 2, wantStderr: []string{"configuration", "CASELEDGER_LOG_LEVEL"}},
		{name: "unreachable explicit database", args: []string{"migrate"},
			env:      map[string]string{"CASELEDGER_DATABASE_URL": "postgres://postgres:s3cret@127.0.0.1:1/x?sslmode=disable"},
			wantCode: 1, wantStderr: []string{"caseledger migrate:", "127.0.0.1:1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := dispatch(t, tt.env, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, stdout, stderr)
			}
			for _, w := range tt.wantStdout {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout)
				}
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if strings.Contains(stdout+stderr, "s3cret") {
				t.Errorf("output shows a password:\n%s%s", stdout, stderr)
			}
		})
	}
}

func TestMigrateCommand(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"CASELEDGER_DATABASE_URL": pgtest.NewEmptyDatabase(t), "CASELEDGER_DATA_DIR": t.TempDir()}

	code, stdout, stderr := dispatch(t, vars, "migrate")
	if code != 0 {
		t.Fatalf("first migrate: exit %d\n%s", code, stderr)
	}
	for _, name := range migrations.Names() {
		if !strings.Contains(stdout, "applied "+name) {
			t.Errorf("first migrate does not report %s:\n%s", name, stdout)
		}
	}

	code, stdout, stderr = dispatch(t, vars, "migrate")
	if code != 0 {
		t.Fatalf("second migrate: exit %d\n%s", code, stderr)
	}
	if strings.TrimSpace(stdout) != "database is up to date" {
		t.Fatalf("second migrate printed %q, want only that it is up to date", stdout)
	}
}
