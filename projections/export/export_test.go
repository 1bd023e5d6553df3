package export_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/fhir/go/fhirversion"
	"github.com/google/fhir/go/jsonformat"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/sar"
	"github.com/caseledger/caseledger/projections/export"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/sar")

// golden compares got with testdata/sar/name, or rewrites it with -update.
func golden(tb testing.TB, name string, got []byte) {
	tb.Helper()
	path := filepath.Join("..", "..", "testdata", "sar", name)
	if *update {
		must(tb, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	must(tb, err)
	if !bytes.Equal(got, want) {
		tb.Fatalf("%s differs from the golden file; run go test ./projections/export -update and review the diff\n--- got\n%s", name, got)
	}
}

// strictFHIR parses b with Google's FHIR R4 parser, which rejects unknown fields, wrong types,
// malformed primitives and missing required elements.
func strictFHIR(tb testing.TB, b []byte) {
	tb.Helper()
	u, err := jsonformat.NewUnmarshaller("UTC", fhirversion.R4)
	must(tb, err)
	if _, err := u.Unmarshal(b); err != nil {
		tb.Fatalf("FHIR R4 parser rejects the bundle: %v", err)
	}
}

func TestReleaseGolden(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	rel, err := w.svc.Release(ctx, dpo, sarID, []export.Format{export.FormatHTML, export.FormatFHIR})
	must(t, err)
	golden(t, "export.json", rel.Files[export.FormatJSON])
	golden(t, "export.fhir.json", rel.Files[export.FormatFHIR])
	golden(t, "export.html", rel.Files[export.FormatHTML])
	strictFHIR(t, rel.Files[export.FormatFHIR])

	var rec export.Record
	must(t, json.Unmarshal(rel.Files[export.FormatJSON], &rec))
	t.Run("review decisions applied", func(t *testing.T) {
		if rec.WithheldItems != 1 || len(rec.Notes) != 1 || rec.Notes[0].ID != note1 {
			t.Fatalf("withheld %d, notes %+v: want note2 withheld and note1 kept", rec.WithheldItems, rec.Notes)
		}
		if len(rec.Appointments) != 1 || !rec.Appointments[0].Redacted || rec.Appointments[0].Location != "" {
			t.Fatalf("appointment %+v: want redacted", rec.Appointments)
		}
	})
	t.Run("psychotherapy notes excluded", func(t *testing.T) {
		if rec.PsychotherapyNotesIncluded || bytes.Contains(rel.Files[export.FormatJSON], []byte("Process reports")) {
			t.Fatal("a psychotherapy note is in the export")
		}
	})
	t.Run("html escapes what people typed", func(t *testing.T) {
		html := rel.Files[export.FormatHTML]
		if bytes.Contains(html, []byte("<script>alert")) || !bytes.Contains(html, []byte("&lt;script&gt;alert(1)")) {
			t.Fatal("the addendum's markup reached the report unescaped")
		}
	})
	t.Run("release recorded with the digest", func(t *testing.T) {
		req, _, err := commands.LoadSAR(ctx, w.deps, sarID)
		must(t, err)
		if req.Status() != sar.StatusReleased || rel.Digest != export.Digest(rel.Files[export.FormatJSON]) {
			t.Fatalf("status %s, digest %s", req.Status(), rel.Digest)
		}
		recs, err := w.store.ReadStream(ctx, commands.SARStream(sarID), 0, 100)
		must(t, err)
		last := recs[len(recs)-1]
		payload, err := w.keys.Open(ctx, last)
		must(t, err)
		if last.Type != "SARReleased" || !bytes.Contains(payload, []byte(rel.Digest)) {
			t.Fatalf("last event %s %s does not record the digest", last.Type, payload)
		}
	})
	t.Run("the export read was audited before release", func(t *testing.T) {
		found := false
		for _, a := range rec.AccessLog {
			found = found || (a.What == export.AccessSARExport && a.UserID == dpo.UserID && a.ItemID == sarID)
		}
		if !found {
			t.Fatalf("access log %+v has no sar_export by the DPO", rec.AccessLog)
		}
	})
}

func TestExportAuthorisation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	self := domain.Actor{UserID: clientID, Role: domain.RoleClient}
	other := domain.Actor{UserID: fid(99), Role: domain.RoleClient}
	cases := []struct {
		name string
		run  func() error
		want domain.Kind
	}{
		{"holder sees the export to review it", func() error { _, err := w.svc.SubjectAccess(ctx, bob, sarID); return err }, ""},
		{"former holder cannot", func() error { _, err := w.svc.SubjectAccess(ctx, alice, sarID); return err }, domain.KindNotFound},
		{"manager cannot", func() error { _, err := w.svc.SubjectAccess(ctx, manager, sarID); return err }, domain.KindForbidden},
		{"auditor cannot export", func() error { _, err := w.svc.SubjectAccess(ctx, auditor, sarID); return err }, domain.KindForbidden},
		{"therapist cannot release", func() error { _, err := w.svc.Release(ctx, bob, sarID, nil); return err }, domain.KindForbidden},
		{"client takes their own data", func() error { _, err := w.svc.Portability(ctx, self, clientID); return err }, ""},
		{"another client cannot", func() error { _, err := w.svc.Portability(ctx, other, clientID); return err }, domain.KindNotFound},
		{"therapist cannot use portability", func() error { _, err := w.svc.Portability(ctx, bob, clientID); return err }, domain.KindForbidden},
		{"therapist cannot replay", func() error { _, err := w.svc.Replay(ctx, bob, clientID, start); return err }, domain.KindForbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.run()
			if c.want == "" {
				must(t, err)
				return
			}
			if got := domain.KindOf(err); got != c.want {
				t.Fatalf("err = %v (kind %q), want kind %s", err, got, c.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Fatalf("error leaks personal data: %v", err)
			}
		})
	}
}

func TestPortabilityHoldsNoClinicalNotes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	b, err := w.svc.Portability(ctx, domain.Actor{UserID: clientID, Role: domain.RoleClient}, clientID)
	must(t, err)
	var rec export.Record
	must(t, json.Unmarshal(b, &rec))
	if rec.Person == nil || rec.Person.FamilyName != secret || len(rec.Consents) != 1 || len(rec.Appointments) != 1 {
		t.Fatalf("portable record lacks what the client provided: %s", b)
	}
	if len(rec.Notes) != 0 || len(rec.AccessLog) != 0 {
		t.Fatalf("portable record holds notes or the access log: %s", b)
	}
}

func TestReleaseNeedsReview(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	second := fid(30)
	must(t, commands.NewReceiveSARHandler(w.deps).Handle(ctx, domain.Actor{UserID: clientID, Role: domain.RoleClient},
		commands.ReceiveSAR{RequestID: second, ClientID: clientID}))
	_, err := w.svc.Release(ctx, dpo, second, nil)
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != "sar_not_reviewed" {
		t.Fatalf("release before review: %v, want sar_not_reviewed", err)
	}
}

func TestFHIRVariantsParseStrictly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	full, err := w.svc.Export(ctx, dpo, clientID, true)
	must(t, err)
	if !full.PsychotherapyNotesIncluded || len(full.Notes) != 3 {
		t.Fatalf("whole-record export with psychotherapy notes: %d notes", len(full.Notes))
	}
	b, err := export.FHIR(full)
	must(t, err)
	strictFHIR(t, b)
	if !bytes.Contains(b, []byte(`"PSYTHPN"`)) {
		t.Fatal("the psychotherapy note carries no PSYTHPN security label")
	}
	if _, err := w.svc.Export(ctx, bob, clientID, false); domain.KindOf(err) != domain.KindForbidden {
		t.Fatalf("a therapist's whole-record export: %v, want forbidden", err)
	}

	// An erased record still renders in every format, with nothing but ids.
	_, err = commands.NewRequestErasureHandler(w.deps).Handle(ctx, dpo, commands.RequestErasure{ClientID: clientID, RequestID: erasure})
	must(t, err)
	must(t, commands.NewDecideErasureHandler(w.deps, w.shredder()).Handle(ctx, dpo, commands.DecideErasure{ClientID: clientID, RequestID: erasure, Decision: commands.EraseApprove}))
	erased, err := w.svc.Replay(ctx, auditor, clientID, w.clock.Now())
	must(t, err)
	for _, f := range []export.Format{export.FormatJSON, export.FormatHTML, export.FormatFHIR} {
		b, err := export.Render(erased, f)
		must(t, err)
		if bytes.Contains(b, []byte(secret)) {
			t.Fatalf("%s of an erased record holds the client's name", f)
		}
		if f == export.FormatFHIR {
			strictFHIR(t, b)
		}
	}
}
