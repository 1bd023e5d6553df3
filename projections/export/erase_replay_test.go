package export_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/sar"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/keyring"
	"github.com/caseledger/caseledger/migrations"
	"github.com/caseledger/caseledger/projections"
	"github.com/caseledger/caseledger/projections/export"
)

// shredder adapts the test keyring to the erasure commands.
func (w *world) shredder() commands.Shredder {
	return commands.ShredFunc(func(ctx context.Context, subject domain.ID, o commands.ShredOrder) error {
		_, err := w.keys.Shred(ctx, uuid.UUID(subject), keyring.ShredRequest{RequestID: uuid.UUID(o.RequestID), Stream: o.Stream,
			Actor: eventstore.Actor{UserID: uuid.UUID(o.Actor.UserID), Role: string(o.Actor.Role)}})
		return err
	})
}

// runProjections runs every projector on the world's database until the test ends and returns
// the erasure probe over their tables.
func (w *world) runProjections(tb testing.TB) export.Residue {
	tb.Helper()
	ps := projections.All(w.keys)
	eng, err := projections.New(projections.Config{Store: w.store, Pool: w.pool(tb, migrations.RoleApp), Projectors: ps})
	must(tb, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = eng.Run(ctx) }()
	tb.Cleanup(func() { cancel(); <-done })
	return export.Residue{Pool: w.pool(tb, ""), Tables: export.ResidueTables(ps)}
}

func TestEraseProvesAndReplayShowsErased(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	probe := w.runProjections(t)

	// Wait until the read models hold the client, so the purge is really tested.
	deadline := time.Now().Add(30 * time.Second)
	for {
		rows, err := probe.SubjectRows(ctx, clientID)
		must(t, err)
		var n int64
		for _, c := range rows {
			n += c
		}
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the projectors never wrote a row of the client")
		}
		time.Sleep(50 * time.Millisecond)
	}

	before, err := w.svc.Replay(ctx, auditor, clientID, w.afterAddendum)
	must(t, err)
	if before.Erased || before.Person == nil || len(before.Notes) != 2 {
		t.Fatalf("replay before erasure: erased %v, person %v, %d notes", before.Erased, before.Person != nil, len(before.Notes))
	}

	_, err = commands.NewRequestErasureHandler(w.deps).Handle(ctx, domain.Actor{UserID: clientID, Role: domain.RoleClient},
		commands.RequestErasure{ClientID: clientID, RequestID: erasure})
	must(t, err)
	h := commands.NewEraseClientHandler(w.deps, w.shredder(), probe, 30*time.Second)
	if _, err := h.Handle(ctx, auditor, commands.EraseClient{ClientID: clientID, RequestID: erasure}); domain.KindOf(err) != domain.KindForbidden {
		t.Fatalf("auditor erasing: %v, want forbidden", err)
	}
	proof, err := h.Handle(ctx, dpo, commands.EraseClient{ClientID: clientID, RequestID: erasure})
	must(t, err)
	if !proof.Passed || len(proof.Checks) != 3 {
		t.Fatalf("erasure proof failed: %+v", proof)
	}
	recs, err := w.store.ReadStream(ctx, commands.ErasureProofStream(erasure), 0, 10)
	must(t, err)
	if len(recs) != 1 || recs[0].Subject != uuid.Nil || strings.Contains(string(recs[0].Payload), secret) {
		t.Fatalf("proof event: %+v", recs)
	}
	ev, err := sar.DecodeProof(recs[0].Type, recs[0].SchemaVersion, recs[0].Payload)
	must(t, err)
	if got := ev.(sar.ErasureVerified); !got.Passed || got.RequestID != erasure {
		t.Fatalf("stored proof %+v", got)
	}

	after, err := w.svc.Replay(ctx, auditor, clientID, w.afterAddendum)
	must(t, err)
	// Appointment streams are found through the sealed schedule index, so after erasure they
	// can no longer be found; every other event is still listed, as erased.
	outsideAppointments := func(es []export.EventEntry) (n int) {
		for _, e := range es {
			if !strings.HasPrefix(e.Stream, "appointment-") {
				n++
			}
		}
		return n
	}
	if !after.Erased || after.Person != nil || len(after.Notes) != 0 || outsideAppointments(after.Events) != outsideAppointments(before.Events) {
		t.Fatalf("replay after erasure: erased %v, person %v, %d notes, %d events (before %d)",
			after.Erased, after.Person != nil, len(after.Notes), len(after.Events), len(before.Events))
	}
	for _, e := range after.Events {
		if !e.Erased && strings.HasPrefix(e.Stream, "client-") {
			t.Fatalf("event %s@%d is readable after erasure", e.Stream, e.Version)
		}
	}
	text, err := export.Text(after)
	must(t, err)
	if strings.Contains(string(text), secret) || !strings.Contains(string(text), "ERASED") {
		t.Fatalf("replay text after erasure:\n%s", text)
	}
}

func TestReplayAsOf(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	cases := []struct {
		name     string
		asOf     time.Time
		addenda  int
		custody  int
		accesses int
	}{
		{"before the amendment", w.beforeAddendum, 0, 1, 0},
		{"after the amendment", w.afterAddendum, 1, 1, 1},
		{"after the transfer", w.afterTransfer, 1, 2, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := w.svc.Replay(ctx, auditor, clientID, c.asOf)
			must(t, err)
			var n1 *export.Note
			for i := range r.Notes {
				if r.Notes[i].ID == note1 {
					n1 = &r.Notes[i]
				}
			}
			if n1 == nil || len(n1.Addenda) != c.addenda || len(r.Custody) != c.custody || len(r.AccessLog) != c.accesses {
				t.Fatalf("as of %s: note1 %+v, custody %d, accesses %d", c.asOf, n1, len(r.Custody), len(r.AccessLog))
			}
			for _, e := range r.Events {
				if e.RecordedAt.After(c.asOf) {
					t.Fatalf("event %s@%d recorded %s is after as-of %s", e.Stream, e.Version, e.RecordedAt, c.asOf)
				}
			}
			if _, err := export.Text(r); err != nil {
				t.Fatal(err)
			}
		})
	}
	if _, err := w.svc.Replay(ctx, auditor, clientID, start); domain.KindOf(err) != domain.KindNotFound {
		t.Fatalf("replay before the client existed: %v, want not found", err)
	}
}

func TestReplayShowsDischargeThenReadmission(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	must(t, commands.NewDischargeClientHandler(w.deps).Handle(ctx, bob, commands.DischargeClient{ClientID: clientID, EndedOn: w.clock.Now()}))
	discharged := w.clock.advance(24 * time.Hour)
	w.clock.advance(24 * time.Hour)
	must(t, commands.NewReadmitClientHandler(w.deps).Handle(ctx, bob, commands.ReadmitClient{ClientID: clientID, StartedOn: w.clock.Now()}))
	readmitted := w.clock.advance(time.Hour)

	cases := []struct {
		name                    string
		asOf                    time.Time
		dischargedOn, readmitOn bool
	}{
		{"after the discharge", discharged, true, false},
		{"after the readmission", readmitted, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := w.svc.Replay(ctx, auditor, clientID, c.asOf)
			must(t, err)
			if (r.Treatment.DischargedOn != "") != c.dischargedOn || (r.Treatment.ReadmittedOn != "") != c.readmitOn {
				t.Fatalf("as of %s: treatment %+v", c.asOf, r.Treatment)
			}
		})
	}
}
