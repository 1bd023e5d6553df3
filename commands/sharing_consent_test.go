package commands_test

import (
	"context"
	"testing"
	"time"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
)

func TestSharingConsentIsSeparateFromTreatment(t *testing.T) {
	t.Parallel()
	c := newClinic(t)
	ctx := context.Background()
	cl := c.register(t, c.alice)
	h := commands.NewSharingConsentHandler(c.deps)
	gp := client.ThirdParty{Kind: "gp", Name: "Dr " + secret, Organisation: "Leeds Surgery"}
	give := commands.GiveSharingConsent{ClientID: cl, Recipient: gp, Purpose: "medication review", Expires: clinicStart.AddDate(1, 0, 0), Method: client.SignedPaperScanned, SignedAt: clinicStart}

	_, err := h.Give(ctx, c.bob, give)
	wantKind(t, err, domain.KindNotFound, "client_not_found")
	_, err = h.Give(ctx, c.manager, give)
	wantKind(t, err, domain.KindForbidden, "give_sharing_consent_forbidden")
	id, err := h.Give(ctx, c.alice, give)
	must(t, err)

	got, _, err := commands.LoadClient(ctx, c.deps, cl)
	must(t, err)
	s, ok := got.SharingConsent(id)
	if !ok || !s.Active(clinicStart.Add(time.Hour)) || s.Recipient != gp {
		t.Fatalf("sharing consent %+v", s)
	}
	d, err := commands.NewConsentCheck(c.deps).Check(ctx, cl, c.service, clinicStart)
	must(t, err)
	if d.Allowed {
		t.Fatal("consent to share was taken as consent to treatment")
	}
	must(t, h.Withdraw(ctx, domain.Actor{UserID: cl, Role: domain.RoleClient}, commands.WithdrawSharingConsent{ClientID: cl, ConsentID: id}))
	wantKind(t, h.Withdraw(ctx, c.alice, commands.WithdrawSharingConsent{ClientID: cl, ConsentID: id}), domain.KindConflict, "sharing_consent_withdrawn")
	assertSealed(t, c.store, secret)
}

func TestPracticeSettingsAuthorisation(t *testing.T) {
	t.Parallel()
	c := newClinic(t)
	ctx := context.Background()
	s := commands.NewPracticeSettingsHandler(c.deps)
	tests := []struct {
		name string
		do   func() error
		want domain.Kind
	}{
		{"therapist cannot publish a consent form", func() error {
			return s.PublishConsentTemplate(ctx, c.alice, c.practiceID, c.service, "text", clinicStart)
		}, domain.KindForbidden},
		{"manager cannot change the consent rule", func() error { return s.SetConsentRule(ctx, c.manager, c.practiceID, "warn") }, domain.KindForbidden},
		{"dpo sets retention", func() error { return s.SetRetentionPeriod(ctx, c.dpo, c.practiceID, "general_adult", 7) }, ""},
		{"unknown practice", func() error { return s.SetConsentRule(ctx, c.admin, newID(t), "warn") }, domain.KindNotFound},
		{"practice opened twice", func() error {
			return commands.NewOpenPracticeHandler(c.deps).Handle(ctx, c.admin, commands.OpenPractice{PracticeID: c.practiceID})
		}, domain.KindConflict},
		{"register a client under a non-therapist", func() error {
			_, err := commands.NewRegisterClientHandler(c.deps).Handle(ctx, c.manager, commands.RegisterClient{PracticeID: c.practiceID, TherapistID: c.dpo.UserID, Details: details()})
			return err
		}, domain.KindNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := domain.KindOf(tt.do()); got != tt.want {
				t.Fatalf("kind %q, want %q", got, tt.want)
			}
		})
	}
}
