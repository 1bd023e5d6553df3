package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// A Command is one subcommand of the binary. Run receives the arguments after the subcommand name,
// parses its own flags from them (flag.NewFlagSet(name, flag.ContinueOnError)), and returns an
// error to make the process exit non-zero. Run must stop promptly when ctx is cancelled (SIGINT,
// SIGTERM). m carries the parsed Config and output writers; a subcommand that needs the database
// calls m.Open or m.Run, and the dispatcher calls m.Close after Run returns.
type Command struct {
	// Name is the word typed after caseledger, e.g. "verify". Nested verbs ("keys rotate-master")
	// are parsed by the command itself from args.
	Name string
	// Summary is one line shown by `caseledger help`.
	Summary string
	// Usage is the longer help shown by `caseledger help NAME`; optional.
	Usage string
	// Run does the work.
	Run func(ctx context.Context, m *Main, args []string) error
}

// subcommands holds every registered subcommand by name. It is written only from init functions.
var subcommands = map[string]Command{}

// register adds c to the subcommands. It panics on a duplicate or incomplete registration, which
// is a programming error caught by any test of this package.
func register(c Command) {
	if c.Name == "" || c.Summary == "" || c.Run == nil {
		panic(fmt.Sprintf("caseledger: incomplete command registration %q", c.Name))
	}
	if _, dup := subcommands[c.Name]; dup {
		panic(fmt.Sprintf("caseledger: command %q registered twice", c.Name))
	}
	subcommands[c.Name] = c
}

// ErrUsage marks an error in the command line; the process exits with status 2 instead of 1.
var ErrUsage = errors.New("usage")

// usageError returns an error wrapping ErrUsage with the given explanation.
func usageError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUsage, fmt.Sprintf(format, args...))
}

// commandNames returns the registered names in sorted order.
func commandNames() []string {
	names := make([]string, 0, len(subcommands))
	for n := range subcommands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// printHelp writes the list of subcommands, or the usage of one when topic names it.
func printHelp(w io.Writer, topic string) error {
	if topic != "" {
		c, ok := subcommands[topic]
		if !ok {
			return usageError("unknown command %q (try: caseledger help)", topic)
		}
		fmt.Fprintf(w, "caseledger %s: %s\n", c.Name, c.Summary)
		if c.Usage != "" {
			fmt.Fprintf(w, "\n%s\n", strings.TrimRight(c.Usage, "\n"))
		}
		return nil
	}
	fmt.Fprintln(w, "Usage: caseledger <command> [flags] [args]")
	fmt.Fprintln(w, "\nCommands:")
	width := 4
	for _, n := range commandNames() {
		width = max(width, len(n))
	}
	fmt.Fprintf(w, "  %-*s  %s\n", width, "help", "list the commands, or show one command's usage")
	for _, n := range commandNames() {
		fmt.Fprintf(w, "  %-*s  %s\n", width, n, subcommands[n].Summary)
	}
	fmt.Fprintln(w, "\nConfiguration comes from the environment; see `caseledger help serve`.")
	return nil
}
