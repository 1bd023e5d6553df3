package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // practices' IANA time zones work on hosts without a zone database
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Dispatch(ctx, os.Args[1:], os.LookupEnv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Dispatch runs the subcommand named by args[0] with the rest of args and returns the process exit
// status: 0 on success (and for -h), 2 for a command-line or configuration mistake, 1 for any other
// failure, whose message goes to stderr. lookupEnv (os.LookupEnv) is the only source of
// configuration besides the subcommand's own flags; stdin is read only by subcommands that say so
// (a password for `users create-admin`). The Main given to the subcommand is closed before
// Dispatch returns.
func Dispatch(ctx context.Context, args []string, lookupEnv func(string) (string, bool), stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		_ = printHelp(stderr, "")
		return 2
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		topic := ""
		if len(rest) > 0 {
			topic = rest[0]
		}
		if err := printHelp(stdout, topic); err != nil {
			fmt.Fprintf(stderr, "caseledger: %v\n", err)
			return 2
		}
		return 0
	}
	c, ok := subcommands[name]
	if !ok {
		fmt.Fprintf(stderr, "caseledger: unknown command %q\n\n", name)
		_ = printHelp(stderr, "")
		return 2
	}
	cfg, err := ConfigFromEnv(func(k string) string { v, _ := lookupEnv(k); return v })
	if err == nil {
		err = cfg.Validate()
	}
	if err != nil {
		fmt.Fprintf(stderr, "caseledger: configuration: %v\n", err)
		return 2
	}
	m := NewMain(cfg, stdout, stderr)
	m.LookupEnv = lookupEnv
	m.Stdin = stdin
	err = c.Run(ctx, m, rest)
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, ErrUsage):
		fmt.Fprintf(stderr, "caseledger %s: %v\n", name, err)
		return 2
	default:
		fmt.Fprintf(stderr, "caseledger %s: %v\n", name, err)
		return 1
	}
}
