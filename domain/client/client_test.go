package client_test

import (
	"strings"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/practice"
)

var t0 = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

var (
	admin    = domain.Actor{UserID: domain.ID{1}, Role: domain.RoleAdmin}
	dpo      = domain.Actor{UserID: domain.ID{2}, Role: domain.RoleDPO}
	alice    = domain.Actor{UserID: domain.ID{3}, Role: domain.RoleTherapist}
	bob      = domain.Actor{UserID: domain.ID{4}, Role: domain.RoleTherapist}
	manager  = domain.Actor{UserID: domain.ID{5}, Role: domain.RolePracticeManager}
	clientID = domain.ID{6}
	self     = domain.Actor{UserID: clientID, Role: domain.RoleClient}
	svc      = domain.ID{9}
)

func newPractice(tb testing.TB) *practice.Practice {
	tb.Helper()
	p, _, err := practice.Open(admin, domain.ID{7}, practice.ConsentBlock, t0)
	ok(tb, err)
	for _, a := range []domain.Actor{alice, bob, dpo, manager} {
		_, err = p.AddStaff(admin, a.UserID, a.Role, t0)
		ok(tb, err)
	}
	_, err = p.AddServiceType(admin, svc, "individual_therapy", "Individual therapy", 50, t0)
	ok(tb, err)
	_, err = p.PublishConsentTemplate(admin, svc, "v1", t0, t0)
	ok(tb, err)
	return p
}

func ok(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

func person(dob string) client.Details {
	return client.Details{GivenName: "Ada", FamilyName: "Lovelace", DateOfBirth: dob, Email: "Ada@Example.org "}
}

func register(tb testing.TB, p *practice.Practice, dob string) *client.Client {
	tb.Helper()
	c, _, err := client.Register(alice, p, clientID, alice.UserID, "", person(dob), t0)
	ok(tb, err)
	return c
}

func TestRegister(t *testing.T) {
	t.Parallel()
	p := newPractice(t)
	tests := []struct {
		name      string
		actor     domain.Actor
		therapist domain.ID
		details   func(d *client.Details)
		want      domain.Kind
		wantCode  string
	}{
		{name: "therapist for themselves", actor: alice, therapist: alice.UserID},
		{name: "manager for a therapist", actor: manager, therapist: bob.UserID},
		{name: "therapist for another therapist", actor: alice, therapist: bob.UserID, want: domain.KindForbidden},
		{name: "dpo", actor: dpo, therapist: alice.UserID, want: domain.KindForbidden},
		{name: "unknown therapist", actor: manager, therapist: domain.ID{99}, want: domain.KindNotFound, wantCode: "therapist_not_found"},
		{name: "no family name", actor: alice, therapist: alice.UserID, details: func(d *client.Details) { d.FamilyName = " " }, want: domain.KindInvalid, wantCode: "invalid_family_name"},
		{name: "born in the future", actor: alice, therapist: alice.UserID, details: func(d *client.Details) { d.DateOfBirth = "2030-01-01" }, want: domain.KindInvalid, wantCode: "invalid_date_of_birth"},
		{name: "bad email", actor: alice, therapist: alice.UserID, details: func(d *client.Details) { d.Email = "Ada <ada@example.org>" }, want: domain.KindInvalid, wantCode: "invalid_email"},
		{name: "bad phone", actor: alice, therapist: alice.UserID, details: func(d *client.Details) { d.Phone = "call me" }, want: domain.KindInvalid, wantCode: "invalid_phone"},
		{name: "GP without a practice", actor: alice, therapist: alice.UserID, details: func(d *client.Details) { d.PrimaryCare = &client.PrimaryCare{Name: "Dr X"} }, want: domain.KindInvalid, wantCode: "invalid_primary_care.practice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := person("1990-01-01")
			if tt.details != nil {
				tt.details(&d)
			}
			c, ev, err := client.Register(tt.actor, p, clientID, tt.therapist, "", d, t0)
			if got := domain.KindOf(err); got != tt.want {
				t.Fatalf("kind %q (%v), want %q", got, err, tt.want)
			}
			if err != nil {
				if e := err.(*domain.Error); tt.wantCode != "" && e.Code != tt.wantCode {
					t.Fatalf("code %s, want %s", e.Code, tt.wantCode)
				}
				if strings.Contains(err.Error(), "Ada") || strings.Contains(err.Error(), "call me") {
					t.Fatalf("error leaks the input: %v", err)
				}
				return
			}
			if ev.(client.ClientRegistered).Details.Email != "ada@example.org" || !c.HeldBy(tt.therapist) {
				t.Fatalf("registered %+v", ev)
			}
		})
	}
}

func TestConsentState(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		arrange func(t *testing.T, p *practice.Practice, c *client.Client)
		at      time.Time
		want    client.ConsentStatus
	}{
		{name: "never signed", at: t0, want: client.StatusMissing},
		{name: "signed current", at: t0, want: client.StatusValid, arrange: func(t *testing.T, p *practice.Practice, c *client.Client) {
			_, err := c.SignConsent(self, p, svc, 1, client.SignedPortal, client.SignerClient, "", t0, t0)
			ok(t, err)
		}},
		{name: "signed, new version not yet in force", at: t0.AddDate(0, 0, 1), want: client.StatusValid, arrange: func(t *testing.T, p *practice.Practice, c *client.Client) {
			_, err := c.SignConsent(self, p, svc, 1, client.SignedPortal, client.SignerClient, "", t0, t0)
			ok(t, err)
			_, err = p.PublishConsentTemplate(admin, svc, "v2", t0.AddDate(0, 1, 0), t0)
			ok(t, err)
		}},
		{name: "signed, new version in force", at: t0.AddDate(0, 1, 0), want: client.StatusOutdated, arrange: func(t *testing.T, p *practice.Practice, c *client.Client) {
			_, err := c.SignConsent(self, p, svc, 1, client.SignedPortal, client.SignerClient, "", t0, t0)
			ok(t, err)
			_, err = p.PublishConsentTemplate(admin, svc, "v2", t0.AddDate(0, 1, 0), t0)
			ok(t, err)
		}},
		{name: "guardian signed in person", at: t0, want: client.StatusValid, arrange: func(t *testing.T, p *practice.Practice, c *client.Client) {
			_, err := c.SignConsent(alice, p, svc, 1, client.SignedInPerson, client.SignerGuardian, "Parent", t0, t0)
			ok(t, err)
		}},
		{name: "withdrawn", at: t0, want: client.StatusWithdrawn, arrange: func(t *testing.T, p *practice.Practice, c *client.Client) {
			_, err := c.SignConsent(self, p, svc, 1, client.SignedPortal, client.SignerClient, "", t0, t0)
			ok(t, err)
			_, err = c.WithdrawConsent(self, svc, t0)
			ok(t, err)
		}},
		{name: "no form for the service", at: t0.Add(-time.Hour), want: client.StatusNoTemplate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newPractice(t)
			c := register(t, p, "1990-01-01")
			if tt.arrange != nil {
				tt.arrange(t, p, c)
			}
			if got := c.ConsentState(p, svc, tt.at); got.Status != tt.want {
				t.Fatalf("status %s, want %s", got.Status, tt.want)
			}
		})
	}
}

func TestSignConsentRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		actor    domain.Actor
		version  int
		method   client.SigningMethod
		signer   client.Signer
		guardian string
		want     domain.Kind
	}{
		{name: "therapist cannot sign through the portal", actor: alice, version: 1, method: client.SignedPortal, signer: client.SignerClient, want: domain.KindInvalid},
		{name: "client cannot claim paper", actor: self, version: 1, method: client.SignedPaperScanned, signer: client.SignerClient, want: domain.KindInvalid},
		{name: "guardian needs a name", actor: alice, version: 1, method: client.SignedPaperScanned, signer: client.SignerGuardian, want: domain.KindInvalid},
		{name: "unknown version", actor: self, version: 5, method: client.SignedPortal, signer: client.SignerClient, want: domain.KindNotFound},
		{name: "other therapist", actor: bob, version: 1, method: client.SignedInPerson, signer: client.SignerClient, want: domain.KindNotFound},
		{name: "manager", actor: manager, version: 1, method: client.SignedInPerson, signer: client.SignerClient, want: domain.KindForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newPractice(t)
			c := register(t, p, "1990-01-01")
			_, err := c.SignConsent(tt.actor, p, svc, tt.version, tt.method, tt.signer, tt.guardian, t0, t0)
			if got := domain.KindOf(err); got != tt.want {
				t.Fatalf("kind %q (%v), want %q", got, err, tt.want)
			}
		})
	}
	t.Run("an outdated version cannot be signed", func(t *testing.T) {
		p := newPractice(t)
		c := register(t, p, "1990-01-01")
		_, err := p.PublishConsentTemplate(admin, svc, "v2", t0, t0)
		ok(t, err)
		_, err = c.SignConsent(self, p, svc, 1, client.SignedPortal, client.SignerClient, "", t0, t0)
		if e, isErr := err.(*domain.Error); !isErr || e.Code != "consent_version_outdated" {
			t.Fatalf("err %v", err)
		}
	})
}

func TestRetentionEnds(t *testing.T) {
	t.Parallel()
	day := func(s string) time.Time {
		d, err := time.Parse(client.DateLayout, s)
		ok(t, err)
		return d
	}
	tests := []struct {
		name      string
		dob       string
		kind      practice.RecordKind
		endedOn   string
		retention practice.Retention
		want      string
	}{
		{name: "adult mental health: 20 years", dob: "1980-06-01", endedOn: "2026-01-05", want: "2046-01-05"},
		{name: "general adult: 8 years", dob: "1980-06-01", kind: practice.RecordGeneralAdult, endedOn: "2026-01-05", want: "2034-01-05"},
		{name: "practice's own period", dob: "1980-06-01", kind: practice.RecordGeneralAdult, endedOn: "2026-01-05", retention: practice.Retention{practice.RecordGeneralAdult: 7}, want: "2033-01-05"},
		{name: "child of 10: 25th birthday", dob: "2015-09-01", kind: practice.RecordGeneralAdult, endedOn: "2026-01-05", want: "2040-09-01"},
		{name: "child of 17: 26th birthday", dob: "2008-09-01", kind: practice.RecordGeneralAdult, endedOn: "2026-01-05", want: "2034-09-01"},
		{name: "child, mental health: longer rule wins", dob: "2008-09-01", endedOn: "2026-01-05", want: "2046-01-05"},
		{name: "turned 18 the day before", dob: "2008-01-04", kind: practice.RecordGeneralAdult, endedOn: "2026-01-05", want: "2034-01-05"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newPractice(t)
			c, _, err := client.Register(alice, p, clientID, alice.UserID, tt.kind, person(tt.dob), t0.AddDate(-1, 0, 0))
			ok(t, err)
			if _, ok := c.RetentionEnds(tt.retention); ok {
				t.Fatal("retention known before discharge")
			}
			_, err = c.Discharge(alice, day(tt.endedOn), t0)
			ok(t, err)
			got, known := c.RetentionEnds(tt.retention)
			if !known || !got.Equal(day(tt.want)) {
				t.Fatalf("retention ends %s, want %s", got.Format(client.DateLayout), tt.want)
			}
		})
	}
}

func TestErasureRules(t *testing.T) {
	t.Parallel()
	p := newPractice(t)
	c := register(t, p, "1990-01-01")
	req := domain.ID{40}
	steps := []struct {
		name string
		do   func() (domain.Event, error)
		want string // error code, "" for success
	}{
		{"therapist cannot request", func() (domain.Event, error) { return c.RequestErasure(alice, req, "", t0) }, "request_erasure_forbidden"},
		{"client requests", func() (domain.Event, error) { return c.RequestErasure(self, req, "moving abroad", t0) }, ""},
		{"one open request at a time", func() (domain.Event, error) { return c.RequestErasure(dpo, domain.ID{41}, "", t0) }, "erasure_request_open"},
		{"therapist cannot decide", func() (domain.Event, error) { return c.ApproveErasure(alice, req, t0) }, "approve_erasure_forbidden"},
		{"refusal needs an Art. 17(3) exemption", func() (domain.Event, error) { return c.RefuseErasure(dpo, req, "because", "", t0) }, "invalid_exemption"},
		{"deferral needs a discharge", func() (domain.Event, error) { return c.DeferErasure(dpo, req, nil, t0) }, "treatment_ongoing"},
		{"dpo refuses", func() (domain.Event, error) { return c.RefuseErasure(dpo, req, client.ExemptPublicHealth, "", t0) }, ""},
		{"decided once", func() (domain.Event, error) { return c.ApproveErasure(dpo, req, t0) }, "erasure_decided"},
		{"a new request after a refusal", func() (domain.Event, error) { return c.RequestErasure(self, domain.ID{42}, "", t0) }, ""},
		{"unknown request", func() (domain.Event, error) { return c.ApproveErasure(dpo, domain.ID{43}, t0) }, "erasure_request_not_found"},
		{"dpo approves", func() (domain.Event, error) { return c.ApproveErasure(dpo, domain.ID{42}, t0) }, ""},
	}
	for _, s := range steps {
		_, err := s.do()
		code := ""
		if e, isErr := err.(*domain.Error); isErr {
			code = e.Code
		} else if err != nil {
			t.Fatalf("%s: untyped error %v", s.name, err)
		}
		if code != s.want {
			t.Fatalf("%s: code %q, want %q", s.name, code, s.want)
		}
	}
	if rs := c.ErasureRequests(); len(rs) != 2 || rs[0].Status != client.ErasureRefusal || rs[1].Status != client.ErasureApproval {
		t.Fatalf("requests %+v", rs)
	}
}

func TestRectifyRecordsChangedFields(t *testing.T) {
	t.Parallel()
	p := newPractice(t)
	c := register(t, p, "1990-01-01")
	d := c.Details()
	if _, err := c.Rectify(self, d, t0); domain.KindOf(err) != domain.KindInvalid {
		t.Fatalf("no-op rectification: %v", err)
	}
	d.FamilyName, d.Phone = "Byron", "0113 496 0000"
	ev, err := c.Rectify(dpo, d, t0)
	ok(t, err)
	if got := strings.Join(ev.(client.ClientDetailsRectified).Fields, ","); got != "family_name,phone" {
		t.Fatalf("fields %s", got)
	}
	if c.Details().FamilyName != "Byron" {
		t.Fatal("details not replaced")
	}
}

func TestSharingConsent(t *testing.T) {
	t.Parallel()
	p := newPractice(t)
	c := register(t, p, "1990-01-01")
	gp := client.ThirdParty{Kind: "gp", Name: "Dr Who", Organisation: "Leeds Surgery"}
	id := domain.ID{50}
	_, err := c.GiveSharingConsent(self, id, gp, "", t0.AddDate(1, 0, 0), client.SignedPortal, t0, t0)
	if domain.KindOf(err) != domain.KindInvalid {
		t.Fatalf("no purpose: %v", err)
	}
	_, err = c.GiveSharingConsent(self, id, gp, "care coordination", t0.AddDate(1, 0, 0), client.SignedPortal, t0, t0)
	ok(t, err)
	s, _ := c.SharingConsent(id)
	if !s.Active(t0.AddDate(0, 6, 0)) || s.Active(t0.AddDate(1, 0, 0)) {
		t.Fatal("sharing consent must be active until it expires")
	}
	_, err = c.WithdrawSharingConsent(alice, id, t0)
	ok(t, err)
	if s, _ := c.SharingConsent(id); s.Active(t0) {
		t.Fatal("withdrawn consent still active")
	}
	if st := c.ConsentState(p, svc, t0); st.Status != client.StatusMissing {
		t.Fatalf("sharing consent must not count as consent to treatment: %s", st.Status)
	}
}
