package commands_test

import (
	"context"
	"testing"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
)

// TestListPractices: an admin lists the practice with its staff, service types and consent forms
// (the version in force and one published for later); nobody else may.
func TestListPractices(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newClinic(t)
	settings := commands.NewPracticeSettingsHandler(c.deps)
	must(t, settings.PublishConsentTemplate(ctx, c.admin, c.practiceID, c.service, "Version for next month.", c.clock.Now().AddDate(0, 1, 0)))
	list := commands.NewListPracticesHandler(c.deps, lister(t, c))
	got, err := list.Handle(ctx, c.admin)
	must(t, err)
	if len(got) != 1 || got[0].ID != c.practiceID {
		t.Fatalf("practices %+v", got)
	}
	p := got[0]
	roles := map[domain.ID]domain.Role{}
	for _, m := range p.Staff {
		roles[m.UserID] = m.Role
	}
	if roles[c.alice.UserID] != domain.RoleTherapist || roles[c.dpo.UserID] != domain.RoleDPO {
		t.Errorf("staff %+v", p.Staff)
	}
	if len(p.ServiceTypes) != 1 || p.ServiceTypes[0].ID != c.service || p.ServiceTypes[0].ConsentLatest != p.ServiceTypes[0].ConsentInForce+1 ||
		!p.ServiceTypes[0].LatestEffectiveFrom.After(c.clock.Now()) {
		t.Errorf("service types %+v", p.ServiceTypes)
	}
	if len(p.Retention) == 0 {
		t.Error("no retention periods")
	}
	for _, a := range []domain.Actor{c.alice, c.dpo, c.manager, c.auditor} {
		if _, err := list.Handle(ctx, a); domain.KindOf(err) != domain.KindForbidden {
			t.Errorf("%s listing practices: %v", a.Role, err)
		}
	}
}
