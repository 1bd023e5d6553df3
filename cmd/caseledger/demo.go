package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/caseledger/caseledger/api"
	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/identity"
	"github.com/caseledger/caseledger/testdata/demo"
)

func init() {
	register(Command{
		Name:    "demo",
		Summary: "seed the demo practice into an empty database and print its sign-in details",
		Usage: `caseledger demo

Seeds the fictional demo practice of testdata/demo/practice.json (two therapists, a practice
manager, a DPO, an auditor, an admin; clients with consents, appointments and session notes)
through the real commands, into the database serve would use. It refuses a database that already
holds events. caseledger serve --demo does the same on start when the database is empty.`,
		Run: runDemo,
	})
}

// demoLockKey is the advisory lock that keeps two processes from seeding one database at once.
const demoLockKey = 0x6465_6d6f_7365_6564 // "demoseed"

// ErrNotEmpty is returned by `caseledger demo` for a database that already holds events.
var ErrNotEmpty = errors.New("the database already holds events; the demo is seeded only into an empty database")

func runDemo(ctx context.Context, m *Main, args []string) error {
	fs := newFlagSet("demo", m.Stderr)
	if err := parseFlagsOnly(fs, args); err != nil {
		return err
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	sum, seeded, err := m.SeedDemo(ctx)
	if err != nil {
		return err
	}
	if !seeded {
		return ErrNotEmpty
	}
	printDemoSummary(m.Stdout, sum)
	printDemoSignIn(m.Stdout, "")
	return nil
}

// SeedDemo seeds the demo practice when the database holds no events, and reports whether it
// did. It takes an advisory lock, so of several processes seeding one database at once exactly
// one seeds. Open must have succeeded.
func (m *Main) SeedDemo(ctx context.Context) (demoSummary, bool, error) {
	conn, err := m.Admin.Acquire(ctx)
	if err != nil {
		return demoSummary{}, false, err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(demoLockKey)); err != nil {
		return demoSummary{}, false, fmt.Errorf("demo: lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, int64(demoLockKey))

	var nonEmpty bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM event_log)`).Scan(&nonEmpty); err != nil {
		return demoSummary{}, false, fmt.Errorf("demo: %w", err)
	}
	if nonEmpty {
		return demoSummary{}, false, nil
	}
	f, err := parseDemo(demo.PracticeJSON)
	if err != nil {
		return demoSummary{}, false, err
	}
	start := time.Now()
	sum, err := seedDemo(ctx, m.Store, m.Keys, api.NewUserDirectory(m.App), m.Keys, f, time.Now())
	if err != nil {
		return sum, false, err
	}
	m.Logger.Info("demo practice seeded", "users", sum.Users, "clients", sum.Clients,
		"appointments", sum.Appointments, "notes", sum.Notes, "took", time.Since(start).String())
	return sum, true, nil
}

// seedDemoIfEmpty is serve --demo's step before serving: seed an empty database, leave any other
// alone. It says which on stdout and reports whether the demo accounts exist (seeded now or
// before), so that serve prints their sign-in details only then.
func (m *Main) seedDemoIfEmpty(ctx context.Context) (bool, error) {
	sum, seeded, err := m.SeedDemo(ctx)
	if err != nil {
		return false, err
	}
	if seeded {
		printDemoSummary(m.Stdout, sum)
		return true, nil
	}
	exists, err := m.demoAccountsExist(ctx)
	if err != nil {
		return false, err
	}
	if exists {
		fmt.Fprintln(m.Stdout, "The demo practice was seeded before; it was not seeded again.")
	} else {
		fmt.Fprintln(m.Stdout, "The database already holds other records: the demo practice was not seeded.")
	}
	return exists, nil
}

// demoAccountsExist reports whether the demo's first account is registered in the database.
func (m *Main) demoAccountsExist(ctx context.Context) (bool, error) {
	f, err := parseDemo(demo.PracticeJSON)
	if err != nil || len(f.Users) == 0 {
		return false, err
	}
	tok, err := m.Keys.Token(ctx, commands.EmailTokenPurpose, identity.NormaliseEmail(f.Users[0].Email))
	if err != nil {
		return false, err
	}
	_, err = api.NewUserDirectory(m.App).Lookup(ctx, tok)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, domain.ErrNotFound):
		return false, nil
	default:
		return false, err
	}
}

func printDemoSummary(w io.Writer, s demoSummary) {
	fmt.Fprintf(w, "Demo practice seeded: %d staff accounts, %d clients (%d with a portal account), %d consents, %d appointments "+
		"(%d completed, %d cancelled), %d session notes (%d signed).\n",
		s.Users, s.Clients, s.PortalAccounts, s.Consents, s.Appointments, s.Completed, s.Cancelled, s.Notes, s.SignedNotes)
}

// printDemoSignIn lists the demo accounts. The people and passwords are fictional and public:
// they are in testdata/demo/practice.json.
func printDemoSignIn(w io.Writer, baseURL string) {
	f, err := parseDemo(demo.PracticeJSON)
	if err != nil {
		return
	}
	where := "POST /api/v1/sessions"
	if baseURL != "" {
		where = "POST " + baseURL + "/api/v1/sessions"
	}
	fmt.Fprintf(w, "\nDemo accounts (fictional; sign in with %s {\"email\": ..., \"password\": ...}):\n", where)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for _, u := range f.Users {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", u.Role, u.Email, u.Password)
	}
	for _, c := range f.Clients {
		if c.Portal != nil {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", domain.RoleClient, c.Portal.Email, c.Portal.Password)
		}
	}
	_ = tw.Flush()
}
