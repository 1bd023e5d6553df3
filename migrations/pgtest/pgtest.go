// Package pgtest gives tests a real PostgreSQL database of their own: created fresh, migrated, and
// dropped when the test ends (or, if the run is killed first, by a later run once it is OrphanAge
// old). The server comes from CASELEDGER_TEST_DATABASE_URL, by default the
// local one. An unreachable server fails the test with instructions; it never skips.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/caseledger/caseledger/migrations"
)

// DefaultURL is the server tests use when CASELEDGER_TEST_DATABASE_URL is unset.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// AdminURL returns the URL of the test server's maintenance database.
func AdminURL() string {
	if u := os.Getenv("CASELEDGER_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// NewDatabase creates an empty database with every migration applied and returns its URL. The
// database is dropped (with FORCE) when tb ends. The URL's user is the admin user of the server;
// use migrations.ConnectAs to act as one of the application roles.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	u := NewEmptyDatabase(tb)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := connect(ctx, u)
	if err != nil {
		tb.Fatalf("pgtest: connect to new database: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := migrations.Apply(ctx, conn); err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	return u
}

// NewEmptyDatabase creates a database without applying migrations and returns its URL; it is
// dropped when tb ends. Its name, caseledger_test_<unix seconds>_<random>, records when it was
// created, so that the first NewEmptyDatabase of a later test binary drops it if a killed run left
// it behind (after OrphanAge, and only while nobody is connected to it).
func NewEmptyDatabase(tb testing.TB) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := connect(ctx, AdminURL())
	if err != nil {
		tb.Fatalf("pgtest: PostgreSQL is unreachable at %s: %v\n"+
			"Start it (on Debian: pg_ctlcluster 15 main start, or run .ci/run which installs and starts it) "+
			"or point CASELEDGER_TEST_DATABASE_URL at a server where this user may CREATE DATABASE.",
			redact(AdminURL()), err)
	}
	defer admin.Close(ctx)

	sweepOnce.Do(func() { _, _ = DropOrphans(ctx, time.Now()) })
	name := databaseName(time.Now())
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		tb.Fatalf("pgtest: create database: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := connect(ctx, AdminURL())
		if err != nil {
			tb.Errorf("pgtest: drop %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			tb.Errorf("pgtest: drop %s: %v", name, err)
		}
	})
	return WithDatabase(AdminURL(), name)
}

// OrphanAge is how old a test database must be before a later test run drops it as left behind by
// a run that was killed before its cleanup (a timeout, an interrupt).
const OrphanAge = 2 * time.Hour

// databaseNames matches the names databaseName gives: the creation time (Unix seconds) and a
// random suffix.
var databaseNames = regexp.MustCompile(`^caseledger_test_([0-9]{10})_[0-9a-f]{12}$`)

// databaseName returns a fresh test database name that records its creation time.
func databaseName(now time.Time) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("caseledger_test_%010d_%s", now.Unix(), hex.EncodeToString(b[:]))
}

var sweepOnce sync.Once

// DropOrphans drops the test databases created more than OrphanAge before now (runs that were
// killed before they could drop them) and returns the names it dropped. A database someone is still
// connected to is left alone: DROP DATABASE without FORCE refuses it, and that refusal is not an
// error. The first NewEmptyDatabase of every test binary calls it and ignores its error.
func DropOrphans(ctx context.Context, now time.Time) ([]string, error) {
	admin, err := connect(ctx, AdminURL())
	if err != nil {
		return nil, fmt.Errorf("pgtest: drop orphaned databases: %w", err)
	}
	defer admin.Close(ctx)
	// Databases with sessions are skipped here (a DROP would wait seconds for them to leave).
	rows, err := admin.Query(ctx, `SELECT d.datname FROM pg_database d
		WHERE d.datname LIKE 'caseledger\_test\_%'
		  AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)`)
	if err != nil {
		return nil, fmt.Errorf("pgtest: drop orphaned databases: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("pgtest: drop orphaned databases: %w", err)
	}
	var dropped []string
	for _, name := range names {
		m := databaseNames.FindStringSubmatch(name)
		if m == nil {
			continue
		}
		created, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil || now.Sub(time.Unix(created, 0)) < OrphanAge {
			continue
		}
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()); err == nil {
			dropped = append(dropped, name)
		}
	}
	return dropped, nil
}

// Pool opens a pool on dsn acting as role ("" keeps the admin user), closed when tb ends.
func Pool(tb testing.TB, dsn, role string) *pgxpool.Pool {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pool, err := migrations.ConnectAs(ctx, dsn, role, 0)
	for tooManyClients(err) && ctx.Err() == nil {
		time.Sleep(100 * time.Millisecond)
		pool, err = migrations.ConnectAs(ctx, dsn, role, 0)
	}
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	tb.Cleanup(pool.Close)
	return pool
}

// WithDatabase returns dsn with its database name replaced by name.
func WithDatabase(dsn, name string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	u.Path = "/" + name
	return u.String()
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparseable url)"
	}
	return u.Redacted()
}

// connect opens a connection, waiting while the server is merely full (SQLSTATE 53300, too many
// clients: many test packages run at once) but failing at once when it is unreachable.
func connect(ctx context.Context, dsn string) (*pgx.Conn, error) {
	for {
		conn, err := pgx.Connect(ctx, dsn)
		if !tooManyClients(err) {
			return conn, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// tooManyClients reports whether err is the server refusing a connection because it is full.
func tooManyClients(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "53300"
}
