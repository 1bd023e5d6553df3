package main

import (
	"context"
	"fmt"
	"time"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/projections"
	"github.com/caseledger/caseledger/projections/export"
)

func init() {
	register(Command{
		Name:    "erase",
		Summary: "carry out an erasure request: approve, shred the client's key, prove it",
		Usage: `caseledger erase --user DPO --client ID --request ID [--wait 60s] [--catch-up]

Approves the client's erasure request (when still open or deferred), shreds the client's key
(crypto-shredding: every payload sealed for the client becomes unreadable for good), and records
a PII-free ErasureVerified proof in the stream erasureproof-<request id> with three checks: the
keyring refuses the client (key gone), a sample of the client's sealed payloads no longer opens,
and no read-model row refers to the client (the audit trail keeps PII-free facts by design).
The read models are purged by the projectors of a running server; --catch-up runs the projectors
in this process instead (when no server runs). --wait bounds how long to wait for the purge.
Exits 1 when a check fails. Erasure is a decision: refuse or defer through the API instead.`,
		Run: runErase,
	})
}

func runErase(ctx context.Context, m *Main, args []string) error {
	fs := newFlagSet("erase", m.Stderr)
	user := fs.String("user", "", "the DPO's user `id`")
	clientFlag := fs.String("client", "", "client `id`")
	requestFlag := fs.String("request", "", "erasure request `id`")
	wait := fs.Duration("wait", time.Minute, "how long to wait for the read models to be purged")
	catchUp := fs.Bool("catch-up", false, "run the projectors in this process while waiting")
	if err := parseFlagsOnly(fs, args); err != nil {
		return err
	}
	actor, err := operator(*user, domain.RoleDPO)
	if err != nil {
		return err
	}
	clientID, err := parseIDFlag("client", *clientFlag)
	if err != nil {
		return err
	}
	requestID, err := parseIDFlag("request", *requestFlag)
	if err != nil {
		return err
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	if *catchUp {
		pctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); _ = m.Projections.Run(pctx) }()
		defer func() { stop(); <-done }()
	}
	probe := export.Residue{Pool: m.Admin, Tables: export.ResidueTables(projections.All(m.Keys))}
	h := commands.NewEraseClientHandler(m.commandDeps(), m.shredder(), probe, *wait)
	proof, err := h.Handle(ctx, actor, commands.EraseClient{ClientID: clientID, RequestID: requestID})
	if err != nil {
		return err
	}
	for _, c := range proof.Checks {
		status := "PASS"
		if !c.Passed {
			status = "FAIL"
		}
		fmt.Fprintf(m.Stdout, "%s %s: %s\n", status, c.Name, c.Detail)
	}
	if !proof.Passed {
		return fmt.Errorf("erasure of client %s: a check failed (proof recorded in %s)", clientID, commands.ErasureProofStream(requestID))
	}
	fmt.Fprintf(m.Stdout, "client %s erased; proof recorded in %s\n", clientID, commands.ErasureProofStream(requestID))
	return nil
}
