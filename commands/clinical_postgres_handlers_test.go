package commands_test

import (
	"context"
	"testing"
	"time"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/note"
	"github.com/caseledger/caseledger/domain/practice"
)

// TestPostgresClinicalHandlers runs the clinical handlers TestPostgresClinicalRecordEndToEnd does
// not (rectification, restriction and its lifting, consent withdrawal, consent to share, an
// addendum, discharge and readmission, a caseload move) on PostgreSQL with encryption on, checks
// the record read back, and that no personal data or note text is anywhere in plaintext.
func TestPostgresClinicalHandlers(t *testing.T) {
	t.Parallel()
	c, url := newPostgresClinic(t)
	ctx := context.Background()
	cl := c.register(t, c.alice)
	self := domain.Actor{UserID: cl, Role: domain.RoleClient}
	c.sign(t, cl, 1)

	d := details()
	d.Phone = "+44 113 496 0000"
	must(t, commands.NewRectifyClientHandler(c.deps).Handle(ctx, self, commands.RectifyClient{ClientID: cl, Details: d}))
	restrict := commands.NewRestrictProcessingHandler(c.deps)
	must(t, restrict.Handle(ctx, c.dpo, commands.RestrictProcessing{ClientID: cl, Ground: client.RestrictAccuracyContested}))
	_, err := commands.NewDraftNoteHandler(c.deps).Handle(ctx, c.alice, commands.DraftNote{ClientID: cl, TemplateID: practice.TemplateSOAP, Fields: soap("restricted")})
	wantKind(t, err, domain.KindConflict, "processing_restricted")
	must(t, restrict.Handle(ctx, c.dpo, commands.RestrictProcessing{ClientID: cl, Lift: true}))
	must(t, commands.NewWithdrawConsentHandler(c.deps).Handle(ctx, self, commands.WithdrawConsent{ClientID: cl, ServiceTypeID: c.service}))
	sharing := commands.NewSharingConsentHandler(c.deps)
	share, err := sharing.Give(ctx, self, commands.GiveSharingConsent{ClientID: cl, Recipient: client.ThirdParty{Kind: "gp", Name: "Dr " + secret, Organisation: "Leeds Surgery"},
		Purpose: "care coordination", Expires: clinicStart.AddDate(1, 0, 0), Method: client.SignedPortal, SignedAt: clinicStart})
	must(t, err)
	must(t, sharing.Withdraw(ctx, self, commands.WithdrawSharingConsent{ClientID: cl, ConsentID: share}))
	noteID := c.draftSigned(t, c.alice, cl, note.KindProgress)
	_, err = commands.NewAddNoteAddendumHandler(c.deps).Handle(ctx, c.alice, commands.AddNoteAddendum{ClientID: cl, NoteID: noteID, Text: "Correction: " + noteSecret})
	must(t, err)
	must(t, commands.NewDischargeClientHandler(c.deps).Handle(ctx, c.alice, commands.DischargeClient{ClientID: cl, EndedOn: clinicStart}))
	c.clock.Advance(24 * time.Hour)
	must(t, commands.NewReadmitClientHandler(c.deps).Handle(ctx, c.alice, commands.ReadmitClient{ClientID: cl, StartedOn: c.clock.Now()}))
	res, err := commands.NewTransferCaseloadHandler(c.deps).Handle(ctx, c.dpo, commands.TransferCaseload{PracticeID: c.practiceID, From: c.alice.UserID, To: c.bob.UserID, Reason: "therapist leaving"})
	must(t, err)
	if len(res.Moved) != 1 || res.Moved[0] != cl {
		t.Fatalf("caseload result %+v", res)
	}

	got, _, err := commands.LoadClient(ctx, c.deps, cl)
	must(t, err)
	if got.Details().Phone != d.Phone || !got.HeldBy(c.bob.UserID) || got.Restricted() {
		t.Fatalf("record read back wrong: held by bob %v, restricted %v", got.HeldBy(c.bob.UserID), got.Restricted())
	}
	if _, discharged := got.Discharged(); discharged {
		t.Fatal("readmitted client still discharged")
	}
	p, _, err := commands.LoadPractice(ctx, c.deps, c.practiceID)
	must(t, err)
	if s := got.ConsentState(p, c.service, c.clock.Now()); s.Status != client.StatusWithdrawn {
		t.Fatalf("consent state %+v, want withdrawn", s)
	}
	notes, err := c.readNote(ctx, c.bob, cl, noteID, note.KindProgress)
	must(t, err)
	if len(notes) != 1 || len(notes[0].Addenda) != 1 {
		t.Fatalf("notes read back %+v", notes)
	}
	assertNowhere(t, url, secret, noteSecret)
}
