package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/sar"
	"github.com/caseledger/caseledger/projections/export"
)

func init() {
	register(Command{
		Name:    "sar",
		Summary: "subject access requests: rules, receive, identity, extend, refuse, status, list, export",
		Usage: `caseledger sar rules    --user DPO --practice ID --regime uk_gdpr|hipaa --time-zone ZONE
caseledger sar receive  --user DPO --client ID [--request ID] [--channel email] [--identity pending|verified] [--regime R] [--on DATE]
caseledger sar identity --user DPO --request ID (--verified --method M | --reason R) [--on DATE]
caseledger sar extend   --user DPO --request ID (--months 1|2 | --days 1-30 --in-writing) --reason R
caseledger sar refuse   --user DPO --request ID --reason manifestly_unfounded|excessive --detail TEXT
caseledger sar status   --user DPO --request ID
caseledger sar list     --user DPO [--on DATE]
caseledger sar export   --user DPO --out DIR (--request ID | --client ID [--psychotherapy-notes]) [--formats json,html,fhir]

--user is the DPO's user id: every step is recorded under it. rules sets the practice's regime
and IANA time zone (e.g. Europe/London, America/New_York; default uk_gdpr in UTC); a request
keeps the rules it was received under, and receive --regime overrides the regime for one
request. Dates (--on, and "today" when it is omitted) are the practice's local dates.
Under uk_gdpr the deadline is one calendar month (the same date next month, clamped to the
month's end) counted from the day identity is verified, stopped while identity or clarification
is awaited, and extendable by up to two more months (--months) notified within the first month.
Under hipaa (45 CFR 164.524) it is 30 days from receipt whatever the identity check's state,
extendable once by up to 30 days (--days N --in-writing: the requester got a written statement
of the reasons and the new date) given within the first 30 days.
list shows every request, open ones first by deadline, marking overdue ones.
A request is released with --request after the therapist who holds the record
reviewed it (the API's review step): the reviewed export is written to DIR and SARReleased
records the SHA-256 of its JSON. --client writes the whole record for the DPO's own search
(psychotherapy notes only with --psychotherapy-notes) and releases nothing. Every export is
recorded in the client's access log before it is written. Files are created with mode 0600.`,
		Run: runSAR,
	})
}

// operator parses the --user flag into an actor of role.
func operator(user string, role domain.Role) (domain.Actor, error) {
	if user == "" {
		return domain.Actor{}, usageError("--user is required: the %s's user id", role)
	}
	id, err := domain.ParseID(user)
	if err != nil {
		return domain.Actor{}, usageError("--user: not a user id")
	}
	return domain.Actor{UserID: id, Role: role}, nil
}

// commandDeps returns the command dependencies over the opened event log and keyring, on the
// wall clock.
func (m *Main) commandDeps() commands.Deps {
	return commands.Deps{Log: m.Store, Sealer: m.Keys, Clock: commands.ClockFunc(time.Now)}
}

// parseIDFlag parses a required id flag.
func parseIDFlag(name, v string) (domain.ID, error) {
	if v == "" {
		return domain.ID{}, usageError("--%s is required", name)
	}
	id, err := domain.ParseID(v)
	if err != nil {
		return domain.ID{}, usageError("--%s: not an id", name)
	}
	return id, nil
}

// parseDateFlag parses an optional YYYY-MM-DD flag; empty is the zero date (today).
func parseDateFlag(name, v string) (sar.Date, error) {
	if v == "" {
		return sar.Date{}, nil
	}
	d, err := sar.ParseDate(v)
	if err != nil {
		return sar.Date{}, usageError("--%s: want YYYY-MM-DD", name)
	}
	return d, nil
}

// writePrivate writes each file into dir (created 0700) with mode 0600 and prints its path.
func (m *Main) writePrivate(dir string, files map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for name, b := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "wrote %s (%d bytes)\n", p, len(b))
	}
	return nil
}

func runSAR(ctx context.Context, m *Main, args []string) error {
	if len(args) == 0 {
		return usageError("missing subcommand: receive, identity, extend, refuse, status, list or export")
	}
	verb, args := args[0], args[1:]
	fs := newFlagSet("sar "+verb, m.Stderr)
	user := fs.String("user", "", "the DPO's user `id`")
	requestFlag := fs.String("request", "", "subject access request `id`")
	clientFlag := fs.String("client", "", "client `id`")
	channel := fs.String("channel", "email", "how the request arrived: portal, email, letter, in_person, phone")
	identity := fs.String("identity", "pending", "identity check at receipt: pending or verified")
	representative := fs.Bool("representative", false, "made by someone acting for the client")
	on := fs.String("on", "", "the `date` (YYYY-MM-DD) of the step; default today")
	verified := fs.Bool("verified", false, "identity was verified (else the clock stops)")
	method := fs.String("method", "", "how identity was verified")
	reason := fs.String("reason", "", "reason")
	months := fs.Int("months", 0, "months of extension (uk_gdpr; default 1 when --days is not given)")
	days := fs.Int("days", 0, "days of extension (hipaa)")
	inWriting := fs.Bool("in-writing", false, "the requester got the extension in writing (required under hipaa)")
	regime := fs.String("regime", "", "uk_gdpr or hipaa (rules: the practice's; receive: overrides the practice's)")
	practiceFlag := fs.String("practice", "", "practice `id`")
	zone := fs.String("time-zone", "", "IANA time zone of the practice, e.g. Europe/London")
	detail := fs.String("detail", "", "explanation of a refusal")
	out := fs.String("out", "", "directory to write the export to")
	formats := fs.String("formats", "json,html,fhir", "comma-separated formats: json, html, fhir")
	psy := fs.Bool("psychotherapy-notes", false, "include psychotherapy notes (whole-record export only)")
	if err := parseFlagsOnly(fs, args); err != nil {
		return err
	}
	actor, err := operator(*user, domain.RoleDPO)
	if err != nil {
		return err
	}
	day, err := parseDateFlag("on", *on)
	if err != nil {
		return err
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	d := m.commandDeps()
	switch verb {
	case "rules":
		practiceID, err := parseIDFlag("practice", *practiceFlag)
		if err != nil {
			return err
		}
		rules := sar.Rules{Regime: sar.Regime(*regime), TimeZone: *zone}
		if err := commands.NewSetSARRulesHandler(d).Handle(ctx, actor, commands.SetSARRules{PracticeID: practiceID, Rules: rules}); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "practice %s: new subject access requests follow %s, dates in %s\n", practiceID, rules.Regime, rules.TimeZone)
		return nil
	case "receive":
		clientID, err := parseIDFlag("client", *clientFlag)
		if err != nil {
			return err
		}
		id := domain.ID(uuid.Must(uuid.NewV7()))
		if *requestFlag != "" {
			if id, err = parseIDFlag("request", *requestFlag); err != nil {
				return err
			}
		}
		err = commands.NewReceiveSARHandler(d).Handle(ctx, actor, commands.ReceiveSAR{RequestID: id, ClientID: clientID, ReceivedOn: day,
			Channel: sar.Channel(*channel), Identity: sar.Identity(*identity), ByRepresentative: *representative, Regime: sar.Regime(*regime)})
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "request %s received\n", id)
		return printSARStatus(ctx, m, d, id)
	case "identity", "extend", "refuse", "status":
		id, err := parseIDFlag("request", *requestFlag)
		if err != nil {
			return err
		}
		switch verb {
		case "identity":
			err = commands.NewSARIdentityHandler(d).Handle(ctx, actor, commands.SARIdentity{RequestID: id, Verified: *verified, Method: *method, Reason: *reason, On: day})
		case "extend":
			if *months == 0 && *days == 0 {
				*months = 1
			}
			err = commands.NewExtendSARHandler(d).Handle(ctx, actor, commands.ExtendSAR{RequestID: id, Months: *months, Days: *days,
				InWriting: *inWriting, Reason: *reason, NotifiedOn: day})
		case "refuse":
			err = commands.NewRefuseSARHandler(d).Handle(ctx, actor, commands.RefuseSAR{RequestID: id, Reason: sar.RefusalReason(*reason), Detail: *detail, On: day})
		}
		if err != nil {
			return err
		}
		return printSARStatus(ctx, m, d, id)
	case "list":
		return listSARs(ctx, m, d, actor, day)
	case "export":
		return sarExport(ctx, m, d, actor, *requestFlag, *clientFlag, *out, *formats, *psy)
	default:
		return usageError("unknown sar subcommand %q", verb)
	}
}

func printSARStatus(ctx context.Context, m *Main, d commands.Deps, id domain.ID) error {
	r, _, err := commands.LoadSAR(ctx, d, id)
	if err != nil {
		return err
	}
	today := sar.DateOf(time.Now().UTC())
	if loc, err := time.LoadLocation(r.TimeZone()); err == nil {
		today = sar.DateOf(time.Now().In(loc))
	}
	due := "none yet (identity pending since receipt)"
	if dd, ok := r.Due(today); ok {
		due = dd.String()
		if !r.ClockRunning() {
			due += " (clock stopped: moves on while identity is awaited)"
		}
	}
	extension := fmt.Sprintf("%d month(s)", r.ExtensionMonths())
	if r.Regime() == sar.RegimeHIPAA {
		extension = fmt.Sprintf("%d day(s)", r.ExtensionDays())
	}
	fmt.Fprintf(m.Stdout, "request %s: client %s, %s, dates in %s, received %s, status %s, due %s, extension %s\n",
		r.ID(), r.Client(), r.Regime(), r.TimeZone(), r.ReceivedOn(), r.Status(), due, extension)
	return nil
}

func listSARs(ctx context.Context, m *Main, d commands.Deps, actor domain.Actor, day sar.Date) error {
	list, err := commands.NewListSARsHandler(d, m.Store).Handle(ctx, actor, day)
	if err != nil {
		return err
	}
	overdue := 0
	for _, s := range list {
		if s.Erased {
			fmt.Fprintf(m.Stdout, "%s\terased client\n", s.RequestID)
			continue
		}
		due := "identity pending"
		if !s.Due.IsZero() {
			due = "due " + s.Due.String()
		}
		flag := ""
		switch {
		case s.Overdue:
			flag, overdue = "\tOVERDUE", overdue+1
		case !s.ClockRunning && !s.Due.IsZero():
			flag = "\tclock stopped"
		}
		fmt.Fprintf(m.Stdout, "%s\tclient %s\t%s\treceived %s\t%s\t%s%s\n", s.RequestID, s.ClientID, s.Regime, s.ReceivedOn, s.Status, due, flag)
	}
	fmt.Fprintf(m.Stdout, "%d request(s), %d overdue\n", len(list), overdue)
	return nil
}

func sarExport(ctx context.Context, m *Main, d commands.Deps, actor domain.Actor, request, clientFlag, out, formatList string, psy bool) error {
	if out == "" {
		return usageError("--out is required")
	}
	var formats []export.Format
	for _, f := range strings.Split(formatList, ",") {
		format, err := export.ParseFormat(strings.TrimSpace(f))
		if err != nil {
			return usageError("--formats: %v", err)
		}
		formats = append(formats, format)
	}
	svc := export.NewService(d)
	files := map[string][]byte{}
	name := func(f export.Format) string {
		switch f {
		case export.FormatHTML:
			return "export.html"
		case export.FormatFHIR:
			return "export.fhir.json"
		}
		return "export.json"
	}
	switch {
	case request != "" && clientFlag != "":
		return usageError("give --request or --client, not both")
	case request != "":
		id, err := parseIDFlag("request", request)
		if err != nil {
			return err
		}
		rel, err := svc.Release(ctx, actor, id, formats)
		if err != nil {
			return err
		}
		for f, b := range rel.Files {
			files[name(f)] = b
		}
		if err := m.writePrivate(out, files); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "released request %s; sha256 of export.json: %s\n", id, rel.Digest)
		return nil
	default:
		id, err := parseIDFlag("client", clientFlag)
		if err != nil {
			return err
		}
		r, err := svc.Export(ctx, actor, id, psy)
		if err != nil {
			return err
		}
		for _, f := range formats {
			b, err := export.Render(r, f)
			if err != nil {
				return err
			}
			files[name(f)] = b
		}
		return m.writePrivate(out, files)
	}
}
