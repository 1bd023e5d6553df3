package commands_test

import (
	"context"
	"testing"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/practice"
)

func TestConsentCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		rule        practice.ConsentRule
		arrange     func(t *testing.T, c *clinic, id domain.ID)
		wantAllowed bool
		wantCode    string
		wantWarning string
	}{
		{name: "signed current version", rule: practice.ConsentBlock,
			arrange: func(t *testing.T, c *clinic, id domain.ID) { c.sign(t, id, 1) }, wantAllowed: true},
		{name: "never signed, block", rule: practice.ConsentBlock,
			arrange: func(*testing.T, *clinic, domain.ID) {}, wantCode: "consent_missing"},
		{name: "never signed, warn", rule: practice.ConsentWarn,
			arrange: func(*testing.T, *clinic, domain.ID) {}, wantAllowed: true, wantCode: "consent_missing", wantWarning: "consent_missing"},
		{name: "new version published, block", rule: practice.ConsentBlock,
			arrange: func(t *testing.T, c *clinic, id domain.ID) {
				c.sign(t, id, 1)
				must(t, commands.NewPracticeSettingsHandler(c.deps).PublishConsentTemplate(context.Background(), c.admin, c.practiceID, c.service, "Version two.", c.clock.Now()))
			}, wantCode: "consent_outdated"},
		{name: "re-signed after new version", rule: practice.ConsentBlock,
			arrange: func(t *testing.T, c *clinic, id domain.ID) {
				c.sign(t, id, 1)
				must(t, commands.NewPracticeSettingsHandler(c.deps).PublishConsentTemplate(context.Background(), c.admin, c.practiceID, c.service, "Version two.", c.clock.Now()))
				c.sign(t, id, 2)
			}, wantAllowed: true},
		{name: "withdrawn, warn", rule: practice.ConsentWarn,
			arrange: func(t *testing.T, c *clinic, id domain.ID) {
				c.sign(t, id, 1)
				must(t, commands.NewWithdrawConsentHandler(c.deps).Handle(context.Background(), domain.Actor{UserID: id, Role: domain.RoleClient}, commands.WithdrawConsent{ClientID: id, ServiceTypeID: c.service}))
			}, wantAllowed: true, wantCode: "consent_withdrawn", wantWarning: "consent_withdrawn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newClinic(t)
			ctx := context.Background()
			must(t, commands.NewPracticeSettingsHandler(c.deps).SetConsentRule(ctx, c.admin, c.practiceID, tt.rule))
			id := c.register(t, c.alice)
			tt.arrange(t, c, id)
			got, err := commands.NewConsentCheck(c.deps).Check(ctx, id, c.service, c.clock.Now())
			must(t, err)
			if got.Allowed != tt.wantAllowed || got.Code != tt.wantCode || got.Warning != tt.wantWarning {
				t.Fatalf("Check = %+v, want allowed %v code %q warning %q", got, tt.wantAllowed, tt.wantCode, tt.wantWarning)
			}
		})
	}
}

func TestConsentCheckErrors(t *testing.T) {
	t.Parallel()
	c := newClinic(t)
	ctx := context.Background()
	id := c.register(t, c.alice)
	c.sign(t, id, 1)
	check := commands.NewConsentCheck(c.deps)

	t.Run("unknown client", func(t *testing.T) {
		_, err := check.Check(ctx, newID(t), c.service, c.clock.Now())
		wantKind(t, err, domain.KindNotFound, "client_not_found")
	})
	t.Run("unknown service type", func(t *testing.T) {
		_, err := check.Check(ctx, id, newID(t), c.clock.Now())
		wantKind(t, err, domain.KindNotFound, "service_type_not_found")
	})
	t.Run("restricted client cannot be booked", func(t *testing.T) {
		must(t, commands.NewRestrictProcessingHandler(c.deps).Handle(ctx, c.dpo, commands.RestrictProcessing{ClientID: id, Ground: client.RestrictAccuracyContested}))
		_, err := check.Check(ctx, id, c.service, c.clock.Now())
		wantKind(t, err, domain.KindConflict, "processing_restricted")
	})
}

func TestLoadClientForScheduling(t *testing.T) {
	t.Parallel()
	c := newClinic(t)
	id := c.register(t, c.alice)
	cl, _, err := commands.LoadClient(context.Background(), c.deps, id)
	must(t, err)
	if !cl.HeldBy(c.alice.UserID) || cl.HeldBy(c.bob.UserID) {
		t.Fatalf("holder: alice %v bob %v", cl.HeldBy(c.alice.UserID), cl.HeldBy(c.bob.UserID))
	}
	must(t, cl.Visible(c.alice))
	wantKind(t, cl.Visible(c.bob), domain.KindNotFound, "client_not_found")
}
