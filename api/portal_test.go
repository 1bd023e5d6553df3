package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/sar"
)

// TestClientPortalReadsOwnData: a signed-in client reads their own consents and upcoming
// appointments from the event log, each read is recorded in their access log, another client's id
// answers 404 exactly like a missing one, and staff routes are unchanged.
func TestClientPortalReadsOwnData(t *testing.T) {
	t.Parallel()
	f := newPractice(t)
	f.openCalendar(t)
	now := f.e.clock.Now().UTC()
	expectStatus(t, f.admin.do(t, "POST", "/api/v1/practices/"+f.practiceID.String()+"/consent-templates", map[string]any{
		"service_type_id": f.serviceID, "text": "I consent to individual therapy.", "effective_from": now.Add(-time.Hour),
	}), http.StatusNoContent, "")
	expectStatus(t, f.alice.do(t, "POST", f.clientPath("/consents"), map[string]any{
		"service_type_id": f.serviceID, "version": 1, "method": "in_person", "signer": "client", "signed_at": now.Add(-time.Minute),
	}), http.StatusNoContent, "")

	loc, _ := time.LoadLocation("Europe/London")
	day := now.In(loc).AddDate(0, 0, 3)
	start := time.Date(day.Year(), day.Month(), day.Day(), 10, 0, 0, 0, loc).UTC()
	var booked struct {
		ID domain.ID `json:"appointment_id"`
	}
	res := f.alice.do(t, "POST", "/api/v1/appointments", map[string]any{
		"therapist_id": f.aliceID, "client_id": f.clientID, "service_type_id": f.serviceID, "start": start, "duration_minutes": 50, "location": "Room 2",
	})
	expectStatus(t, res, http.StatusCreated, "")
	res.decode(t, &booked)

	otherID, otherPortal := f.otherPortalClient(t)

	t.Run("own consents", func(t *testing.T) {
		var got struct {
			Consents []struct {
				ServiceTypeID domain.ID `json:"service_type_id"`
				Status        string    `json:"status"`
				Version       int       `json:"version"`
				ContentHash   string    `json:"content_hash"`
			} `json:"consents"`
		}
		res := f.portal.do(t, "GET", f.clientPath("/consents"), nil)
		expectStatus(t, res, http.StatusOK, "")
		res.decode(t, &got)
		if len(got.Consents) != 1 || got.Consents[0].ServiceTypeID != f.serviceID || got.Consents[0].Status != "signed" || got.Consents[0].Version != 1 || got.Consents[0].ContentHash == "" {
			t.Fatalf("consents: %s", res.body)
		}
	})
	t.Run("own upcoming appointments", func(t *testing.T) {
		var got struct {
			Appointments []struct {
				ID       domain.ID `json:"id"`
				ClientID domain.ID `json:"client_id"`
				Start    time.Time `json:"start"`
				Status   string    `json:"status"`
				BookedBy string    `json:"booked_by"`
				Location string    `json:"location"`
			} `json:"appointments"`
		}
		res := f.portal.do(t, "GET", f.clientPath("/appointments"), nil)
		expectStatus(t, res, http.StatusOK, "")
		res.decode(t, &got)
		if len(got.Appointments) != 1 || got.Appointments[0].ID != booked.ID || got.Appointments[0].ClientID != f.clientID ||
			!got.Appointments[0].Start.Equal(start) || got.Appointments[0].Status != "booked" || got.Appointments[0].BookedBy != "therapist" || got.Appointments[0].Location != "Room 2" {
			t.Fatalf("appointments: %s", res.body)
		}
		res = f.portal.do(t, "GET", f.clientPath("/appointments?from="+start.Add(time.Hour).Format(time.RFC3339)), nil)
		expectStatus(t, res, http.StatusOK, "")
		got.Appointments = nil
		res.decode(t, &got)
		if len(got.Appointments) != 0 {
			t.Fatalf("appointments ending before from: %s", res.body)
		}
		expectStatus(t, f.portal.do(t, "GET", f.clientPath("/appointments?from=tomorrow"), nil), http.StatusBadRequest, "invalid_from")
	})
	t.Run("another client's id answers like a missing one", func(t *testing.T) {
		for _, suffix := range []string{"/consents", "/appointments"} {
			t.Run(suffix, func(t *testing.T) { f.expectLikeMissing(t, otherPortal, suffix) })
		}
	})
	t.Run("the other client sees only their own, empty, data", func(t *testing.T) {
		res := otherPortal.do(t, "GET", "/api/v1/clients/"+otherID.String()+"/appointments", nil)
		expectStatus(t, res, http.StatusOK, "")
		if string(res.body) != `{"appointments":[]}`+"\n" && string(res.body) != `{"appointments":[]}` {
			t.Fatalf("other client's appointments: %s", res.body)
		}
	})
	t.Run("reads are in the client's access log", func(t *testing.T) {
		types := f.e.eventTypes(t, "client-"+f.clientID.String())
		if n := countOf(types, "RecordAccessed"); n < 3 {
			t.Fatalf("client stream %v: want the 3 successful portal reads recorded", types)
		}
	})
	t.Run("staff are unaffected", func(t *testing.T) {
		eventually(t, "therapist sees the consent in the read model", func() bool {
			res := f.alice.do(t, "GET", f.clientPath("/consents"), nil)
			return res.status == http.StatusOK && firstConsentStatus(t, res) == "signed"
		})
		expectStatus(t, f.bob.do(t, "GET", f.clientPath("/consents"), nil), http.StatusNotFound, "")
		expectStatus(t, f.alice.do(t, "GET", f.clientPath("/appointments"), nil), http.StatusForbidden, "")
	})
}

func firstConsentStatus(tb testing.TB, res response) string {
	tb.Helper()
	var got struct {
		Consents []struct {
			Status string `json:"status"`
		} `json:"consents"`
	}
	res.decode(tb, &got)
	if len(got.Consents) == 0 {
		return ""
	}
	return got.Consents[0].Status
}

// TestClientSignsConsentThroughThePortal: a signed-in client reads the consent forms in force
// with their consent to each, signs one by its version (the server dates a portal signature; a
// therapist's in-person one must be dated), sees it valid, cannot sign a version a newer one
// replaced, and cannot read another client's forms; staff cannot use the route.
func TestClientSignsConsentThroughThePortal(t *testing.T) {
	t.Parallel()
	f := newPractice(t)
	now := f.e.clock.Now().UTC()
	publish := func(text string, from time.Time) {
		t.Helper()
		expectStatus(t, f.admin.do(t, "POST", "/api/v1/practices/"+f.practiceID.String()+"/consent-templates", map[string]any{
			"service_type_id": f.serviceID, "text": text, "effective_from": from,
		}), http.StatusNoContent, "")
	}
	type form struct {
		ServiceTypeID domain.ID `json:"service_type_id"`
		ServiceName   string    `json:"service_name"`
		Version       int       `json:"version"`
		Text          string    `json:"text"`
		ContentHash   string    `json:"content_hash"`
		Status        string    `json:"status"`
		SignedVersion int       `json:"signed_version"`
	}
	forms := func() []form {
		t.Helper()
		var got struct {
			Forms []form `json:"forms"`
		}
		res := f.portal.do(t, "GET", f.clientPath("/consent-forms"), nil)
		expectStatus(t, res, http.StatusOK, "")
		res.decode(t, &got)
		return got.Forms
	}
	sign := func(version int) response {
		return f.portal.do(t, "POST", f.clientPath("/consents"), map[string]any{
			"service_type_id": f.serviceID, "version": version, "method": "portal", "signer": "client",
		})
	}

	if got := forms(); len(got) != 0 {
		t.Fatalf("forms before any was published: %+v", got)
	}
	publish("I consent to individual therapy.", now.Add(-time.Hour))
	got := forms()
	if len(got) != 1 || got[0].ServiceTypeID != f.serviceID || got[0].ServiceName == "" || got[0].Version != 1 ||
		got[0].Text != "I consent to individual therapy." || got[0].ContentHash == "" || got[0].Status != "consent_missing" {
		t.Fatalf("forms: %+v", got)
	}
	expectStatus(t, sign(1), http.StatusNoContent, "")
	if got := forms(); len(got) != 1 || got[0].Status != "valid" || got[0].SignedVersion != 1 {
		t.Fatalf("forms after signing: %+v", got)
	}
	publish("I consent to individual therapy, as revised.", now)
	if got := forms(); len(got) != 1 || got[0].Version != 2 || got[0].Status != "consent_outdated" || got[0].SignedVersion != 1 {
		t.Fatalf("forms after version 2: %+v", got)
	}
	expectStatus(t, sign(1), http.StatusConflict, "consent_version_outdated")
	expectStatus(t, sign(2), http.StatusNoContent, "")
	expectStatus(t, f.alice.do(t, "POST", f.clientPath("/consents"), map[string]any{
		"service_type_id": f.serviceID, "version": 2, "method": "in_person", "signer": "client",
	}), http.StatusBadRequest, "invalid_signed_at")
	if got := forms(); len(got) != 1 || got[0].Status != "valid" || got[0].SignedVersion != 2 {
		t.Fatalf("forms after signing version 2: %+v", got)
	}

	f.expectOwnOnly(t, "/consent-forms")
}

// TestClientBooksThroughThePortal: a therapist cannot open self-booking without saying where
// self-booked sessions take place; a signed-in client reads what they may book, searches their
// therapist's free slots for a service's session length, holds one, books it with the hold and no
// place (the rules' place is taken), sees it among their appointments and cancels it; with
// self-booking off nothing is offered, and another client's options answer like a missing
// client's.
func TestClientBooksThroughThePortal(t *testing.T) {
	t.Parallel()
	f := newPractice(t)
	f.openCalendar(t)
	var id struct {
		ID domain.ID `json:"id"`
	}
	res := f.admin.do(t, "POST", "/api/v1/practices/"+f.practiceID.String()+"/service-types", map[string]any{"code": "assessment", "name": "Initial assessment", "minutes": 50})
	expectStatus(t, res, http.StatusCreated, "")
	res.decode(t, &id)
	assessment := id.ID
	expectStatus(t, f.admin.do(t, "POST", "/api/v1/practices/"+f.practiceID.String()+"/service-types", map[string]any{"code": "long", "name": "Long", "minutes": 481}),
		http.StatusBadRequest, "invalid_minutes")
	cal := "/api/v1/calendars/" + f.aliceID.String()
	selfBooking := map[string]any{"enabled": true, "horizon_days": 28, "min_notice_minutes": 60, "hold_minutes": 15}
	expectStatus(t, f.alice.do(t, "PUT", cal+"/self-booking", selfBooking), http.StatusBadRequest, "invalid_location")
	selfBooking["location"] = "Room 4"
	expectStatus(t, f.alice.do(t, "PUT", cal+"/self-booking", selfBooking), http.StatusNoContent, "")

	type options struct {
		TherapistID domain.ID `json:"therapist_id"`
		Enabled     bool      `json:"enabled"`
		HoldMinutes int       `json:"hold_minutes"`
		Services    []struct {
			ServiceTypeID domain.ID `json:"service_type_id"`
			Name          string    `json:"name"`
			Minutes       int       `json:"minutes"`
			ConsentStatus string    `json:"consent_status"`
		} `json:"services"`
	}
	read := func() options {
		t.Helper()
		var o options
		res := f.portal.do(t, "GET", f.clientPath("/booking-options"), nil)
		expectStatus(t, res, http.StatusOK, "")
		res.decode(t, &o)
		return o
	}
	o := read()
	if !o.Enabled || o.TherapistID != f.aliceID || o.HoldMinutes != 15 || len(o.Services) != 1 || o.Services[0].ServiceTypeID != assessment ||
		o.Services[0].Minutes != 50 || o.Services[0].ConsentStatus != "consent_template_missing" {
		t.Fatalf("options: %+v (the individual service has no session length, so is not offered)", o)
	}

	from := f.e.clock.Now().Add(24 * time.Hour).UTC()
	var slots struct {
		Slots []struct {
			Start time.Time `json:"start"`
			End   time.Time `json:"end"`
		} `json:"slots"`
	}
	res = f.portal.do(t, "GET", cal+"/slots?from="+from.Format(time.RFC3339)+"&to="+from.Add(24*time.Hour).Format(time.RFC3339)+
		"&length_minutes=50&service_type_id="+assessment.String(), nil)
	expectStatus(t, res, http.StatusOK, "")
	res.decode(t, &slots)
	if len(slots.Slots) == 0 || slots.Slots[0].End.Sub(slots.Slots[0].Start) != 50*time.Minute {
		t.Fatalf("slots: %s", res.body)
	}
	start := slots.Slots[0].Start
	var hold struct {
		HoldID domain.ID `json:"hold_id"`
	}
	res = f.portal.do(t, "POST", cal+"/holds", map[string]any{"service_type_id": assessment, "start": start, "duration_minutes": 50})
	expectStatus(t, res, http.StatusCreated, "")
	res.decode(t, &hold)
	var booked struct {
		ID domain.ID `json:"appointment_id"`
	}
	res = f.portal.do(t, "POST", "/api/v1/appointments", map[string]any{"therapist_id": f.aliceID, "client_id": f.clientID,
		"service_type_id": assessment, "start": start, "duration_minutes": 50, "hold_id": hold.HoldID})
	expectStatus(t, res, http.StatusCreated, "")
	res.decode(t, &booked)
	var mine struct {
		Appointments []struct {
			ID       domain.ID `json:"id"`
			Status   string    `json:"status"`
			BookedBy string    `json:"booked_by"`
			Location string    `json:"location"`
		} `json:"appointments"`
	}
	res = f.portal.do(t, "GET", f.clientPath("/appointments"), nil)
	expectStatus(t, res, http.StatusOK, "")
	res.decode(t, &mine)
	if len(mine.Appointments) != 1 || mine.Appointments[0].ID != booked.ID || mine.Appointments[0].Status != "booked" ||
		mine.Appointments[0].BookedBy != "client" || mine.Appointments[0].Location != "Room 4" {
		t.Fatalf("appointments after booking: %s", res.body)
	}
	expectStatus(t, f.portal.do(t, "POST", "/api/v1/appointments/"+booked.ID.String()+"/cancellation", map[string]string{"reason": "cannot make it"}), http.StatusOK, "")
	res = f.portal.do(t, "GET", f.clientPath("/appointments"), nil)
	mine.Appointments = nil
	res.decode(t, &mine)
	if len(mine.Appointments) != 1 || mine.Appointments[0].Status != "cancelled" {
		t.Fatalf("appointments after cancelling: %s", res.body)
	}

	selfBooking["enabled"] = false
	expectStatus(t, f.alice.do(t, "PUT", cal+"/self-booking", selfBooking), http.StatusNoContent, "")
	if o := read(); o.Enabled || len(o.Services) != 0 || o.TherapistID != f.aliceID {
		t.Fatalf("options with self-booking off: %+v", o)
	}
	f.expectOwnOnly(t, "/booking-options")
}

// otherPortalClient registers a second client of alice's, with a portal account, and returns the
// client's id and portal session.
func (f *practiceFixture) otherPortalClient(t *testing.T) (domain.ID, *client) {
	t.Helper()
	var other struct {
		ID domain.ID `json:"id"`
	}
	res := f.alice.do(t, "POST", "/api/v1/clients", map[string]any{
		"practice_id": f.practiceID, "therapist_id": f.aliceID,
		"details": map[string]string{"given_name": "Other", "family_name": "Client", "date_of_birth": "1985-01-02", "email": "other@client.example"},
	})
	expectStatus(t, res, http.StatusCreated, "")
	res.decode(t, &other)
	f.e.user(t, domain.RoleClient, "other@client.example", other.ID)
	return other.ID, f.e.signIn(t, "other@client.example")
}

// expectOwnOnly checks the access rule of the portal's own-data route suffix: another client's
// session reading the fixture's client answers exactly like a missing client (expectLikeMissing),
// and the holding therapist is refused by role (403).
func (f *practiceFixture) expectOwnOnly(t *testing.T, suffix string) {
	t.Helper()
	_, otherPortal := f.otherPortalClient(t)
	f.expectLikeMissing(t, otherPortal, suffix)
	expectStatus(t, f.alice.do(t, "GET", f.clientPath(suffix), nil), http.StatusForbidden, "")
}

// expectLikeMissing checks that portal, another client's session, reading suffix of the
// fixture's client answers 404 client_not_found exactly as for a client that does not exist.
func (f *practiceFixture) expectLikeMissing(t *testing.T, portal *client, suffix string) {
	t.Helper()
	missing := domain.ID{0x01, 0x90, 15: 7}
	theirs := portal.do(t, "GET", f.clientPath(suffix), nil)
	expectStatus(t, theirs, http.StatusNotFound, "client_not_found")
	miss := portal.do(t, "GET", "/api/v1/clients/"+missing.String()+suffix, nil)
	expectStatus(t, miss, http.StatusNotFound, "client_not_found")
	if !sameProblem(theirs.body, miss.body, f.clientID, missing) {
		t.Fatalf("another client's %s and a missing client's answer differently:\n%s\n%s", suffix, theirs.body, miss.body)
	}
}

// TestClientFollowsTheirErasureRequest: a signed-in client asks for erasure, sees the request
// open, then the DPO's refusal with its exemption and explanation; another client's id answers
// like a missing client's, and staff cannot use the route.
func TestClientFollowsTheirErasureRequest(t *testing.T) {
	t.Parallel()
	f := newPractice(t)
	type request struct {
		ID          domain.ID `json:"id"`
		Status      string    `json:"status"`
		RequestedBy string    `json:"requested_by"`
		Grounds     string    `json:"grounds"`
		Exemption   string    `json:"exemption"`
		Explanation string    `json:"explanation"`
		DecidedAt   time.Time `json:"decided_at"`
	}
	list := func() []request {
		t.Helper()
		var got struct {
			Requests []request `json:"requests"`
		}
		res := f.portal.do(t, "GET", f.clientPath("/erasure-requests"), nil)
		expectStatus(t, res, http.StatusOK, "")
		res.decode(t, &got)
		return got.Requests
	}
	if got := list(); len(got) != 0 {
		t.Fatalf("requests before any: %+v", got)
	}
	var asked struct {
		ID domain.ID `json:"id"`
	}
	res := f.portal.do(t, "POST", f.clientPath("/erasure-requests"), map[string]string{"grounds": "moving abroad"})
	expectStatus(t, res, http.StatusCreated, "")
	res.decode(t, &asked)
	if got := list(); len(got) != 1 || got[0].ID != asked.ID || got[0].Status != "open" || got[0].RequestedBy != "client" || got[0].Grounds != "moving abroad" {
		t.Fatalf("after asking: %+v", got)
	}
	expectStatus(t, f.dpo.do(t, "POST", f.clientPath("/erasure-requests/"+asked.ID.String()+"/decision"), map[string]string{
		"decision": "refuse", "exemption": "legal_claims", "explanation": "a complaint about this record is open",
	}), http.StatusNoContent, "")
	if got := list(); len(got) != 1 || got[0].Status != "refused" || got[0].Exemption != "legal_claims" ||
		got[0].Explanation != "a complaint about this record is open" || got[0].DecidedAt.IsZero() {
		t.Fatalf("after the refusal: %+v", got)
	}
	f.expectOwnOnly(t, "/erasure-requests")
}

// TestDPOWorksThroughTheErasureQueue: a client's request appears in the DPO's queue with its
// one-month due date, the DPO reads the client's requests and refuses it, and it leaves the queue;
// nobody else reads the queue.
func TestDPOWorksThroughTheErasureQueue(t *testing.T) {
	t.Parallel()
	f := newPractice(t)
	type queued struct {
		ClientID    domain.ID `json:"client_id"`
		RequestedAt time.Time `json:"requested_at"`
		DueBy       string    `json:"due_by"`
	}
	queue := func() []queued {
		t.Helper()
		var got struct {
			Requests []queued `json:"requests"`
		}
		res := f.dpo.do(t, "GET", "/api/v1/erasure-requests", nil)
		expectStatus(t, res, http.StatusOK, "")
		res.decode(t, &got)
		return got.Requests
	}
	if got := queue(); len(got) != 0 {
		t.Fatalf("queue before any request: %+v", got)
	}
	expectStatus(t, f.portal.do(t, "POST", f.clientPath("/erasure-requests"), map[string]string{"grounds": "moving abroad"}), http.StatusCreated, "")
	eventually(t, "the request in the DPO's queue", func() bool {
		got := queue()
		return len(got) == 1 && got[0].ClientID == f.clientID && got[0].DueBy == sar.DateOf(got[0].RequestedAt).AddMonths(1).String()
	})
	var requests struct {
		Requests []struct {
			ID      domain.ID `json:"id"`
			Grounds string    `json:"grounds"`
		} `json:"requests"`
	}
	res := f.dpo.do(t, "GET", f.clientPath("/erasure-requests"), nil)
	expectStatus(t, res, http.StatusOK, "")
	res.decode(t, &requests)
	if len(requests.Requests) != 1 || requests.Requests[0].Grounds != "moving abroad" {
		t.Fatalf("the DPO reads %s", res.body)
	}
	expectStatus(t, f.dpo.do(t, "POST", f.clientPath("/erasure-requests/"+requests.Requests[0].ID.String()+"/decision"), map[string]string{
		"decision": "refuse", "exemption": "legal_claims", "explanation": "a complaint about this record is open",
	}), http.StatusNoContent, "")
	eventually(t, "the refused request out of the queue", func() bool { return len(queue()) == 0 })
	for _, c := range []*client{f.alice, f.manager, f.portal} {
		expectStatus(t, c.do(t, "GET", "/api/v1/erasure-requests", nil), http.StatusForbidden, "")
	}
}

// TestClientManagesTheirWaitlistEntries: a signed-in client joins their practice's waitlist for
// their therapist (not ahead of anyone: a priority of their own is refused), lists the entry, and
// leaves; another client's id answers like a missing client's.
func TestClientManagesTheirWaitlistEntries(t *testing.T) {
	t.Parallel()
	f := newPractice(t)
	waitlist := "/api/v1/practices/" + f.practiceID.String() + "/waitlist"
	type entry struct {
		EntryID       domain.ID `json:"entry_id"`
		TherapistID   domain.ID `json:"therapist_id"`
		ServiceTypeID domain.ID `json:"service_type_id"`
		Preferred     []struct {
			Weekday, Start, End string
		} `json:"preferred"`
	}
	list := func() []entry {
		t.Helper()
		var got struct {
			Entries []entry `json:"entries"`
		}
		res := f.portal.do(t, "GET", f.clientPath("/waitlist"), nil)
		expectStatus(t, res, http.StatusOK, "")
		res.decode(t, &got)
		return got.Entries
	}
	if got := list(); len(got) != 0 {
		t.Fatalf("entries before any: %+v", got)
	}
	expectStatus(t, f.portal.do(t, "POST", waitlist, map[string]any{"client_id": f.clientID, "therapist_id": f.aliceID, "priority": 90}),
		http.StatusBadRequest, "invalid_priority")
	var joined struct {
		ID domain.ID `json:"id"`
	}
	res := f.portal.do(t, "POST", waitlist, map[string]any{"client_id": f.clientID, "therapist_id": f.aliceID})
	expectStatus(t, res, http.StatusCreated, "")
	res.decode(t, &joined)
	if got := list(); len(got) != 1 || got[0].EntryID != joined.ID || got[0].TherapistID != f.aliceID {
		t.Fatalf("entries after joining: %+v", got)
	}
	expectStatus(t, f.portal.do(t, "POST", waitlist+"/"+joined.ID.String()+"/removal", map[string]string{"reason": "withdrawn"}), http.StatusNoContent, "")
	if got := list(); len(got) != 0 {
		t.Fatalf("entries after leaving: %+v", got)
	}

	// A service and the hours they can come, which the list shows back; hours that overlap are refused.
	preferred := []map[string]string{{"weekday": "monday", "start": "09:00", "end": "12:00"}, {"weekday": "thursday", "start": "16:00", "end": "19:00"}}
	expectStatus(t, f.portal.do(t, "POST", waitlist, map[string]any{"client_id": f.clientID, "therapist_id": f.aliceID, "service_type_id": f.serviceID,
		"preferred": append(preferred, map[string]string{"weekday": "monday", "start": "11:00", "end": "13:00"})}), http.StatusBadRequest, "invalid_weekly_hours")
	res = f.portal.do(t, "POST", waitlist, map[string]any{"client_id": f.clientID, "therapist_id": f.aliceID, "service_type_id": f.serviceID, "preferred": preferred})
	expectStatus(t, res, http.StatusCreated, "")
	got := list()
	if len(got) != 1 || got[0].ServiceTypeID != f.serviceID || len(got[0].Preferred) != 2 ||
		got[0].Preferred[0].Weekday != "monday" || got[0].Preferred[0].Start != "09:00" || got[0].Preferred[1].End != "19:00" {
		t.Fatalf("entries after joining with preferred hours: %+v", got)
	}
	f.expectOwnOnly(t, "/waitlist")
}
