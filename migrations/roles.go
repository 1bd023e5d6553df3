package migrations

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The database roles the migrations create (once per server: roles are shared by its databases).
// None of them can log in; a deployment grants them to its login users, and ConnectAs switches a
// privileged connection into one of them.
const (
	// RoleOwner owns the schema objects.
	RoleOwner = "caseledger_owner"
	// RoleApp is the application writer: INSERT and SELECT on the log and nothing else there;
	// it maintains the keys and the read models.
	RoleApp = "caseledger_app"
	// RoleReader is the read path of requests: no BYPASSRLS, no grant on the log or the keys,
	// only SELECT on read models under row-level security.
	RoleReader = "caseledger_reader"
)

// ConnectAs opens a pool on dsn in which every connection runs as role (SET ROLE on connect), so
// the role's grants and row-level security apply to everything the pool does. An empty role keeps
// the login role. Its connections send and read uuid.UUID values in binary (registerUUIDCodec).
func ConnectAs(ctx context.Context, dsn, role string, maxConns int32) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		registerUUIDCodec(c.TypeMap())
		if role == "" {
			return nil
		}
		_, err := c.Exec(ctx, "SET ROLE "+pgx.Identifier{role}.Sanitize())
		return err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect as %s: %w", role, err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect as %s: %w", role, err)
	}
	return pool, nil
}
