package main

import (
	"context"
	"fmt"
)

func init() {
	register(Command{
		Name:    "serve",
		Summary: "apply migrations and serve the HTTP API until SIGINT or SIGTERM",
		Usage: `caseledger serve [--demo]

  --demo   seed the demo practice first when the database is empty

Environment:
  CASELEDGER_DATABASE_URL     PostgreSQL URL of a role that may migrate the database (default
                              ` + DefaultDatabaseURL + `;
                              when nothing answers there, a private cluster is started under
                              CASELEDGER_DATA_DIR/pg; the database is created when missing)
  CASELEDGER_LISTEN           HTTP address (default ` + DefaultListen + `)
  CASELEDGER_MASTER_KEY       master key wrapping the per-client keys: file:PATH,
                              passphrase-env:VARIABLE, gcp-kms://..., aws-kms://..., hcvault://...
                              (default: the development keyset file CASELEDGER_DATA_DIR/master.keyset,
                              created 0600 on first run, logged as a warning at every start)
  CASELEDGER_PREVIOUS_MASTER_KEYS
                              comma-separated masters still wrapping some keysets during a rotation
  CASELEDGER_DATA_DIR         local state directory (default ` + DefaultDataDir + `)
  CASELEDGER_PRIVATE_CLUSTER  off: never start a private cluster (default on)
  CASELEDGER_CHECKPOINT_INTERVAL
                              how often to sign the heads of every stream (default 1h; off)
  CASELEDGER_RETENTION_SWEEP_INTERVAL
                              how often to queue records past retention for the DPO (default 24h; off)
  CASELEDGER_CREDENTIAL_PURGE_INTERVAL
                              how often to delete expired sessions and tokens (default 24h; off)
  CASELEDGER_DORMANT_SWEEP_INTERVAL
                              how often to disable accounts unused for 90 days (default 24h; off)
  CASELEDGER_ORPHAN_RELEASE_INTERVAL
                              how often to free calendar slots of interrupted bookings (default 5m; off)
  CASELEDGER_ORPHAN_GRACE     age of an unfinished booking before its slot is freed (default 5m, >= 1m)
  CASELEDGER_TLS_CERT_FILE, CASELEDGER_TLS_KEY_FILE
                              PEM certificate and key: serve HTTPS (TLS 1.2+) instead of HTTP
  CASELEDGER_BEHIND_TLS_PROXY on: a proxy in front terminates HTTPS (the API sends HSTS)
  CASELEDGER_LOG_LEVEL        debug, info, warn or error (default info)

Serves /healthz (process up), /readyz (database reachable, migrations applied, no projector
stopped at an event it cannot apply), the JSON API under /api/v1 and /metrics; runs the
projectors, signed checkpoints, the retention sweep, the credential purge, the dormant-account
sweep and the release of orphaned reservations (each timer also runs once at start).`,
		Run: runServe,
	})
}

func runServe(ctx context.Context, m *Main, args []string) error {
	fs := newFlagSet("serve", m.Stderr)
	demo := fs.Bool("demo", false, "seed the demo practice when the database is empty")
	if err := parseFlagsOnly(fs, args); err != nil {
		return err
	}
	showAccounts := false
	if *demo {
		if err := m.Open(ctx); err != nil {
			return err
		}
		var err error
		if showAccounts, err = m.seedDemoIfEmpty(ctx); err != nil {
			return err
		}
	}
	if err := m.Run(ctx); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "Caseledger is serving on %s\n", m.URL())
	if showAccounts {
		printDemoSignIn(m.Stdout, m.URL())
	}
	select {
	case <-ctx.Done():
		m.Logger.Info("shutting down", "reason", "signal")
		return nil
	case err := <-m.Done():
		return err
	}
}
