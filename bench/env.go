package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"

	"github.com/jackc/pgx/v5"

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
