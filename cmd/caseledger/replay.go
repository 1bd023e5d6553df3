package main

import (
	"context"
	"time"

	"github.com/caseledger/caseledger/projections/export"
)

func init() {
	register(Command{
		Name:    "replay",
		Summary: "show a client's record exactly as it stood at a time (auditors)",
		Usage: `caseledger replay --user AUDITOR --client ID --as-of TIME [--format text|json] [--role auditor|dpo]

Folds every event of the client's streams recorded at or before TIME (RFC 3339, e.g.
2026-03-02T17:00:00Z) into the record and prints it with the list of events folded. Payloads
whose key was shredded since are shown as erased. The replay is itself recorded in the client's
access log (purpose "audit"), unless the client was erased. Psychotherapy notes are not shown.`,
		Run: runReplay,
	})
}

func runReplay(ctx context.Context, m *Main, args []string) error {
	fs := newFlagSet("replay", m.Stderr)
	reviewer := reviewerFlags(fs)
	clientFlag := fs.String("client", "", "client `id`")
	asOf := fs.String("as-of", "", "RFC 3339 `time`")
	format := fs.String("format", "text", "text or json")
	if err := parseFlagsOnly(fs, args); err != nil {
		return err
	}
	actor, err := reviewer()
	if err != nil {
		return err
	}
	clientID, err := parseIDFlag("client", *clientFlag)
	if err != nil {
		return err
	}
	at, err := time.Parse(time.RFC3339Nano, *asOf)
	if err != nil {
		return usageError("--as-of: want an RFC 3339 time such as 2026-03-02T17:00:00Z")
	}
	if *format != "text" && *format != "json" {
		return usageError("--format: want text or json")
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	r, err := export.NewService(m.commandDeps()).Replay(ctx, actor, clientID, at)
	if err != nil {
		return err
	}
	var b []byte
	if *format == "json" {
		b, err = export.JSON(r)
	} else {
		b, err = export.Text(r)
	}
	if err != nil {
		return err
	}
	_, err = m.Stdout.Write(b)
	return err
}
