package pgtest_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/caseledger/caseledger/migrations/pgtest"
)

// orphanName returns a name of the form NewEmptyDatabase gives, created at t.
func orphanName(t time.Time) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("caseledger_test_%010d_%s", t.Unix(), hex.EncodeToString(b[:]))
}

func TestDropOrphansDropsOnlyOldUnusedTestDatabases(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin := pgtest.Pool(t, pgtest.AdminURL(), "")
	now := time.Now()
	old := now.Add(-pgtest.OrphanAge - time.Hour)
	dbs := map[string]string{
		"orphan":   orphanName(old),
		"in use":   orphanName(old),
		"recent":   orphanName(now.Add(-time.Minute)),
		"not ours": fmt.Sprintf("caseledger_test_other_%d", old.Unix()),
	}
	create := func(label, name string) {
		if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
			t.Fatalf("create %s: %v", label, err)
		}
		t.Cleanup(func() {
			_, _ = admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
		})
	}
	for label, name := range dbs {
		if label != "in use" {
			create(label, name)
		}
	}
	// Other test binaries starting now run DropOrphans too, and may drop the old-named "in use"
	// database in the moment between its creation and the connection that keeps it: try again
	// under a new name then.
	var inUse *pgx.Conn
	for attempt := 0; inUse == nil; attempt++ {
		create("in use", dbs["in use"])
		conn, err := pgx.Connect(ctx, pgtest.WithDatabase(pgtest.AdminURL(), dbs["in use"]))
		switch {
		case err == nil:
			inUse = conn
		case attempt < 5 && strings.Contains(err.Error(), "3D000"):
			dbs["in use"] = orphanName(old)
		default:
			t.Fatal(err)
		}
	}
	defer inUse.Close(ctx)

	// A database of NewEmptyDatabase, just created, carries its creation time and survives.
	u, err := url.Parse(pgtest.NewEmptyDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	dbs["NewEmptyDatabase's"] = strings.TrimPrefix(u.Path, "/")
	if !regexp.MustCompile(`^caseledger_test_[0-9]{10}_[0-9a-f]{12}$`).MatchString(dbs["NewEmptyDatabase's"]) {
		t.Fatalf("NewEmptyDatabase named its database %q, without its creation time", dbs["NewEmptyDatabase's"])
	}

	if _, err := pgtest.DropOrphans(ctx, now); err != nil {
		t.Fatal(err)
	}
	rows, err := admin.Query(ctx, `SELECT datname FROM pg_database`)
	if err != nil {
		t.Fatal(err)
	}
	left, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for label, name := range dbs {
		if got, want := slices.Contains(left, name), label != "orphan"; got != want {
			t.Errorf("%s database %s: exists = %v after DropOrphans, want %v", label, name, got, want)
		}
	}
}
