package main

import (
	"errors"
	"flag"
	"io"
)

// newFlagSet returns a flag set for a subcommand that reports errors instead of exiting, and
// writes its usage to w.
func newFlagSet(name string, w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("caseledger "+name, flag.ContinueOnError)
	fs.SetOutput(w)
	return fs
}

// parseFlags parses args into fs. -h yields ErrHelp (exit 0 after the usage was printed); any
// other mistake becomes a usage error (exit 2).
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		return flag.ErrHelp
	default:
		return usageError("%v", err)
	}
}

// parseFlagsOnly parses args into fs like parseFlags, and refuses any argument left after the
// flags with a usage error (exit 2).
func parseFlagsOnly(fs *flag.FlagSet, args []string) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("unexpected arguments %q", fs.Args())
	}
	return nil
}
