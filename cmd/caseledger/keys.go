package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/keyring"
)

func init() {
	register(Command{
		Name:    "keys",
		Summary: "manage the master key: keys rotate-master",
		Usage: `caseledger keys rotate-master

Re-wraps every client keyset (and the practice keysets) under the current master key,
CASELEDGER_MASTER_KEY, unwrapping each with whichever master wrapped it: list the old ones in
CASELEDGER_PREVIOUS_MASTER_KEYS (comma-separated). Each keyset is replaced in its own short
transaction, so servers keep working throughout; an interrupted rotation is finished by running
it again. Only the wrapping changes: every ciphertext stays valid.

Procedure without downtime (restart servers one at a time):
  1. restart every server with CASELEDGER_MASTER_KEY=<old> and
     CASELEDGER_PREVIOUS_MASTER_KEYS=<new> (each learns to unwrap with the new key);
  2. restart every server with CASELEDGER_MASTER_KEY=<new> and
     CASELEDGER_PREVIOUS_MASTER_KEYS=<old>;
  3. run caseledger keys rotate-master with the settings of step 2;
  4. restart the servers without CASELEDGER_PREVIOUS_MASTER_KEYS and retire the old key.
With a single server, step 1 may be skipped.`,
		Run: runKeys,
	})
}

func runKeys(ctx context.Context, m *Main, args []string) error {
	if len(args) == 0 {
		return usageError("missing subcommand: caseledger keys rotate-master")
	}
	switch args[0] {
	case "rotate-master":
		fs := newFlagSet("keys rotate-master", m.Stderr)
		if err := parseFlagsOnly(fs, args[1:]); err != nil {
			return err
		}
		if err := m.Open(ctx); err != nil {
			return err
		}
		res, err := m.Keys.RotateMaster(ctx)
		fmt.Fprintf(m.Stdout, "re-wrapped %d keysets under master %s (%d subjects erased meanwhile)\n",
			res.Rewrapped, m.Keys.Master().ID(), res.Erased)
		if err != nil {
			return fmt.Errorf("rotation stopped (run it again to finish): %w", err)
		}
		fmt.Fprintln(m.Stdout, "every keyset is wrapped by the current master; the previous masters can be retired")
		return nil
	default:
		return usageError("unknown keys subcommand %q (want rotate-master)", args[0])
	}
}

// openKeyring opens the master key and the previous ones, and the keyring over the App pool. A
// development master is logged at warning level on every start.
func (m *Main) openKeyring(ctx context.Context) error {
	storage := keyring.NewPostgresStorage(m.App)
	open := func(spec string) (*keyring.Master, error) {
		return keyring.OpenMaster(ctx, keyring.MasterConfig{Spec: spec, Storage: storage, LookupEnv: m.LookupEnv})
	}
	master, err := open(m.Config.MasterKey)
	if err != nil {
		return fmt.Errorf("master key: %w", err)
	}
	var previous []*keyring.Master
	for i, spec := range m.Config.PreviousMasterKeys {
		p, err := open(spec)
		if err != nil {
			return fmt.Errorf("previous master key %d: %w", i+1, err)
		}
		previous = append(previous, p)
	}
	if master.Development() {
		m.Logger.Warn("DEVELOPMENT MASTER KEY IN USE: every client key is wrapped by a key stored unencrypted "+
			"beside the data; do not hold real records with it. Set CASELEDGER_MASTER_KEY to a KMS key or a passphrase.",
			"master", master.ID())
	}
	m.Keys, err = keyring.New(ctx, keyring.Config{Storage: storage, Master: master, Previous: previous, Events: m.Store})
	if err != nil {
		if errors.Is(err, keyring.ErrMasterMismatch) {
			return fmt.Errorf("master key %s does not match this database (wrong CASELEDGER_MASTER_KEY?): %w", master.ID(), err)
		}
		return err
	}
	m.onClose(func() error { m.Keys.Close(); return nil })
	return nil
}

// shredder adapts the keyring's Shred to the erasure commands' Shredder.
func (m *Main) shredder() commands.Shredder {
	return commands.ShredFunc(func(ctx context.Context, subject domain.ID, o commands.ShredOrder) error {
		res, err := m.Keys.Shred(ctx, uuid.UUID(subject), keyring.ShredRequest{
			RequestID: uuid.UUID(o.RequestID),
			Stream:    o.Stream,
			Actor:     eventstore.Actor{UserID: uuid.UUID(o.Actor.UserID), Role: string(o.Actor.Role)},
		})
		if err == nil && !res.Vacuumed {
			m.Logger.Warn("key table not vacuumed after a shred; run VACUUM keyring_subject_keys as the owner",
				"subject", subject.String(), "request", o.RequestID.String())
		}
		return err
	})
}
