package main

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/caseledger/caseledger/projections"
)

func init() {
	register(Command{
		Name:    "projections",
		Summary: "show the read-model projectors' positions and lag, or rebuild them from the log",
		Usage: `caseledger projections status
caseledger projections rebuild [NAME]

status   prints, for each projector (and each generation a rebuild is filling), its position in
         the log, how many events it applied, how many it is behind (counted up to 10000) and
         how long ago the oldest event it has not applied was recorded, and the event it cannot
         apply, if any (id, position, attempts, error). Exits 1 when a projector is failing.
rebuild  replays the whole log into a new generation of NAME's read model (every projector when
         NAME is omitted) while a running server keeps serving and updating the old one; when
         the new generation has caught up it replaces the old one in one transaction, and the
         server carries on from it. Projectors: ` + projectorNames() + `.`,
		Run: runProjections,
	})
}

// ErrProjectorFailing is returned by projections status when a projector cannot apply an event.
var ErrProjectorFailing = errors.New("a projector is failing")

func runProjections(ctx context.Context, m *Main, args []string) error {
	fs := newFlagSet("projections", m.Stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError("projections needs a verb: status or rebuild [NAME]")
	}
	verb, rest := fs.Arg(0), fs.Args()[1:]
	switch {
	case verb == "status" && len(rest) == 0:
		if err := m.Open(ctx); err != nil {
			return err
		}
		return printProjectionStatus(ctx, m)
	case verb == "rebuild" && len(rest) <= 1:
		name := ""
		if len(rest) == 1 {
			name = rest[0]
		}
		if err := m.Open(ctx); err != nil {
			return err
		}
		start := time.Now()
		if err := m.Projections.Rebuild(ctx, name); err != nil {
			return err
		}
		what := name
		if what == "" {
			what = "every projector"
		}
		fmt.Fprintf(m.Stdout, "rebuilt %s in %s\n", what, time.Since(start).Round(time.Millisecond))
		return nil
	}
	return usageError("unknown projections command %q (want: status, or rebuild [NAME])", fs.Args())
}

func printProjectionStatus(ctx context.Context, m *Main) error {
	st, err := m.Projections.Status(ctx, time.Now())
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "PROJECTOR\tGEN\tSTATE\tPOSITION\tAPPLIED\tBEHIND\tOLDEST UNAPPLIED\tLAST APPLIED AT")
	failing := 0
	for _, s := range st {
		state := "active"
		if !s.Active {
			state = "rebuilding"
		}
		if s.Failure != nil {
			state += ",failing"
			failing++
		}
		behind := fmt.Sprint(s.Behind)
		if s.BehindAtLeast {
			behind = ">" + behind
		}
		last := "-"
		if !s.LastRecordedAt.IsZero() {
			last = s.LastRecordedAt.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%d\t%s\t%s\t%s\n", s.Name, s.Generation, state, s.Position,
			s.Applied, behind, s.OldestUnapplied.Round(time.Millisecond), last)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	for _, s := range st {
		if f := s.Failure; f != nil {
			fmt.Fprintf(m.Stdout, "\n%s (generation %d) cannot apply event %s at %s (%d attempts, last %s):\n  %s\n",
				s.Name, s.Generation, f.EventID, f.Position, f.Attempts, f.At.UTC().Format(time.RFC3339), f.Error)
		}
	}
	if failing > 0 {
		return fmt.Errorf("%d projector(s) failing: %w", failing, ErrProjectorFailing)
	}
	return nil
}

// projectorNames lists the names rebuild accepts.
func projectorNames() string {
	var s string
	for i, p := range projections.All(nil) {
		if i > 0 {
			s += ", "
		}
		s += p.Name()
	}
	return s
}
