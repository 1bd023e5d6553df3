package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/caseledger/caseledger/migrations"
)

// connectTimeout bounds each attempt to reach the configured server.
const connectTimeout = 5 * time.Second

// Database returns the URL of the database this Main uses, as a role allowed to migrate it, making
// sure the database exists. Config.DatabaseURL "private" asks for the private cluster under
// Config.DataDir outright. Otherwise, with the configured URL unreachable, it starts that cluster
// only when the URL is the implicit default and Config.PrivateCluster allows it; an explicit URL
// that cannot be reached is an error. The result is cached: later calls return the same URL
// without connecting.
func (m *Main) Database(ctx context.Context) (string, error) {
	if m.dsn != "" {
		return m.dsn, nil
	}
	dsn := m.Config.DatabaseURL
	var err error
	switch {
	case dsn == PrivateDatabaseURL:
		dsn, err = m.privateDatabase(ctx, defaultDatabaseName)
	default:
		err = ensureDatabase(ctx, dsn)
		if err != nil && isUnreachable(err) && !m.Config.DatabaseURLExplicit && m.Config.PrivateCluster {
			m.Logger.Warn("no PostgreSQL at the default URL; starting a private cluster",
				"default", redactURL(dsn), "data_dir", m.Config.DataDir)
			dsn, err = m.privateDatabase(ctx, databaseName(dsn))
		}
	}
	if err != nil {
		return "", fmt.Errorf("database %s: %w", redactURL(dsn), err)
	}
	m.dsn = dsn
	return dsn, nil
}

// privateDatabase starts (or adopts) the private cluster, registers its stop with Close, and
// returns the URL of database name on it, created when missing.
func (m *Main) privateDatabase(ctx context.Context, name string) (string, error) {
	cluster, err := startPrivateCluster(ctx, m.Config.DataDir, m.Logger)
	if err != nil {
		return "", err
	}
	m.onClose(cluster.Stop)
	dsn := cluster.URL(name)
	return dsn, ensureDatabase(ctx, dsn)
}

// Migrate applies every pending migration to the database and returns the names it applied.
func (m *Main) Migrate(ctx context.Context) ([]string, error) {
	dsn, err := m.Database(ctx)
	if err != nil {
		return nil, err
	}
	conn, err := connect(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	applied, err := migrations.Apply(ctx, conn)
	if err != nil {
		return applied, err
	}
	if len(applied) > 0 {
		m.Logger.Info("migrations applied", "names", applied)
	}
	return applied, nil
}

// ensureDatabase connects to dsn and, when the server answers that the database does not exist,
// creates it through the server's maintenance database "postgres".
func ensureDatabase(ctx context.Context, dsn string) error {
	conn, err := connect(ctx, dsn)
	if err == nil {
		return conn.Close(ctx)
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "3D000" { // invalid_catalog_name
		return err
	}
	admin, err := connect(ctx, withDatabase(dsn, "postgres"))
	if err != nil {
		return err
	}
	defer admin.Close(ctx)
	name := databaseName(dsn)
	_, err = admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // duplicate_database: created concurrently
		err = nil
	}
	if err != nil {
		return fmt.Errorf("create database: %w", err)
	}
	return nil
}

// connect opens one connection to dsn, giving up after connectTimeout.
func connect(ctx context.Context, dsn string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, errors.New("unparseable database url")
	}
	if cfg.ConnectTimeout == 0 || cfg.ConnectTimeout > connectTimeout {
		cfg.ConnectTimeout = connectTimeout
	}
	return pgx.ConnectConfig(ctx, cfg)
}

// isUnreachable reports whether err means no server answered (as opposed to a server that
// answered with an error, such as a failed password).
func isUnreachable(err error) bool {
	var pgErr *pgconn.PgError
	return err != nil && !errors.As(err, &pgErr) && !errors.Is(err, context.Canceled)
}

// databaseName returns the database named by dsn's path.
func databaseName(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Path, "/")
}

// withDatabase returns dsn naming database name instead.
func withDatabase(dsn, name string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	u.Path = "/" + name
	return u.String()
}

// redactURL returns dsn with any password replaced, for logs and errors.
func redactURL(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparseable url)"
	}
	return u.Redacted()
}
