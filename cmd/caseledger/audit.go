package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/projections"
)

func init() {
	register(Command{
		Name:    "audit",
		Summary: "export the audit trail of a period as CSV or JSON",
		Usage: `caseledger audit export --user ID --from TIME --to TIME [--role auditor|dpo] [--client ID] [--actor ID] [--format csv|json]

Writes every audit-trail entry recorded in [--from, --to) (RFC 3339 times) to stdout, oldest
first: sequence, event id, stream, event type, occurred and recorded times, the actor's user id
and role, the data subject, and for record reads what was read. The trail holds ids, types and
times only, never personal data. --client keeps one data subject's entries (for a subject access
request), --actor one user's. Read through the reader role under row-level security.`,
		Run: runAudit,
	})
}

// auditPage is how many entries one query of the audit trail returns.
const auditPage = 10000

func runAudit(ctx context.Context, m *Main, args []string) error {
	if len(args) == 0 || args[0] != "export" {
		return usageError("missing subcommand: caseledger audit export")
	}
	fs := newFlagSet("audit export", m.Stderr)
	reviewer := reviewerFlags(fs)
	from := fs.String("from", "", "start `time` (RFC 3339), inclusive")
	to := fs.String("to", "", "end `time` (RFC 3339), exclusive")
	subject := fs.String("client", "", "only entries about this client `id`")
	actorFlag := fs.String("actor", "", "only entries by this user `id`")
	format := fs.String("format", "csv", "csv or json")
	if err := parseFlagsOnly(fs, args[1:]); err != nil {
		return err
	}
	actor, err := reviewer()
	if err != nil {
		return err
	}
	q := projections.AuditQuery{Limit: auditPage}
	if q.From, err = time.Parse(time.RFC3339Nano, *from); err != nil {
		return usageError("--from: want an RFC 3339 time")
	}
	if q.To, err = time.Parse(time.RFC3339Nano, *to); err != nil {
		return usageError("--to: want an RFC 3339 time")
	}
	if *subject != "" {
		if q.Subject, err = parseIDFlag("client", *subject); err != nil {
			return err
		}
	}
	if *actorFlag != "" {
		if q.Actor, err = parseIDFlag("actor", *actorFlag); err != nil {
			return err
		}
	}
	if *format != "csv" && *format != "json" {
		return usageError("--format: want csv or json")
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	reader, err := projections.NewReader(m.Reader, m.Keys)
	if err != nil {
		return err
	}
	// Pages continue from the last page's recorded time (inclusive), skipping entries already
	// seen by their sequence number, so entries sharing a time at a page boundary are kept.
	var all []projections.AuditEntry
	seen := map[int64]bool{}
	for {
		page, err := reader.Audit(ctx, actor, q)
		if err != nil {
			return err
		}
		added := 0
		for _, e := range page {
			if !seen[e.Seq] {
				seen[e.Seq] = true
				all = append(all, e)
				added++
			}
		}
		if len(page) < auditPage || added == 0 {
			break
		}
		q.From = page[len(page)-1].RecordedAt
	}
	if *format == "json" {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		if all == nil {
			all = []projections.AuditEntry{}
		}
		return enc.Encode(all)
	}
	w := csv.NewWriter(m.Stdout)
	_ = w.Write([]string{"seq", "event_id", "stream", "event_type", "occurred_at", "recorded_at", "actor_id", "actor_role", "subject_id", "accessed_what", "accessed_id"})
	id := func(x domain.ID) string {
		if x.IsZero() {
			return ""
		}
		return x.String()
	}
	for _, e := range all {
		_ = w.Write([]string{strconv.FormatInt(e.Seq, 10), e.EventID.String(), e.StreamID, e.EventType,
			e.OccurredAt.UTC().Format(time.RFC3339Nano), e.RecordedAt.UTC().Format(time.RFC3339Nano),
			id(e.ActorID), e.ActorRole, id(e.SubjectID), e.AccessedWhat, id(e.AccessedID)})
	}
	w.Flush()
	return w.Error()
}
