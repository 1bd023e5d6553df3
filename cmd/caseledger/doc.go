// Command caseledger is the one Caseledger binary: serve, migrate, verify, keys, demo and the
// operator subcommands other packages contribute.
//
// Each subcommand lives in its own file and registers itself in init():
//
//	func init() {
//		register(Command{
//			Name:    "replay",
//			Summary: "print a stream's history as of a time",
//			Usage:   "caseledger replay [-at RFC3339] STREAM",
//			Run:     runReplay,
//		})
//	}
//
//	func runReplay(ctx context.Context, m *Main, args []string) error {
//		fs := newFlagSet("replay", m.Stderr)
//		at := fs.String("at", "", "as of this time")
//		if err := parseFlags(fs, args); err != nil {
//			return err
//		}
//		// Open: database, migrations, pools, event log, keyring, read models.
//		// OpenLog: database, pools and event log only (no migration, no master key).
//		if err := m.Open(ctx); err != nil {
//			return err
//		}
//		...
//	}
//
// The dispatcher in main.go reads the configuration from the environment (only cmd/ reads flags and
// environment), builds a Main, runs the subcommand and closes the Main afterwards. A returned error
// exits 1; an error wrapping ErrUsage (see usageError) exits 2. `caseledger help` lists every
// registered subcommand.
package main
