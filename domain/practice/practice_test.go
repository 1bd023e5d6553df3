package practice_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/practice"
)

var t0 = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

var (
	admin = domain.Actor{UserID: domain.ID{1}, Role: domain.RoleAdmin}
	dpo   = domain.Actor{UserID: domain.ID{2}, Role: domain.RoleDPO}
	thera = domain.Actor{UserID: domain.ID{3}, Role: domain.RoleTherapist}
	mgr   = domain.Actor{UserID: domain.ID{4}, Role: domain.RolePracticeManager}
	svc   = domain.ID{9}
)

func open(tb testing.TB) *practice.Practice {
	tb.Helper()
	p, _, err := practice.Open(admin, domain.ID{7}, practice.ConsentBlock, t0)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := p.AddServiceType(admin, svc, "individual_therapy", "Individual therapy", 50, t0); err != nil {
		tb.Fatal(err)
	}
	return p
}

func kindOf(err error) domain.Kind { return domain.KindOf(err) }

func TestPracticeRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		do   func(p *practice.Practice) error
		want domain.Kind
	}{
		{"admin adds a therapist", func(p *practice.Practice) error {
			_, err := p.AddStaff(admin, thera.UserID, domain.RoleTherapist, t0)
			return err
		}, ""},
		{"manager cannot add staff", func(p *practice.Practice) error {
			_, err := p.AddStaff(mgr, thera.UserID, domain.RoleTherapist, t0)
			return err
		}, domain.KindForbidden},
		{"clients are not staff", func(p *practice.Practice) error {
			_, err := p.AddStaff(admin, thera.UserID, domain.RoleClient, t0)
			return err
		}, domain.KindInvalid},
		{"duplicate service code", func(p *practice.Practice) error {
			_, err := p.AddServiceType(admin, domain.ID{10}, "individual_therapy", "Again", 0, t0)
			return err
		}, domain.KindConflict},
		{"service code must be a slug", func(p *practice.Practice) error {
			_, err := p.AddServiceType(admin, domain.ID{10}, "Couples Therapy", "Couples", 0, t0)
			return err
		}, domain.KindInvalid},
		{"a session length is kept", func(p *practice.Practice) error {
			if _, err := p.AddServiceType(admin, domain.ID{10}, "couples", "Couples", 80, t0); err != nil {
				return err
			}
			if st, ok := p.ServiceType(domain.ID{10}); !ok || st.Minutes != 80 {
				return fmt.Errorf("service type %+v", st)
			}
			return nil
		}, ""},
		{"a session length of 4 minutes", func(p *practice.Practice) error {
			_, err := p.AddServiceType(admin, domain.ID{10}, "couples", "Couples", 4, t0)
			return err
		}, domain.KindInvalid},
		{"a session length of 481 minutes", func(p *practice.Practice) error {
			_, err := p.AddServiceType(admin, domain.ID{10}, "couples", "Couples", 481, t0)
			return err
		}, domain.KindInvalid},
		{"consent form for an unknown service", func(p *practice.Practice) error {
			_, err := p.PublishConsentTemplate(admin, domain.ID{99}, "text", t0, t0)
			return err
		}, domain.KindNotFound},
		{"blank consent form", func(p *practice.Practice) error {
			_, err := p.PublishConsentTemplate(admin, svc, "  ", t0, t0)
			return err
		}, domain.KindInvalid},
		{"therapist cannot publish consent forms", func(p *practice.Practice) error {
			_, err := p.PublishConsentTemplate(thera, svc, "text", t0, t0)
			return err
		}, domain.KindForbidden},
		{"versions cannot go back in time", func(p *practice.Practice) error {
			if _, err := p.PublishConsentTemplate(admin, svc, "v1", t0, t0); err != nil {
				return err
			}
			_, err := p.PublishConsentTemplate(admin, svc, "v2", t0.Add(-time.Hour), t0)
			return err
		}, domain.KindInvalid},
		{"unknown consent rule", func(p *practice.Practice) error {
			_, err := p.SetConsentRule(admin, "maybe", t0)
			return err
		}, domain.KindInvalid},
		{"dpo sets retention", func(p *practice.Practice) error {
			_, err := p.SetRetention(dpo, practice.RecordGeneralAdult, 10, t0)
			return err
		}, ""},
		{"child records kept at least to adulthood", func(p *practice.Practice) error {
			_, err := p.SetRetention(dpo, practice.RecordChild, 16, t0)
			return err
		}, domain.KindInvalid},
		{"therapist cannot set retention", func(p *practice.Practice) error {
			_, err := p.SetRetention(thera, practice.RecordGeneralAdult, 10, t0)
			return err
		}, domain.KindForbidden},
		{"note template keys are distinct", func(p *practice.Practice) error {
			_, err := p.AddNoteTemplate(admin, domain.ID{20}, "Intake", []practice.NoteField{{Key: "a", Label: "A"}, {Key: "a", Label: "B"}}, t0)
			return err
		}, domain.KindInvalid},
		{"built-in template ids are taken", func(p *practice.Practice) error {
			_, err := p.AddNoteTemplate(admin, practice.TemplateSOAP, "Mine", []practice.NoteField{{Key: "a", Label: "A"}}, t0)
			return err
		}, domain.KindConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := kindOf(tt.do(open(t))); got != tt.want {
				t.Fatalf("kind %q, want %q", got, tt.want)
			}
		})
	}
}

func TestConsentTemplateVersions(t *testing.T) {
	t.Parallel()
	p := open(t)
	ev1, err := p.PublishConsentTemplate(admin, svc, "v1", t0, t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.PublishConsentTemplate(admin, svc, "v2", t0.AddDate(0, 1, 0), t0); err != nil {
		t.Fatal(err)
	}
	if e := ev1.(practice.ConsentTemplatePublished); e.Version != 1 || e.ContentHash != "3bfc269594ef649228e9a74bab00f042efc91d5acc6fbee31a382e80d42388fe" {
		t.Fatalf("v1 = %+v", e)
	}
	tests := []struct {
		name string
		at   time.Time
		want int
	}{
		{"before any version", t0.Add(-time.Second), 0},
		{"when v1 takes effect", t0, 1},
		{"the day before v2", t0.AddDate(0, 1, -1), 1},
		{"when v2 takes effect", t0.AddDate(0, 1, 0), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := p.ConsentTemplate(svc, tt.at)
			if (tt.want == 0) == ok || (ok && got.Version != tt.want) {
				t.Fatalf("version %d ok %v, want %d", got.Version, ok, tt.want)
			}
		})
	}
	// The latest version is v2 even before it takes effect; another service has none.
	if got, ok := p.LatestConsentTemplate(svc); !ok || got.Version != 2 || got.Text != "v2" {
		t.Fatalf("latest %+v ok %v; want v2", got, ok)
	}
	if _, ok := p.LatestConsentTemplate(domain.ID{99}); ok {
		t.Fatal("a service without a consent form has a latest one")
	}
}

func TestStaffListsEveryMemberOnce(t *testing.T) {
	t.Parallel()
	p := open(t)
	a, b := domain.ID{3}, domain.ID{2}
	for _, m := range []practice.StaffMember{{UserID: a, Role: domain.RoleTherapist}, {UserID: b, Role: domain.RoleDPO}} {
		if _, err := p.AddStaff(admin, m.UserID, m.Role, t0); err != nil {
			t.Fatal(err)
		}
	}
	want := []practice.StaffMember{{UserID: b, Role: domain.RoleDPO}, {UserID: a, Role: domain.RoleTherapist}}
	if got := p.Staff(); !slices.Equal(got, want) {
		t.Fatalf("staff %+v; want %+v", got, want)
	}
	if _, err := p.RemoveStaff(admin, b, t0); err != nil {
		t.Fatal(err)
	}
	if got := p.Staff(); len(got) != 1 || got[0].UserID != a {
		t.Fatalf("staff after removal %+v", got)
	}
}

func TestRebuildMatchesDecisions(t *testing.T) {
	t.Parallel()
	p, opened, err := practice.Open(admin, domain.ID{7}, practice.ConsentWarn, t0)
	if err != nil {
		t.Fatal(err)
	}
	history := []domain.Event{opened}
	for _, f := range []func() (domain.Event, error){
		func() (domain.Event, error) { return p.AddStaff(admin, thera.UserID, domain.RoleTherapist, t0) },
		func() (domain.Event, error) { return p.AddServiceType(admin, svc, "assessment", "Assessment", 0, t0) },
		func() (domain.Event, error) { return p.SetRetention(admin, practice.RecordFinancial, 7, t0) },
		func() (domain.Event, error) { return p.RemoveStaff(admin, thera.UserID, t0) },
	} {
		ev, err := f()
		if err != nil {
			t.Fatal(err)
		}
		history = append(history, ev)
	}
	r := practice.Rebuild(history)
	if r.ConsentRule() != practice.ConsentWarn || r.HasStaff(thera.UserID, domain.RoleTherapist) || r.Retention()[practice.RecordFinancial] != 7 || len(r.ServiceTypes()) != 1 {
		t.Fatalf("rebuilt practice differs")
	}
	if practice.Rebuild(nil) != nil || practice.Rebuild(history[1:]) != nil {
		t.Fatal("Rebuild without PracticeOpened must be nil")
	}
}
