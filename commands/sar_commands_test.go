package commands_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/note"
	"github.com/caseledger/caseledger/domain/practice"
	"github.com/caseledger/caseledger/domain/sar"
	"github.com/caseledger/caseledger/eventstore"
)

func sarDate(tb testing.TB, s string) sar.Date {
	tb.Helper()
	d, err := sar.ParseDate(s)
	must(tb, err)
	return d
}

func TestRetentionSweep(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newClinic(t)
	discharged := c.register(t, c.alice)
	inTreatment := c.register(t, c.alice)
	must(t, commands.NewDischargeClientHandler(c.deps).Handle(ctx, c.alice, commands.DischargeClient{ClientID: discharged, EndedOn: clinicStart}))
	sweep := commands.NewSweepRetentionHandler(c.deps, lister(t, c))
	run := func(today string) commands.SweepResult {
		t.Helper()
		res, err := sweep.Handle(ctx, domain.Actor{Role: domain.RoleSystem}, commands.SweepRetention{Today: sarDate(t, today)})
		must(t, err)
		return res
	}
	// Adult mental-health records are kept 20 years after the end of treatment.
	if res := run("2046-03-01"); len(res.Queued) != 0 || res.Clients != 2 {
		t.Fatalf("a day early: %+v", res)
	}
	res := run("2046-03-02")
	if len(res.Queued) != 1 || res.Queued[0].ClientID != discharged || res.Queued[0].Until.String() != "2046-03-02" {
		t.Fatalf("on the day: %+v", res)
	}
	if res := run("2046-06-01"); len(res.Queued) != 0 {
		t.Fatalf("queued twice: %+v", res)
	}
	for _, id := range []domain.ID{discharged, inTreatment} {
		if _, _, err := commands.LoadClient(ctx, c.deps, id); err != nil {
			t.Fatalf("a sweep must erase nothing: %v", err)
		}
	}

	resolve := commands.NewResolveRetentionHandler(c.deps)
	c.clock.Advance(20 * 366 * 24 * time.Hour) // the DPO decides in 2046
	wantKind(t, resolve.Handle(ctx, c.auditor, commands.ResolveRetention{ClientID: discharged, Outcome: sar.RetentionKept, ReviewOn: sarDate(t, "2050-01-01")}), domain.KindForbidden, "resolve_retention_forbidden")
	must(t, resolve.Handle(ctx, c.dpo, commands.ResolveRetention{ClientID: discharged, Outcome: sar.RetentionKept, ReviewOn: sarDate(t, "2050-01-01")}))
	if res := run("2049-12-31"); len(res.Queued) != 0 {
		t.Fatalf("kept until 2050 but queued: %+v", res)
	}
	if res := run("2050-01-01"); len(res.Queued) != 1 {
		t.Fatalf("review date reached but not queued: %+v", res)
	}
	if _, err := sweep.Handle(ctx, c.manager, commands.SweepRetention{}); domain.KindOf(err) != domain.KindForbidden {
		t.Fatalf("manager sweeping: %v", err)
	}
}

func TestSARWorkflowCommands(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newClinic(t)
	clientID := c.register(t, c.alice)
	req := newID(t)
	self := domain.Actor{UserID: clientID, Role: domain.RoleClient}
	must(t, commands.NewReceiveSARHandler(c.deps).Handle(ctx, c.dpo, commands.ReceiveSAR{RequestID: req, ClientID: clientID,
		Channel: sar.ChannelLetter, Identity: sar.IdentityPending, ByRepresentative: true}))
	wantKind(t, commands.NewReceiveSARHandler(c.deps).Handle(ctx, c.dpo, commands.ReceiveSAR{RequestID: req, ClientID: clientID,
		Channel: sar.ChannelLetter, Identity: sar.IdentityPending}), domain.KindConflict, "sar_exists")
	wantKind(t, commands.NewReceiveSARHandler(c.deps).Handle(ctx, domain.Actor{UserID: newID(t), Role: domain.RoleClient},
		commands.ReceiveSAR{RequestID: newID(t), ClientID: clientID}), domain.KindNotFound, "")

	r, _, err := commands.LoadSAR(ctx, c.deps, req)
	must(t, err)
	if _, ok := r.Due(sar.DateOf(clinicStart)); ok {
		t.Fatal("the clock runs while identity is pending")
	}
	c.clock.Advance(48 * time.Hour)
	must(t, commands.NewSARIdentityHandler(c.deps).Handle(ctx, c.dpo, commands.SARIdentity{RequestID: req, Verified: true, Method: "parental_responsibility"}))
	must(t, commands.NewExtendSARHandler(c.deps).Handle(ctx, c.dpo, commands.ExtendSAR{RequestID: req, Months: 1, Reason: "records from two services"}))
	wantKind(t, commands.NewReviewSARHandler(c.deps).Handle(ctx, c.bob, commands.ReviewSAR{RequestID: req}), domain.KindNotFound, "")
	wantKind(t, commands.NewReviewSARHandler(c.deps).Handle(ctx, c.dpo, commands.ReviewSAR{RequestID: req}), domain.KindForbidden, "review_sar_forbidden")
	must(t, commands.NewReviewSARHandler(c.deps).Handle(ctx, c.alice, commands.ReviewSAR{RequestID: req}))
	r, _, err = commands.LoadSAR(ctx, c.deps, req)
	must(t, err)
	due, ok := r.Due(sar.DateOf(c.clock.Now()))
	if !ok || due.String() != "2026-05-04" || r.Status() != sar.StatusReviewed {
		t.Fatalf("due %s (%v), status %s; want 2026-05-04 (verified 4 March + 2 months)", due, ok, r.Status())
	}

	// A client's own portal request is identity-verified by the sign-in.
	own := newID(t)
	must(t, commands.NewReceiveSARHandler(c.deps).Handle(ctx, self, commands.ReceiveSAR{RequestID: own, ClientID: clientID, Identity: sar.IdentityPending}))
	r, _, err = commands.LoadSAR(ctx, c.deps, own)
	must(t, err)
	if !r.ClockRunning() {
		t.Fatal("a portal request from the signed-in client waits for identity")
	}
}

// lister returns the clinic's store as a StreamLister (both stores list their heads).
func lister(tb testing.TB, c *clinic) commands.StreamLister {
	tb.Helper()
	l, ok := c.store.(commands.StreamLister)
	if !ok {
		tb.Fatalf("store %T cannot list its streams", c.store)
	}
	return l
}

// heads returns every stream head of the clinic's store: the log's whole state.
func heads(tb testing.TB, c *clinic) []eventstore.StreamHead {
	tb.Helper()
	h, err := lister(tb, c).StreamHeads(context.Background())
	must(tb, err)
	return h
}

// TestAuditorCannotMutate runs every command with an auditor as the actor: each is refused and
// the log is unchanged.
func TestAuditorCannotMutate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newClinic(t)
	clientID := c.register(t, c.alice)
	c.sign(t, clientID, 1)
	req := newID(t)
	must(t, commands.NewReceiveSARHandler(c.deps).Handle(ctx, c.dpo, commands.ReceiveSAR{RequestID: req, ClientID: clientID, Channel: sar.ChannelEmail, Identity: sar.IdentityVerified}))
	erasureID, err := commands.NewRequestErasureHandler(c.deps).Handle(ctx, c.dpo, commands.RequestErasure{ClientID: clientID, RequestID: newID(t)})
	must(t, err)
	a := c.auditor
	cases := map[string]func() error{
		"register client": func() error {
			_, err := commands.NewRegisterClientHandler(c.deps).Handle(ctx, a, commands.RegisterClient{PracticeID: c.practiceID, TherapistID: c.alice.UserID, Details: details()})
			return err
		},
		"rectify": func() error {
			return commands.NewRectifyClientHandler(c.deps).Handle(ctx, a, commands.RectifyClient{ClientID: clientID, Details: details()})
		},
		"restrict": func() error {
			return commands.NewRestrictProcessingHandler(c.deps).Handle(ctx, a, commands.RestrictProcessing{ClientID: clientID, Ground: "accuracy_contested"})
		},
		"discharge": func() error {
			return commands.NewDischargeClientHandler(c.deps).Handle(ctx, a, commands.DischargeClient{ClientID: clientID, EndedOn: clinicStart})
		},
		"sign consent": func() error {
			return commands.NewSignConsentHandler(c.deps).Handle(ctx, a, commands.SignConsent{ClientID: clientID, ServiceTypeID: c.service, Version: 1,
				Method: client.SignedInPerson, Signer: client.SignerClient, SignedAt: clinicStart})
		},
		"withdraw consent": func() error {
			return commands.NewWithdrawConsentHandler(c.deps).Handle(ctx, a, commands.WithdrawConsent{ClientID: clientID, ServiceTypeID: c.service})
		},
		"draft note": func() error {
			_, err := commands.NewDraftNoteHandler(c.deps).Handle(ctx, a, commands.DraftNote{ClientID: clientID, NoteID: newID(t), Kind: note.KindProgress,
				TemplateID: practice.TemplateSOAP, Fields: map[string]string{"subjective": "x", "objective": "x", "assessment": "x", "plan": "x"}})
			return err
		},
		"transfer record": func() error {
			return commands.NewTransferRecordHandler(c.deps).Handle(ctx, a, commands.TransferRecord{ClientID: clientID,
				Transfer: client.Transfer{To: c.bob.UserID, Basis: client.TransferByDPO, Reason: "audit"}})
		},
		"request erasure": func() error {
			_, err := commands.NewRequestErasureHandler(c.deps).Handle(ctx, a, commands.RequestErasure{ClientID: clientID, RequestID: newID(t)})
			return err
		},
		"decide erasure": func() error {
			return commands.NewDecideErasureHandler(c.deps, commands.ShredFunc(func(context.Context, domain.ID, commands.ShredOrder) error {
				return errors.New("must not shred")
			})).Handle(ctx, a, commands.DecideErasure{ClientID: clientID, RequestID: erasureID, Decision: commands.EraseApprove})
		},
		"receive sar": func() error {
			return commands.NewReceiveSARHandler(c.deps).Handle(ctx, a, commands.ReceiveSAR{RequestID: newID(t), ClientID: clientID, Channel: sar.ChannelEmail, Identity: sar.IdentityVerified})
		},
		"sar identity": func() error {
			return commands.NewSARIdentityHandler(c.deps).Handle(ctx, a, commands.SARIdentity{RequestID: req, Reason: "x"})
		},
		"extend sar": func() error {
			return commands.NewExtendSARHandler(c.deps).Handle(ctx, a, commands.ExtendSAR{RequestID: req, Months: 1, Reason: "x"})
		},
		"review sar": func() error {
			return commands.NewReviewSARHandler(c.deps).Handle(ctx, a, commands.ReviewSAR{RequestID: req})
		},
		"release sar": func() error {
			return commands.NewReleaseSARHandler(c.deps).Handle(ctx, a, commands.ReleaseSAR{RequestID: req, Formats: []string{"json"}, Digest: "00"})
		},
		"refuse sar": func() error {
			return commands.NewRefuseSARHandler(c.deps).Handle(ctx, a, commands.RefuseSAR{RequestID: req, Reason: sar.RefusalExcessive, Detail: "x"})
		},
		"sweep retention": func() error {
			_, err := commands.NewSweepRetentionHandler(c.deps, lister(t, c)).Handle(ctx, a, commands.SweepRetention{})
			return err
		},
		"resolve retention": func() error {
			return commands.NewResolveRetentionHandler(c.deps).Handle(ctx, a, commands.ResolveRetention{ClientID: clientID, Outcome: sar.RetentionKept})
		},
		"erase client": func() error {
			_, err := commands.NewEraseClientHandler(c.deps, commands.ShredFunc(func(context.Context, domain.ID, commands.ShredOrder) error {
				return errors.New("must not shred")
			}), nil, 0).Handle(ctx, a, commands.EraseClient{ClientID: clientID, RequestID: erasureID})
			return err
		},
	}
	for name, run := range cases {
		t.Run(name, func(t *testing.T) {
			before := heads(t, c)
			err := run()
			if k := domain.KindOf(err); k != domain.KindForbidden && k != domain.KindNotFound {
				t.Fatalf("auditor: err = %v (kind %q), want forbidden or not found", err, k)
			}
			if after := heads(t, c); !reflect.DeepEqual(before, after) {
				t.Fatal("the log changed")
			}
		})
	}
}

func TestListSARs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newClinic(t)
	clientID := c.register(t, c.alice)
	late, pending, done := newID(t), newID(t), newID(t)
	receive := commands.NewReceiveSARHandler(c.deps)
	must(t, receive.Handle(ctx, c.dpo, commands.ReceiveSAR{RequestID: late, ClientID: clientID, ReceivedOn: sarDate(t, "2026-01-31"), Channel: sar.ChannelEmail, Identity: sar.IdentityVerified}))
	must(t, receive.Handle(ctx, c.dpo, commands.ReceiveSAR{RequestID: pending, ClientID: clientID, ReceivedOn: sarDate(t, "2026-02-10"), Channel: sar.ChannelLetter, Identity: sar.IdentityPending}))
	must(t, receive.Handle(ctx, c.dpo, commands.ReceiveSAR{RequestID: done, ClientID: clientID, ReceivedOn: sarDate(t, "2026-02-01"), Channel: sar.ChannelEmail, Identity: sar.IdentityVerified}))
	must(t, commands.NewRefuseSARHandler(c.deps).Handle(ctx, c.dpo, commands.RefuseSAR{RequestID: done, Reason: sar.RefusalExcessive, Detail: "a repeat of last week's request"}))

	list := commands.NewListSARsHandler(c.deps, lister(t, c))
	got, err := list.Handle(ctx, c.dpo, sarDate(t, "2026-03-02"))
	must(t, err)
	if len(got) != 3 || got[0].RequestID != late || got[1].RequestID != pending || got[2].RequestID != done {
		t.Fatalf("order: %+v", got)
	}
	if !got[0].Overdue || got[0].Due.String() != "2026-02-28" || got[1].Overdue || !got[1].Due.IsZero() || got[2].Overdue {
		t.Fatalf("deadlines: %+v", got)
	}
	if _, err := list.Handle(ctx, c.auditor, sar.Date{}); domain.KindOf(err) != domain.KindForbidden {
		t.Fatalf("auditor listing: %v", err)
	}

	// A therapist lists the requests about the clients they hold, and only those.
	bobsClient := c.register(t, c.bob)
	bobs := newID(t)
	must(t, receive.Handle(ctx, c.dpo, commands.ReceiveSAR{RequestID: bobs, ClientID: bobsClient, ReceivedOn: sarDate(t, "2026-02-20"), Channel: sar.ChannelEmail, Identity: sar.IdentityVerified}))
	ids := func(actor domain.Actor) []domain.ID {
		t.Helper()
		got, err := list.Handle(ctx, actor, sarDate(t, "2026-03-02"))
		must(t, err)
		var out []domain.ID
		for _, s := range got {
			out = append(out, s.RequestID)
		}
		return out
	}
	if got := ids(c.alice); !slices.Equal(got, []domain.ID{late, pending, done}) {
		t.Fatalf("alice lists %v; want her client's %v", got, []domain.ID{late, pending, done})
	}
	if got := ids(c.bob); !slices.Equal(got, []domain.ID{bobs}) {
		t.Fatalf("bob lists %v; want only %v", got, bobs)
	}
	if got := ids(c.dpo); len(got) != 4 {
		t.Fatalf("the DPO lists %v; want all 4", got)
	}
	if _, err := list.Handle(ctx, c.manager, sar.Date{}); domain.KindOf(err) != domain.KindForbidden {
		t.Fatalf("practice manager listing: %v", err)
	}
}
