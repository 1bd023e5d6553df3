package main

import (
	"context"
	"fmt"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
)

func init() {
	register(Command{
		Name:    "retention",
		Summary: "queue records past their retention period for a DPO decision",
		Usage: `caseledger retention run [--user DPO] [--today DATE]

Finds every discharged client whose retention period ended on or before today (the discharge
date plus the practice's period for the record's kind; children's records until the configured
birthday) and queues each for the DPO with a RetentionReviewQueued event in
retention-<client id>. Nothing is erased: the DPO decides (erasure request and caseledger erase,
or keep until a later review). Safe to run as often as wanted: a queued record is not queued
again. Without --user it runs as the system. serve sweeps every CASELEDGER_RETENTION_SWEEP_INTERVAL.`,
		Run: runRetention,
	})
}

func runRetention(ctx context.Context, m *Main, args []string) error {
	if len(args) == 0 || args[0] != "run" {
		return usageError("missing subcommand: caseledger retention run")
	}
	fs := newFlagSet("retention run", m.Stderr)
	user := fs.String("user", "", "the DPO's user `id` (default: the system)")
	todayFlag := fs.String("today", "", "the `date` to sweep as of (YYYY-MM-DD); default today")
	if err := parseFlagsOnly(fs, args[1:]); err != nil {
		return err
	}
	actor := domain.Actor{Role: domain.RoleSystem}
	if *user != "" {
		var err error
		if actor, err = operator(*user, domain.RoleDPO); err != nil {
			return err
		}
	}
	today, err := parseDateFlag("today", *todayFlag)
	if err != nil {
		return err
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	res, err := commands.NewSweepRetentionHandler(m.commandDeps(), m.Store).Handle(ctx, actor, commands.SweepRetention{Today: today})
	if err != nil {
		return err
	}
	for _, q := range res.Queued {
		fmt.Fprintf(m.Stdout, "queued client %s: %s retention ended %s (discharged %s)\n", q.ClientID, q.RecordKind, q.Until, q.DischargedOn)
	}
	fmt.Fprintf(m.Stdout, "sweep %s: %d clients checked, %d already erased, %d queued for the DPO\n", res.SweepID, res.Clients, res.Erased, len(res.Queued))
	return nil
}
