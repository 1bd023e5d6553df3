package api_test

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
)

// practiceFixture is a practice set up over the API: an admin, a DPO, a practice manager, two
// therapists (alice holds the client), one service type, one client with a portal account and a
// signed progress note.
type practiceFixture struct {
	e                               *env
	admin, dpo, manager, alice, bob *client
	portal                          *client
	practiceID, serviceID, clientID domain.ID
	noteID, aliceID, bobID          domain.ID
}

const clientName = "Zebedee-Quinlan"

func newPractice(t *testing.T) *practiceFixture {
	t.Helper()
	e := newEnv(t)
	f := &practiceFixture{e: e}
	e.user(t, domain.RoleAdmin, "admin@practice.example")
	dpoID := e.user(t, domain.RoleDPO, "dpo@practice.example")
	managerID := e.user(t, domain.RolePracticeManager, "manager@practice.example")
	f.aliceID = e.user(t, domain.RoleTherapist, "alice@practice.example")
	f.bobID = e.user(t, domain.RoleTherapist, "bob@practice.example")
	f.admin = e.signIn(t, "admin@practice.example")

	var id struct {
		ID domain.ID `json:"id"`
	}
	res := f.admin.do(t, "POST", "/api/v1/practices", map[string]string{"consent_rule": "warn"})
	expectStatus(t, res, http.StatusCreated, "")
	res.decode(t, &id)
	f.practiceID = id.ID
	for user, role := range map[domain.ID]string{dpoID: "dpo", managerID: "practice_manager", f.aliceID: "therapist", f.bobID: "therapist"} {
		expectStatus(t, f.admin.do(t, "POST", "/api/v1/practices/"+f.practiceID.String()+"/staff", map[string]any{"user_id": user, "role": role}), http.StatusNoContent, "")
	}
	res = f.admin.do(t, "POST", "/api/v1/practices/"+f.practiceID.String()+"/service-types", map[string]string{"code": "individual", "name": "Individual therapy"})
	expectStatus(t, res, http.StatusCreated, "")
	res.decode(t, &id)
	f.serviceID = id.ID

	f.alice = e.signIn(t, "alice@practice.example")
	f.bob = e.signIn(t, "bob@practice.example")
	f.dpo = e.signIn(t, "dpo@practice.example")
	f.manager = e.signIn(t, "manager@practice.example")
	res = f.alice.do(t, "POST", "/api/v1/clients", map[string]any{
		"practice_id": f.practiceID, "therapist_id": f.aliceID,
		"details": map[string]string{"given_name": clientName, "family_name": "Client", "date_of_birth": "1990-04-05", "email": "zq@client.example"},
	})
	expectStatus(t, res, http.StatusCreated, "")
	res.decode(t, &id)
	f.clientID = id.ID
	e.user(t, domain.RoleClient, "zq@client.example", f.clientID)
	f.portal = e.signIn(t, "zq@client.example")

	res = f.alice.do(t, "POST", f.clientPath("/notes"), map[string]any{
		"kind": "progress", "template_id": "00000000-0000-0000-0000-000000000001",
		"fields": map[string]string{"subjective": "reports better sleep", "objective": "calm", "assessment": "improving", "plan": "continue"},
	})
	expectStatus(t, res, http.StatusCreated, "")
	res.decode(t, &id)
	f.noteID = id.ID
	return f
}

func (f *practiceFixture) clientPath(suffix string) string {
	return "/api/v1/clients/" + f.clientID.String() + suffix
}

// sameProblem reports whether two problem bodies are equal once their request ids are removed
// and the requested ids (real and missing) are replaced by a placeholder.
func sameProblem(a, b []byte, realID, missingID domain.ID) bool {
	norm := func(body []byte, id domain.ID) string {
		s := string(body)
		if i := strings.Index(s, `"request_id"`); i >= 0 {
			s = s[:i]
		}
		return strings.ReplaceAll(s, id.String(), "ID")
	}
	return norm(a, realID) == norm(b, missingID)
}

func TestAnotherTherapistsRecordIsNotFound(t *testing.T) {
	t.Parallel()
	f := newPractice(t)
	missing := domain.ID{0x01, 0x90, 15: 9}
	st := f.serviceID.String()
	cases := []struct {
		method, suffix string
		body           any
	}{
		{"GET", "", nil},
		{"PUT", "/details", map[string]any{"details": map[string]string{"given_name": "X", "family_name": "Y", "date_of_birth": "1990-01-01"}}},
		{"POST", "/discharge", map[string]string{"ended_on": "2026-01-01"}},
		{"POST", "/readmission", map[string]string{"started_on": "2026-02-01"}},
		{"POST", "/consents", map[string]any{"service_type_id": st, "version": 1, "method": "in_person", "signer": "client", "signed_at": time.Now().UTC()}},
		{"DELETE", "/consents/" + st, nil},
		{"POST", "/sharing-consents", map[string]any{"recipient": map[string]string{"kind": "gp", "name": "Dr X"}, "purpose": "care", "expires": time.Now().Add(time.Hour).UTC(), "method": "in_person", "signed_at": time.Now().UTC()}},
		{"DELETE", "/sharing-consents/" + st, nil},
		{"POST", "/transfer", map[string]any{"to": f.bobID, "basis": "client_consent", "consent_method": "in_person", "consented_at": time.Now().UTC()}},
		{"POST", "/notes", map[string]any{"kind": "progress", "template_id": "00000000-0000-0000-0000-000000000001", "fields": map[string]string{"subjective": "x"}}},
		{"GET", "/notes", nil},
		{"GET", "/notes/" + f.noteID.String(), nil},
		{"PUT", "/notes/" + f.noteID.String(), map[string]any{"kind": "progress", "fields": map[string]string{"subjective": "x"}}},
		{"POST", "/notes/" + f.noteID.String() + "/signature", map[string]string{"kind": "progress"}},
		{"POST", "/notes/" + f.noteID.String() + "/addenda", map[string]string{"kind": "progress", "text": "x"}},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.suffix, func(t *testing.T) {
			res := f.bob.do(t, c.method, f.clientPath(c.suffix), c.body)
			expectStatus(t, res, http.StatusNotFound, "")
			miss := f.bob.do(t, c.method, "/api/v1/clients/"+missing.String()+c.suffix, c.body)
			expectStatus(t, miss, http.StatusNotFound, "")
			if !sameProblem(res.body, miss.body, f.clientID, missing) {
				t.Fatalf("another therapist's record and a missing one answer differently:\n%s\n%s", res.body, miss.body)
			}
			if bytes.Contains(res.body, []byte(clientName)) {
				t.Fatal("the answer names the client")
			}
		})
	}
	t.Run("the holder still reads", func(t *testing.T) {
		expectStatus(t, f.alice.do(t, "GET", f.clientPath(""), nil), http.StatusOK, "")
	})
}

func TestRolesOnClinicalData(t *testing.T) {
	t.Parallel()
	f := newPractice(t)
	cases := []struct {
		name   string
		who    func() *client
		path   string
		status int
		code   string
	}{
		{"manager asking for notes", func() *client { return f.manager }, f.clientPath("/notes"), 403, "role_forbidden"},
		{"manager asking for one note", func() *client { return f.manager }, f.clientPath("/notes/" + f.noteID.String()), 403, "role_forbidden"},
		{"DPO asking for notes", func() *client { return f.dpo }, f.clientPath("/notes"), 403, "role_forbidden"},
		{"manager asking for the record", func() *client { return f.manager }, f.clientPath(""), 403, "role_forbidden"},
		{"client reads own record", func() *client { return f.portal }, f.clientPath(""), 200, ""},
		{"client cannot read notes", func() *client { return f.portal }, f.clientPath("/notes"), 403, "role_forbidden"},
		{"DPO reads the record", func() *client { return f.dpo }, f.clientPath(""), 200, ""},
		{"holder reads notes", func() *client { return f.alice }, f.clientPath("/notes"), 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := c.who().do(t, "GET", c.path, nil)
			expectStatus(t, res, c.status, c.code)
			if c.status != 200 && bytes.Contains(res.body, []byte("better sleep")) {
				t.Fatal("refusal carries note content")
			}
		})
	}
	t.Run("a client sees only their own record", func(t *testing.T) {
		var other struct {
			ID domain.ID `json:"id"`
		}
		res := f.alice.do(t, "POST", "/api/v1/clients", map[string]any{
			"practice_id": f.practiceID, "therapist_id": f.aliceID,
			"details": map[string]string{"given_name": "Other", "family_name": "Person", "date_of_birth": "1980-01-01"},
		})
		expectStatus(t, res, http.StatusCreated, "")
		res.decode(t, &other)
		expectStatus(t, f.portal.do(t, "GET", "/api/v1/clients/"+other.ID.String(), nil), http.StatusNotFound, "client_not_found")
	})
}

func TestReadsAreAuditedFirst(t *testing.T) {
	t.Parallel()
	f := newPractice(t)
	stream := "client-" + f.clientID.String()
	cases := []struct {
		name string
		path string
	}{
		{"client record", f.clientPath("?purpose=treatment")},
		{"notes", f.clientPath("/notes")},
		{"one note", f.clientPath("/notes/" + f.noteID.String())},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := countOf(f.e.eventTypes(t, stream), "RecordAccessed")
			res := f.alice.do(t, "GET", c.path, nil)
			expectStatus(t, res, http.StatusOK, "")
			if after := countOf(f.e.eventTypes(t, stream), "RecordAccessed"); after != before+1 {
				t.Fatalf("RecordAccessed events %d -> %d", before, after)
			}
		})
		t.Run(c.name+" fails without data when the audit append fails", func(t *testing.T) {
			f.e.log.failType.Store("RecordAccessed")
			defer f.e.log.failType.Store("")
			res := f.alice.do(t, "GET", c.path, nil)
			expectStatus(t, res, http.StatusInternalServerError, "internal")
			if bytes.Contains(res.body, []byte(clientName)) || bytes.Contains(res.body, []byte("better sleep")) {
				t.Fatalf("failed read leaked data: %s", res.body)
			}
		})
	}
}

func TestEmergencyAccess(t *testing.T) {
	t.Parallel()
	f := newPractice(t)
	reason := "client called in crisis; alice is on leave and unreachable"
	expectStatus(t, f.bob.do(t, "GET", f.clientPath("?emergency=true"), nil), http.StatusNotFound, "client_not_found")
	expectStatus(t, f.bob.do(t, "POST", f.clientPath("/emergency-access"), map[string]string{"reason": "urgent"}), http.StatusBadRequest, "invalid_reason")
	expectStatus(t, f.manager.do(t, "POST", f.clientPath("/emergency-access"), map[string]string{"reason": reason}), http.StatusForbidden, "role_forbidden")

	var grant struct {
		GrantID domain.ID `json:"grant_id"`
	}
	res := f.bob.do(t, "POST", f.clientPath("/emergency-access"), map[string]string{"reason": reason})
	expectStatus(t, res, http.StatusCreated, "")
	res.decode(t, &grant)
	res = f.bob.do(t, "GET", f.clientPath("?emergency=true"), nil)
	expectStatus(t, res, http.StatusOK, "")
	if !bytes.Contains(res.body, []byte(clientName)) {
		t.Fatalf("record: %s", res.body)
	}
	t.Run("still refused without asking for emergency access", func(t *testing.T) {
		expectStatus(t, f.bob.do(t, "GET", f.clientPath(""), nil), http.StatusNotFound, "client_not_found")
	})
	t.Run("the DPO sees the grant and its reason", func(t *testing.T) {
		var list struct {
			Grants []struct {
				GrantID     domain.ID `json:"grant_id"`
				TherapistID domain.ID `json:"therapist_id"`
				ClientID    domain.ID `json:"client_id"`
				Reason      string    `json:"reason"`
			} `json:"grants"`
		}
		res := f.dpo.do(t, "GET", "/api/v1/emergency-access?pending=true", nil)
		expectStatus(t, res, http.StatusOK, "")
		res.decode(t, &list)
		if len(list.Grants) != 1 || list.Grants[0].GrantID != grant.GrantID || list.Grants[0].Reason != reason || list.Grants[0].TherapistID != f.bobID {
			t.Fatalf("grants: %+v", list.Grants)
		}
		expectStatus(t, f.dpo.do(t, "POST", "/api/v1/emergency-access/"+grant.GrantID.String()+"/review", nil), http.StatusNoContent, "")
		f.dpo.do(t, "GET", "/api/v1/emergency-access?pending=true", nil).decode(t, &list)
		if len(list.Grants) != 0 {
			t.Fatalf("reviewed grant still pending: %+v", list.Grants)
		}
		expectStatus(t, f.bob.do(t, "GET", "/api/v1/emergency-access", nil), http.StatusForbidden, "role_forbidden")
	})
	t.Run("grant stream and access are events; reason sealed", func(t *testing.T) {
		if types := f.e.eventTypes(t, "emergency-"+grant.GrantID.String()); !slices.Equal(types, []string{"EmergencyAccessGranted"}) {
			t.Fatalf("grant stream: %v", types)
		}
		var n int
		if err := f.e.admin.QueryRow(t.Context(), `SELECT count(*) FROM event_log WHERE position(convert_to($1,'UTF8') in payload) > 0`, "crisis").Scan(&n); err != nil || n != 0 {
			t.Fatalf("reason in clear: %d %v", n, err)
		}
	})
	t.Run("grant expires", func(t *testing.T) {
		f.e.clock.Advance(5 * time.Hour)
		f.bob = f.e.signIn(t, "bob@practice.example")
		expectStatus(t, f.bob.do(t, "GET", f.clientPath("?emergency=true"), nil), http.StatusNotFound, "client_not_found")
	})
}

func TestExportsOverHTTP(t *testing.T) {
	t.Parallel()
	f := newPractice(t)
	t.Run("portability: the client downloads their own data, audited", func(t *testing.T) {
		before := countOf(f.e.eventTypes(t, "client-"+f.clientID.String()), "RecordAccessed")
		res := f.portal.do(t, "GET", f.clientPath("/export"), nil)
		expectStatus(t, res, http.StatusOK, "")
		if !bytes.Contains(res.body, []byte(clientName)) || !strings.HasPrefix(res.header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("export: %s %v", res.body, res.header)
		}
		if after := countOf(f.e.eventTypes(t, "client-"+f.clientID.String()), "RecordAccessed"); after != before+1 {
			t.Fatalf("RecordAccessed %d -> %d", before, after)
		}
	})
	t.Run("another therapist cannot export", func(t *testing.T) {
		expectStatus(t, f.bob.do(t, "GET", f.clientPath("/export"), nil), http.StatusForbidden, "role_forbidden")
	})
	t.Run("subject access request: receive, review, export", func(t *testing.T) {
		today := f.e.clock.Now().UTC().Format("2006-01-02")
		var id struct {
			ID domain.ID `json:"id"`
		}
		res := f.dpo.do(t, "POST", "/api/v1/sars", map[string]any{"client_id": f.clientID, "received_on": today, "channel": "email", "identity": "verified"})
		expectStatus(t, res, http.StatusCreated, "")
		res.decode(t, &id)
		expectStatus(t, f.alice.do(t, "POST", "/api/v1/sars/"+id.ID.String()+"/review", map[string]any{"decisions": []any{}}), http.StatusNoContent, "")
		res = f.dpo.do(t, "GET", "/api/v1/sars/"+id.ID.String()+"/export?format=fhir", nil)
		expectStatus(t, res, http.StatusOK, "")
		if res.header.Get("Content-Type") != "application/fhir+json" || !bytes.Contains(res.body, []byte(`"resourceType"`)) {
			t.Fatalf("fhir export: %s", res.body[:min(len(res.body), 300)])
		}
		expectStatus(t, f.bob.do(t, "GET", "/api/v1/sars/"+id.ID.String()+"/export", nil), http.StatusNotFound, "")
		type sarList struct {
			Requests []struct {
				RequestID domain.ID `json:"request_id"`
				Status    string    `json:"status"`
				Regime    string    `json:"regime"`
				TimeZone  string    `json:"time_zone"`
				Due       string    `json:"due"`
			} `json:"requests"`
		}
		for _, u := range []*client{f.dpo, f.alice} {
			var list sarList
			res = u.do(t, "GET", "/api/v1/sars", nil)
			expectStatus(t, res, http.StatusOK, "")
			res.decode(t, &list)
			if len(list.Requests) != 1 || list.Requests[0].RequestID != id.ID || list.Requests[0].Status != "reviewed" || list.Requests[0].Due == "" ||
				list.Requests[0].Regime != "uk_gdpr" || list.Requests[0].TimeZone != "UTC" {
				t.Fatalf("sars: %s", res.body)
			}
		}
		// Bob holds none of the clients with a request: his list is empty, not refused.
		var bobs sarList
		res = f.bob.do(t, "GET", "/api/v1/sars", nil)
		expectStatus(t, res, http.StatusOK, "")
		if res.decode(t, &bobs); len(bobs.Requests) != 0 {
			t.Fatalf("bob lists %s", res.body)
		}
		expectStatus(t, f.manager.do(t, "GET", "/api/v1/sars", nil), http.StatusForbidden, "role_forbidden")
		expectStatus(t, f.bob.do(t, "POST", "/api/v1/sars/"+id.ID.String()+"/review", map[string]any{"decisions": []any{}}), http.StatusNotFound, "")
	})
	t.Run("subject access request under HIPAA: received with the regime, extended by days in writing", func(t *testing.T) {
		today := f.e.clock.Now().UTC().Format("2006-01-02")
		var id struct {
			ID domain.ID `json:"id"`
		}
		res := f.dpo.do(t, "POST", "/api/v1/sars", map[string]any{"client_id": f.clientID, "received_on": today, "channel": "letter", "identity": "verified", "regime": "hipaa"})
		expectStatus(t, res, http.StatusCreated, "")
		res.decode(t, &id)
		ext := "/api/v1/sars/" + id.ID.String() + "/extension"
		expectStatus(t, f.dpo.do(t, "POST", ext, map[string]any{"months": 1, "reason": "records held off site", "notified_on": today}), http.StatusBadRequest, "invalid_days")
		expectStatus(t, f.dpo.do(t, "POST", ext, map[string]any{"days": 20, "reason": "records held off site", "notified_on": today}), http.StatusBadRequest, "invalid_in_writing")
		expectStatus(t, f.dpo.do(t, "POST", ext, map[string]any{"days": 20, "in_writing": true, "reason": "records held off site", "notified_on": today}), http.StatusNoContent, "")
		expectStatus(t, f.dpo.do(t, "POST", ext, map[string]any{"days": 5, "in_writing": true, "reason": "again", "notified_on": today}), http.StatusConflict, "sar_already_extended")
		if n := countOf(f.e.eventTypes(t, "sar-"+id.ID.String()), "SARExtended"); n != 1 {
			t.Fatalf("%d SARExtended events, want 1", n)
		}
		expectStatus(t, f.dpo.do(t, "POST", "/api/v1/sars", map[string]any{"client_id": f.clientID, "received_on": today, "channel": "letter", "identity": "verified", "regime": "ccpa"}), http.StatusBadRequest, "")
	})
	t.Run("another therapist cannot put the client on the waitlist", func(t *testing.T) {
		expectStatus(t, f.bob.do(t, "POST", "/api/v1/practices/"+f.practiceID.String()+"/waitlist", map[string]any{"client_id": f.clientID, "therapist_id": f.bobID, "priority": 1}), http.StatusNotFound, "")
		expectStatus(t, f.alice.do(t, "POST", "/api/v1/practices/"+f.practiceID.String()+"/waitlist", map[string]any{"client_id": f.clientID, "therapist_id": f.aliceID, "priority": 1}), http.StatusCreated, "")
	})
	t.Run("another user's token is not found", func(t *testing.T) {
		var tok struct {
			ID domain.ID `json:"id"`
		}
		f.alice.do(t, "POST", "/api/v1/tokens", nil).decode(t, &tok)
		expectStatus(t, f.bob.do(t, "DELETE", "/api/v1/tokens/"+tok.ID.String(), nil), http.StatusNotFound, "token_not_found")
	})
	t.Run("retention sweep queues nothing for a client in treatment", func(t *testing.T) {
		var sw struct {
			Clients int   `json:"clients"`
			Queued  []any `json:"queued"`
		}
		res := f.dpo.do(t, "POST", "/api/v1/retention-sweeps", nil)
		expectStatus(t, res, http.StatusOK, "")
		res.decode(t, &sw)
		if sw.Clients != 1 || len(sw.Queued) != 0 {
			t.Fatalf("sweep: %s", res.body)
		}
	})
}

// TestStaffListServiceTypes: the practice's staff read its service types (for booking); a
// client, or a user who is not on the practice's staff, learns nothing of them.
func TestStaffListServiceTypes(t *testing.T) {
	t.Parallel()
	f := newPractice(t)
	path := "/api/v1/practices/" + f.practiceID.String() + "/service-types"
	for _, u := range []*client{f.alice, f.manager, f.dpo, f.admin} {
		var got struct {
			ServiceTypes []struct {
				ID      domain.ID `json:"id"`
				Code    string    `json:"code"`
				Name    string    `json:"name"`
				Minutes int       `json:"minutes"`
			} `json:"service_types"`
		}
		res := u.do(t, "GET", path, nil)
		expectStatus(t, res, http.StatusOK, "")
		res.decode(t, &got)
		if len(got.ServiceTypes) != 1 || got.ServiceTypes[0].ID != f.serviceID || got.ServiceTypes[0].Name != "Individual therapy" || got.ServiceTypes[0].Code != "individual" {
			t.Fatalf("service types: %s", res.body)
		}
	}
	expectStatus(t, f.portal.do(t, "GET", path, nil), http.StatusForbidden, "role_forbidden")
	expectStatus(t, f.admin.do(t, "DELETE", "/api/v1/practices/"+f.practiceID.String()+"/staff/"+f.bobID.String(), nil), http.StatusNoContent, "")
	expectStatus(t, f.bob.do(t, "GET", path, nil), http.StatusNotFound, "practice_not_found")
	expectStatus(t, f.alice.do(t, "GET", "/api/v1/practices/0193a1b2-0000-7000-8000-00000000beef/service-types", nil), http.StatusNotFound, "practice_not_found")
}

// TestAdminListsPractices: the admin reads the practice's settings; staff and clients may not.
func TestAdminListsPractices(t *testing.T) {
	t.Parallel()
	f := newPractice(t)
	var got struct {
		Practices []struct {
			ID          domain.ID `json:"id"`
			ConsentRule string    `json:"consent_rule"`
			Staff       []struct {
				UserID domain.ID `json:"user_id"`
				Role   string    `json:"role"`
			} `json:"staff"`
			ServiceTypes []struct {
				ID      domain.ID `json:"id"`
				Name    string    `json:"name"`
				InForce int       `json:"consent_version_in_force"`
			} `json:"service_types"`
			Retention map[string]int `json:"retention_years"`
		} `json:"practices"`
	}
	res := f.admin.do(t, "GET", "/api/v1/practices", nil)
	expectStatus(t, res, http.StatusOK, "")
	res.decode(t, &got)
	if len(got.Practices) != 1 || got.Practices[0].ID != f.practiceID || got.Practices[0].ConsentRule != "warn" ||
		len(got.Practices[0].Staff) != 4 || len(got.Practices[0].ServiceTypes) != 1 || got.Practices[0].ServiceTypes[0].Name != "Individual therapy" ||
		got.Practices[0].Retention["adult_mental_health"] != 20 {
		t.Fatalf("practices: %s", res.body)
	}
	for _, u := range []*client{f.alice, f.dpo, f.manager, f.portal} {
		expectStatus(t, u.do(t, "GET", "/api/v1/practices", nil), http.StatusForbidden, "role_forbidden")
	}
}
