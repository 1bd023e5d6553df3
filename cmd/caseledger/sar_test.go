package main_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/migrations/pgtest"
	"github.com/caseledger/caseledger/projections/export"
)

// operatorVars returns the environment of a caseledger process sharing cfg's database and master
// key.
func operatorVars(dsn, dir string) map[string]string {
	return map[string]string{
		"CASELEDGER_DATABASE_URL":    dsn,
		"CASELEDGER_DATA_DIR":        dir,
		"CASELEDGER_MASTER_KEY":      "file:" + filepath.Join(dir, "master.keyset"),
		"CASELEDGER_PRIVATE_CLUSTER": "off",
		"CASELEDGER_LOG_LEVEL":       "warn",
	}
}

func TestCheckpointAndVerifyAgainst(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	cfg := testConfig(t, dsn)
	m := openMain(t, cfg)
	appendPlain(t, m.Store, 3)
	victim, _ := appendPlain(t, m.Store, 4)
	vars := operatorVars(dsn, cfg.DataDir)
	file := filepath.Join(t.TempDir(), "checkpoints.json")

	for _, args := range [][]string{{"checkpoint", "sign"}, {"checkpoint", "export", "--out", file}} {
		if code, stdout, stderr := dispatch(t, vars, args...); code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, stdout, stderr)
		}
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("export file: %v %v", fi, err)
	}

	// A superuser rewrites version 1 of the victim and recomputes every later hash.
	recs, err := m.Store.ReadStream(ctx, victim, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	prev := eventstore.GenesisHash
	err = pgx.BeginFunc(ctx, m.Admin, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `ALTER TABLE event_log DISABLE TRIGGER USER`); err != nil {
			return err
		}
		for _, r := range recs {
			if r.Version == 1 {
				r.Payload = []byte(`{"n":"rewritten"}`)
			}
			r.PrevHash = prev
			r.Hash = eventstore.ChainHash(prev, eventstore.Canonical(r.StreamID, r.Version, r.RecordedAt, r.EventData))
			prev = r.Hash
			if _, err := tx.Exec(ctx, `UPDATE event_log SET payload = $1, prev_hash = $2, hash = $3 WHERE stream_id = $4 AND version = $5`,
				r.Payload, r.PrevHash[:], r.Hash[:], string(victim), int64(r.Version)); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `ALTER TABLE event_log ENABLE TRIGGER USER`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := dispatch(t, vars, "verify"); code != 0 {
		t.Fatalf("plain verify should pass a consistent rewrite: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, stderr := dispatch(t, vars, "verify", "--against", file)
	if code != 1 || !strings.Contains(stdout, string(victim)) || !strings.Contains(stdout, "rewritten") {
		t.Fatalf("verify --against: exit %d, want 1 naming %s\n%s\n%s", code, victim, stdout, stderr)
	}
}

func TestSARExportAndReplayCommands(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	cfg := testConfig(t, dsn)
	m := openMain(t, cfg)
	d := commands.Deps{Log: m.Store, Sealer: m.Keys, Clock: commands.ClockFunc(time.Now)}
	id := func() domain.ID { return domain.ID(uuid.Must(uuid.NewV7())) }
	practiceID, admin, dpo, auditor, therapist := id(), id(), id(), id(), id()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	adminActor := domain.Actor{UserID: admin, Role: domain.RoleAdmin}
	must(commands.NewOpenPracticeHandler(d).Handle(ctx, adminActor, commands.OpenPractice{PracticeID: practiceID}))
	s := commands.NewPracticeSettingsHandler(d)
	must(s.AddStaffMember(ctx, adminActor, practiceID, therapist, domain.RoleTherapist))
	must(s.AddStaffMember(ctx, adminActor, practiceID, dpo, domain.RoleDPO))
	clientID, err := commands.NewRegisterClientHandler(d).Handle(ctx, domain.Actor{UserID: therapist, Role: domain.RoleTherapist},
		commands.RegisterClient{PracticeID: practiceID, TherapistID: therapist, Details: client.Details{GivenName: "Bea", FamilyName: "Marchwood", DateOfBirth: "1985-01-31"}})
	must(err)
	time.Sleep(2 * time.Millisecond)
	asOf := time.Now().UTC()

	vars := operatorVars(dsn, cfg.DataDir)
	run := func(args ...string) string {
		t.Helper()
		code, stdout, stderr := dispatch(t, vars, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, stdout, stderr)
		}
		return stdout
	}
	if got := run("sar", "receive", "--user", dpo.String(), "--client", clientID.String(), "--on", "2026-01-31", "--identity", "verified"); !strings.Contains(got, "due 2026-02-28") {
		t.Fatalf("sar receive: %s", got)
	}
	if got := run("sar", "list", "--user", dpo.String(), "--on", "2026-03-01"); !strings.Contains(got, "OVERDUE") || !strings.Contains(got, "1 request(s), 1 overdue") {
		t.Fatalf("sar list: %s", got)
	}
	// HIPAA in New York: 30 days from receipt, one written extension of up to 30 days.
	if got := run("sar", "rules", "--user", dpo.String(), "--practice", practiceID.String(), "--regime", "hipaa", "--time-zone", "America/New_York"); !strings.Contains(got, "hipaa, dates in America/New_York") {
		t.Fatalf("sar rules: %s", got)
	}
	hipaaReq := id()
	if got := run("sar", "receive", "--user", dpo.String(), "--client", clientID.String(), "--request", hipaaReq.String(), "--on", "2026-01-31", "--identity", "pending"); !strings.Contains(got, "hipaa, dates in America/New_York") || !strings.Contains(got, "due 2026-03-02") {
		t.Fatalf("sar receive under HIPAA: %s", got)
	}
	if code, _, stderr := dispatch(t, vars, "sar", "extend", "--user", dpo.String(), "--request", hipaaReq.String(), "--days", "30", "--reason", "archived records", "--on", "2026-02-10"); code != 1 || !strings.Contains(stderr, "invalid_in_writing") {
		t.Fatalf("extension without --in-writing: exit %d\n%s", code, stderr)
	}
	if got := run("sar", "extend", "--user", dpo.String(), "--request", hipaaReq.String(), "--days", "30", "--in-writing", "--reason", "archived records", "--on", "2026-02-10"); !strings.Contains(got, "due 2026-04-01") || !strings.Contains(got, "extension 30 day(s)") {
		t.Fatalf("sar extend under HIPAA: %s", got)
	}
	if code, _, stderr := dispatch(t, vars, "sar", "rules", "--user", dpo.String(), "--practice", practiceID.String(), "--regime", "hipaa", "--time-zone", "Mars/Olympus_Mons"); code != 1 || !strings.Contains(stderr, "time_zone") && !strings.Contains(stderr, "zone") {
		t.Fatalf("unknown zone: exit %d\n%s", code, stderr)
	}
	dir := filepath.Join(t.TempDir(), "export")
	run("sar", "export", "--user", dpo.String(), "--client", clientID.String(), "--out", dir)
	b, err := os.ReadFile(filepath.Join(dir, "export.json"))
	must(err)
	var rec export.Record
	must(json.Unmarshal(b, &rec))
	if rec.Person == nil || rec.Person.FamilyName != "Marchwood" {
		t.Fatalf("exported record: %s", b)
	}
	for _, name := range []string{"export.html", "export.fhir.json"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v", name, fi, err)
		}
	}
	replay := run("replay", "--user", auditor.String(), "--client", clientID.String(), "--as-of", asOf.Format(time.RFC3339Nano), "--format", "json")
	var r export.Record
	must(json.Unmarshal([]byte(replay), &r))
	if r.Person == nil || len(r.Events) != 1 || r.Events[0].Type != "ClientRegistered" {
		t.Fatalf("replay as of registration: %s", replay)
	}
	if got := run("retention", "run"); !strings.Contains(got, "0 queued") {
		t.Fatalf("retention run: %s", got)
	}
	if code, _, stderr := dispatch(t, vars, "sar", "export", "--client", clientID.String(), "--out", dir); code != 2 || !strings.Contains(stderr, "--user") {
		t.Fatalf("export without --user: exit %d %s", code, stderr)
	}

	// With the read models built, the DPO finds the client and exports the audit trail.
	pctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = m.Projections.Run(pctx) }()
	defer func() { stop(); <-done }()
	deadline := time.Now().Add(30 * time.Second)
	var found string
	for {
		code, stdout, _ := dispatch(t, vars, "clients", "find", "--user", dpo.String(), "--name", "marchwood", "--dob", "1985-01-31")
		if code == 0 && strings.Contains(stdout, clientID.String()) {
			found = stdout
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("clients find never found the client: exit %d %s", code, stdout)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(found, "Marchwood") || !strings.Contains(found, "1 client(s) found") {
		t.Fatalf("clients find: %s", found)
	}
	from, to := asOf.Add(-time.Hour).Format(time.RFC3339), time.Now().Add(time.Hour).Format(time.RFC3339)
	csvOut := run("audit", "export", "--user", auditor.String(), "--from", from, "--to", to, "--client", clientID.String())
	if !strings.Contains(csvOut, "ClientRegistered") || !strings.Contains(csvOut, "sar_export") || strings.Contains(csvOut, "Marchwood") {
		t.Fatalf("audit export csv:\n%s", csvOut)
	}
	var entries []map[string]any
	must(json.Unmarshal([]byte(run("audit", "export", "--user", auditor.String(), "--from", from, "--to", to, "--format", "json")), &entries))
	if len(entries) < 3 {
		t.Fatalf("audit export json: %d entries", len(entries))
	}
}
