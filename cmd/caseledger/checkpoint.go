package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/caseledger/caseledger/eventstore/checkpoint"
)

func init() {
	register(Command{
		Name:    "checkpoint",
		Summary: "sign the heads of every stream, or export signed checkpoints for auditors",
		Usage: `caseledger checkpoint sign
caseledger checkpoint export --out FILE [--since TIME]

sign signs every stream's head (stream, version, hash) with the practice's Ed25519 checkpoint key
(created on first use, wrapped by the master key) and appends a CheckpointSigned event to the
"checkpoints" stream. serve signs one every CASELEDGER_CHECKPOINT_INTERVAL.

export writes every checkpoint signed at or after TIME (RFC 3339; default all) with the public
key to FILE (mode 0600), for an auditor to keep outside the database. Later,
caseledger verify --against FILE detects removed events and a history rewritten with recomputed
hashes, naming the stream.`,
		Run: runCheckpoint,
	})
}

// checkpointer opens the checkpoint signer over the opened database and master key.
func (m *Main) checkpointer(ctx context.Context) (*checkpoint.Checkpointer, error) {
	return checkpoint.New(ctx, checkpoint.Config{Pool: m.App, Log: m.Store, Master: m.Keys.Master().AEAD(), MasterID: m.Keys.Master().ID(), Previous: m.Keys.MasterAEADs()})
}

func runCheckpoint(ctx context.Context, m *Main, args []string) error {
	if len(args) == 0 {
		return usageError("missing subcommand: sign or export")
	}
	verb, args := args[0], args[1:]
	fs := newFlagSet("checkpoint "+verb, m.Stderr)
	out := fs.String("out", "", "file to write")
	since := fs.String("since", "", "export checkpoints signed at or after this RFC 3339 `time`")
	if err := parseFlagsOnly(fs, args); err != nil {
		return err
	}
	var from time.Time
	if *since != "" {
		t, err := time.Parse(time.RFC3339Nano, *since)
		if err != nil {
			return usageError("--since: want an RFC 3339 time")
		}
		from = t
	}
	switch verb {
	case "sign":
		if err := m.Open(ctx); err != nil {
			return err
		}
		cp, err := m.checkpointer(ctx)
		if err != nil {
			return err
		}
		c, err := cp.Sign(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "checkpoint %s: %d streams signed at %s with key %s\n", c.ID, len(c.Heads), c.SignedAt.Format(time.RFC3339), c.KeyID)
		return nil
	case "export":
		if *out == "" {
			return usageError("--out is required")
		}
		if err := m.Open(ctx); err != nil {
			return err
		}
		if _, err := m.checkpointer(ctx); err != nil { // make sure a key exists to export
			return err
		}
		f, err := checkpoint.Export(ctx, m.App, from, time.Now())
		if err != nil {
			return err
		}
		w, err := os.OpenFile(*out, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		if err := f.Write(w); err != nil {
			w.Close()
			return err
		}
		if err := w.Close(); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "wrote %d checkpoints and %d public key(s) to %s\n", len(f.Checkpoints), len(f.Keys), *out)
		return nil
	default:
		return usageError("unknown checkpoint subcommand %q (want sign or export)", verb)
	}
}
