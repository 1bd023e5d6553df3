package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/caseledger/caseledger/api"
	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
)

func init() {
	register(Command{
		Name:    "users",
		Summary: "bootstrap accounts: users create-admin --email E",
		Usage: `caseledger users create-admin --email E [--password-env NAME] [--force]

Registers an admin account through the same identity commands as the API (UserRegistered in
the user's stream, appended by the system; the email claimed in the directory by its keyed
blind-index token). Use it once, to create the first admin of an empty production database;
that admin then creates every other account in the API.

The password is never a flag value (it would show in ps and in shell history): it is the first
line of standard input, or the value of the environment variable named by --password-env. A
terminal on standard input is refused (the password would echo); pipe it from a secrets
manager instead, e.g.  vault kv get -field=pw secret/cl-admin | caseledger users create-admin
--email it@example.org. The practice's password policy applies (at least 12 characters, not a
common password, not containing the email).

It refuses when an enabled admin already exists, naming its id; --force adds another admin
anyway (e.g. when every admin has lost access).`,
		Run: runUsers,
	})
}

// maxPasswordInput bounds what create-admin reads from standard input.
const maxPasswordInput = 4 << 10

func runUsers(ctx context.Context, m *Main, args []string) error {
	if len(args) == 0 {
		return usageError("missing subcommand: caseledger users create-admin --email E")
	}
	switch args[0] {
	case "create-admin":
		return m.createAdmin(ctx, args[1:])
	default:
		return usageError("unknown users subcommand %q (want create-admin)", args[0])
	}
}

// createAdmin parses create-admin's flags, reads the password, and registers the admin unless an
// enabled admin exists (or --force). It prints the new admin's id, never the email or password.
func (m *Main) createAdmin(ctx context.Context, args []string) error {
	fs := newFlagSet("users create-admin", m.Stderr)
	email := fs.String("email", "", "the admin's email address (required)")
	passwordEnv := fs.String("password-env", "", "read the password from this environment variable instead of stdin")
	force := fs.Bool("force", false, "create the admin even when an enabled admin exists")
	if err := parseFlagsOnly(fs, args); err != nil {
		return err
	}
	if *email == "" {
		return usageError("--email is required")
	}
	password, err := m.readPassword(*passwordEnv)
	if err != nil {
		return err
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	deps := m.identityDeps()
	if !*force {
		existing, err := enabledAdmin(ctx, deps)
		if err != nil {
			return err
		}
		if !existing.IsZero() {
			return fmt.Errorf("an enabled admin already exists (user %s); pass --force to add another", existing)
		}
	}
	id, err := commands.NewRegisterUserHandler(deps).Handle(ctx, domain.Actor{Role: domain.RoleSystem},
		commands.RegisterUser{Role: domain.RoleAdmin, Email: *email, Password: password})
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "admin %s created; sign in with its email and password\n", id)
	return nil
}

// readPassword returns the password from the environment variable named env, or else the first
// line of m.Stdin (without its line ending). A terminal on stdin is refused, as is an empty
// password or an unset variable.
func (m *Main) readPassword(env string) (string, error) {
	if env != "" {
		v, ok := m.LookupEnv(env)
		if !ok || v == "" {
			return "", usageError("--password-env %s: the variable is unset or empty", env)
		}
		return v, nil
	}
	if f, ok := m.Stdin.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			return "", usageError("standard input is a terminal (the password would echo): pipe it in or use --password-env")
		}
	}
	line, err := bufio.NewReader(io.LimitReader(m.Stdin, maxPasswordInput)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password from stdin: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", usageError("no password on standard input (or use --password-env)")
	}
	return line, nil
}

// identityDeps returns the identity command dependencies over the opened log, keyring and
// user directory, under the default sign-in policy the API applies.
func (m *Main) identityDeps() commands.IdentityDeps {
	return commands.IdentityDeps{Deps: m.commandDeps(), Directory: api.NewUserDirectory(m.App), Index: m.Keys,
		Hasher: commands.DefaultPasswordHasher(), Policy: m.apiConfig().Policy}
}

// enabledAdmin returns the id of an enabled admin account, or the zero ID when there is none.
func enabledAdmin(ctx context.Context, d commands.IdentityDeps) (domain.ID, error) {
	lister, ok := d.Directory.(commands.UserIDs)
	if !ok {
		return domain.ID{}, errors.New("the user directory cannot list users")
	}
	ids, err := lister.UserIDs(ctx)
	if err != nil {
		return domain.ID{}, err
	}
	for _, id := range ids {
		u, _, err := commands.LoadUser(ctx, d.Deps, id)
		if err != nil {
			return domain.ID{}, err
		}
		if u.Exists() && u.Role() == domain.RoleAdmin && !u.Disabled() {
			return id, nil
		}
	}
	return domain.ID{}, nil
}
