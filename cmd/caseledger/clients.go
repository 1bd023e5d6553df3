package main

import (
	"context"
	"fmt"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/projections"
)

func init() {
	register(Command{
		Name:    "clients",
		Summary: "find a client by name, email or date of birth (DPO)",
		Usage: `caseledger clients find --user DPO [--name NAME] [--email EMAIL] [--dob YYYY-MM-DD]

Finds clients across the practice through keyed blind-index tokens: the database compares
tokens, never plaintext. Every given field must match; a name matches when each of its words is
one of the client's names. Prints each client's id, name, date of birth, status and therapist,
to find the client a subject access or erasure request is about.`,
		Run: runClients,
	})
}

func runClients(ctx context.Context, m *Main, args []string) error {
	if len(args) == 0 || args[0] != "find" {
		return usageError("missing subcommand: caseledger clients find")
	}
	fs := newFlagSet("clients find", m.Stderr)
	user := fs.String("user", "", "the DPO's user `id`")
	name := fs.String("name", "", "name or names")
	email := fs.String("email", "", "email address")
	dob := fs.String("dob", "", "date of birth, YYYY-MM-DD")
	if err := parseFlagsOnly(fs, args[1:]); err != nil {
		return err
	}
	actor, err := operator(*user, domain.RoleDPO)
	if err != nil {
		return err
	}
	if *name == "" && *email == "" && *dob == "" {
		return usageError("give --name, --email or --dob")
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	reader, err := projections.NewReader(m.Reader, m.Keys)
	if err != nil {
		return err
	}
	found, err := reader.FindClients(ctx, actor, projections.ClientQuery{Name: *name, Email: *email, DateOfBirth: *dob})
	if err != nil {
		return err
	}
	for _, c := range found {
		therapist := "archived"
		if !c.TherapistID.IsZero() {
			therapist = c.TherapistID.String()
		}
		fmt.Fprintf(m.Stdout, "%s\t%s %s\t%s\t%s\t%s\n", c.ClientID, c.Details.GivenName, c.Details.FamilyName, c.Details.DateOfBirth, c.Status, therapist)
	}
	fmt.Fprintf(m.Stdout, "%d client(s) found\n", len(found))
	return nil
}
