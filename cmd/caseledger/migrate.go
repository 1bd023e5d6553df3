package main

import (
	"context"
	"fmt"
)

func init() {
	register(Command{
		Name:    "migrate",
		Summary: "apply pending database migrations and print their names",
		Usage: `caseledger migrate

Applies every embedded migration not yet recorded in schema_migrations, each in its own
transaction, to the database serve would use (see caseledger help serve). Safe to run while
other processes migrate: an advisory lock serialises them.`,
		Run: runMigrate,
	})
}

func runMigrate(ctx context.Context, m *Main, args []string) error {
	fs := newFlagSet("migrate", m.Stderr)
	if err := parseFlagsOnly(fs, args); err != nil {
		return err
	}
	applied, err := m.Migrate(ctx)
	for _, name := range applied {
		fmt.Fprintf(m.Stdout, "applied %s\n", name)
	}
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(m.Stdout, "database is up to date")
	}
	return nil
}
