package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/caseledger/caseledger/migrations"
	"github.com/caseledger/caseledger/migrations/pgtest"
)

// newEnv checks the server is reachable and returns an Env whose databases are dropped by cleanup.
func newEnv(ctx context.Context, quick bool) (*Env, func(), error) {
	admin := os.Getenv("CASELEDGER_BENCH_DATABASE_URL")
	if admin == "" {
		admin = pgtest.AdminURL()
	}
	c, err := pgx.Connect(ctx, admin)
	if err != nil {
		return nil, nil, fmt.Errorf("PostgreSQL unreachable (set CASELEDGER_BENCH_DATABASE_URL): %w", err)
	}
	c.Close(ctx)
	var created []string
	env := &Env{AdminURL: admin, Quick: quick}
	env.NewDatabase = func(ctx context.Context) (string, error) {
		var b [6]byte
		_, _ = rand.Read(b[:])
		name := "caseledger_bench_" + hex.EncodeToString(b[:])
		a, err := pgx.Connect(ctx, admin)
		if err != nil {
			return "", err
		}
		defer a.Close(ctx)
		if _, err := a.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
			return "", err
		}
		created = append(created, name)
		dsn := pgtest.WithDatabase(admin, name)
		m, err := pgx.Connect(ctx, dsn)
		if err != nil {
			return "", err
		}
		defer m.Close(ctx)
		if _, err := migrations.Apply(ctx, m); err != nil {
			return "", err
		}
		return dsn, nil
	}
	cleanup := func() {
		a, err := pgx.Connect(context.Background(), admin)
		if err != nil {
			return
		}
		defer a.Close(context.Background())
		for _, n := range created {
			_, _ = a.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{n}.Sanitize()+" WITH (FORCE)")
		}
		created = nil
	}
	return env, cleanup, nil
}

// rawPool opens a pool on dsn acting as role (SET ROLE on connect; "" keeps the login role) with
// pgx's stock type handling. It is the "raw pgx" of every baseline: unlike migrations.ConnectAs,
// which the product uses, it has no binary uuid codec, so a baseline measures what plain pgx does
// and stays comparable from one release to the next.
func rawPool(ctx context.Context, dsn, role string, maxConns int32) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = maxConns
	if role != "" {
		cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
			_, err := c.Exec(ctx, "SET ROLE "+pgx.Identifier{role}.Sanitize())
			return err
		}
	}
	return pgxpool.NewWithConfig(ctx, cfg)
}
