package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pquerna/otp/totp"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/sar"
)

// Seeded client details. The names are unusual so that finding one in a page is meaningful.
var (
	marguerite = map[string]string{"given_name": "Marguerite", "family_name": "Okonkwo-Vance", "date_of_birth": "1984-02-29", "email": "m.okonkwo-vance@client.example"}
	aaron      = map[string]string{"given_name": "Aaron", "family_name": "Abbott", "date_of_birth": "1979-11-03", "email": "aaron.abbott@client.example"}
)

// practice is the seeded data: staff, one practice, two clients of one therapist and
// appointments today at 12:00 UTC with the first and 15:00 UTC with the second.
type practice struct {
	s                         *stack
	practiceID, serviceID     domain.ID
	therapistID, margueriteID domain.ID
	aaronAppointmentID        domain.ID
	// couplesID is a second service type, whose consent form Marguerite has not signed.
	couplesID domain.ID
	dpoCode   func() string
}

// seed registers users through the commands, and builds the practice, the clients, the calendar
// and the booking through the API (which runs the real commands), then waits until the read
// models show them.
func seed(t *testing.T, s *stack) *practice {
	t.Helper()
	p := &practice{s: s}
	s.user(t, domain.RoleAdmin, "admin@practice.example")
	p.therapistID = s.user(t, domain.RoleTherapist, "thea@practice.example")
	managerID := s.user(t, domain.RolePracticeManager, "manager@practice.example")
	dpoID := s.user(t, domain.RoleDPO, "dpo@practice.example")
	s.user(t, domain.RoleAuditor, "auditor@practice.example")
	p.dpoCode = s.enrolTOTP(t, domain.Actor{UserID: dpoID, Role: domain.RoleDPO})

	var id struct {
		ID domain.ID `json:"id"`
	}
	admin := s.signIn(t, "admin@practice.example")
	admin.do(t, "POST", "/api/v1/practices", map[string]string{"consent_rule": "warn"}, http.StatusCreated, &id)
	practiceID := id.ID
	p.practiceID = practiceID
	for user, role := range map[domain.ID]string{p.therapistID: "therapist", managerID: "practice_manager", dpoID: "dpo"} {
		admin.do(t, "POST", "/api/v1/practices/"+practiceID.String()+"/staff", map[string]any{"user_id": user, "role": role}, http.StatusNoContent, nil)
	}
	admin.do(t, "POST", "/api/v1/practices/"+practiceID.String()+"/service-types", map[string]any{"code": "individual", "name": "Individual therapy", "minutes": 50}, http.StatusCreated, &id)
	serviceID := id.ID
	p.serviceID = serviceID
	admin.do(t, "POST", "/api/v1/practices/"+practiceID.String()+"/consent-templates", map[string]any{
		"service_type_id": serviceID, "text": "I consent to individual therapy.", "effective_from": s.clock.Now().Add(-time.Hour),
	}, http.StatusNoContent, nil)
	admin.do(t, "POST", "/api/v1/practices/"+practiceID.String()+"/service-types", map[string]string{"code": "couples", "name": "Couples therapy"}, http.StatusCreated, &id)
	p.couplesID = id.ID
	admin.do(t, "POST", "/api/v1/practices/"+practiceID.String()+"/consent-templates", map[string]any{
		"service_type_id": p.couplesID, "text": "We consent to couples therapy.", "effective_from": s.clock.Now().Add(-time.Hour),
	}, http.StatusNoContent, nil)

	thea := s.signIn(t, "thea@practice.example")
	var aaronID domain.ID
	for _, d := range []map[string]string{marguerite, aaron} {
		thea.do(t, "POST", "/api/v1/clients", map[string]any{"practice_id": practiceID, "therapist_id": p.therapistID, "details": d}, http.StatusCreated, &id)
		if d["given_name"] == marguerite["given_name"] {
			p.margueriteID = id.ID
		} else {
			aaronID = id.ID
		}
	}
	// Marguerite signed the consent form in person; her portal account has her client id.
	thea.do(t, "POST", "/api/v1/clients/"+p.margueriteID.String()+"/consents", map[string]any{
		"service_type_id": serviceID, "version": 1, "method": "in_person", "signer": "client", "signed_at": s.clock.Now().Add(-time.Minute),
	}, http.StatusNoContent, nil)
	s.user(t, domain.RoleClient, marguerite["email"], p.margueriteID)
	// She asked the DPO by email for a copy of her record (recorded through the command: the DPO's
	// own sign-ins, with a TOTP code each, are the browser's).
	if err := commands.NewReceiveSARHandler(s.ident.Deps).Handle(context.Background(), domain.Actor{UserID: dpoID, Role: domain.RoleDPO},
		commands.ReceiveSAR{RequestID: domain.ID(uuid.Must(uuid.NewV7())), ClientID: p.margueriteID, Channel: sar.ChannelEmail, Identity: sar.IdentityVerified}); err != nil {
		t.Fatal(err)
	}
	cal := "/api/v1/calendars/" + p.therapistID.String()
	thea.do(t, "PUT", cal+"/policy", map[string]any{"time_zone": "UTC", "buffer_minutes": 10, "slot_step_minutes": 15, "cancellation_window_minutes": 60}, http.StatusNoContent, nil)
	var hours []map[string]any
	for d := time.Sunday; d <= time.Saturday; d++ {
		hours = append(hours, map[string]any{"weekday": strings.ToLower(d.String()), "start": "08:00", "end": "20:00"})
	}
	thea.do(t, "PUT", cal+"/weekly-hours", map[string]any{"hours": hours}, http.StatusNoContent, nil)
	thea.do(t, "PUT", cal+"/self-booking", map[string]any{"enabled": true, "horizon_days": 14, "min_notice_minutes": 60, "hold_minutes": 15, "location": "Room 5"}, http.StatusNoContent, nil)
	noon := s.clock.Now().Truncate(24 * time.Hour).Add(12 * time.Hour)
	thea.do(t, "POST", "/api/v1/appointments", map[string]any{
		"therapist_id": p.therapistID, "client_id": p.margueriteID, "service_type_id": serviceID,
		"start": noon, "duration_minutes": 50, "location": "Room 3",
	}, http.StatusCreated, nil)
	var booked struct {
		ID domain.ID `json:"appointment_id"`
	}
	thea.do(t, "POST", "/api/v1/appointments", map[string]any{
		"therapist_id": p.therapistID, "client_id": aaronID, "service_type_id": serviceID,
		"start": noon.Add(3 * time.Hour), "duration_minutes": 50, "location": "Room 1",
	}, http.StatusCreated, &booked)
	p.aaronAppointmentID = booked.ID

	// The read models are eventually consistent: wait for the projections to show the seed.
	deadline := time.Now().Add(waitFor)
	for {
		var appts struct {
			Appointments []any `json:"appointments"`
		}
		var clients struct {
			Clients []any `json:"clients"`
		}
		thea.do(t, "GET", "/api/v1/appointments?from="+noon.Add(-12*time.Hour).Format(time.RFC3339)+"&to="+noon.Add(12*time.Hour).Format(time.RFC3339), nil, http.StatusOK, &appts)
		thea.do(t, "GET", "/api/v1/clients", nil, http.StatusOK, &clients)
		if len(appts.Appointments) == 2 && len(clients.Clients) == 2 {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("projections did not catch up: %d appointments, %d clients", len(appts.Appointments), len(clients.Clients))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// signIn fills in and submits the sign-in form.
func signIn(b *browser, email, pw string) {
	b.tb.Helper()
	b.waitText("#sign-in-title", "Sign in")
	b.typeInto("#email", email)
	b.typeInto("#password", pw)
	b.click("#sign-in")
}

// signInWithCode signs in as email with the seeded password, waits to be asked for the second
// factor, and gives code.
func signInWithCode(b *browser, email, code string) {
	b.tb.Helper()
	signIn(b, email, password)
	b.waitText("#sign-in-error", "Enter the code from your authenticator app")
	b.typeInto("#code", code)
	b.click("#sign-in")
}

// askUntil clicks the button matching css until ok reports that the page shows what the read
// models were expected to hold: they are eventually consistent.
func askUntil(b *browser, css string, ok func() bool) {
	b.tb.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		b.click(css)
		time.Sleep(200 * time.Millisecond)
		if ok() {
			return
		}
		if time.Now().After(deadline) {
			b.tb.Fatalf("the page never showed what was expected; it shows %.600q", b.textOf("main"))
		}
	}
}

// noConsoleErrors fails when the page logged errors (script errors, CSP violations).
func noConsoleErrors(t *testing.T, b *browser) {
	t.Helper()
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Fatalf("browser console errors:\n%s", strings.Join(errs, "\n"))
	}
}

func TestBrowser(t *testing.T) {
	s := newStack(t)
	p := seed(t, s)
	b := newBrowser(t)
	clientPath := "/app/clients/" + p.margueriteID.String()
	// The steps build on each other: stop at the first that fails.
	step := func(name string, f func(t *testing.T)) {
		if !t.Run(name, f) {
			t.FailNow()
		}
	}

	step("a wrong password shows the error", func(t *testing.T) {
		b.tb = t
		b.open(s.srv.URL + "/")
		signIn(b, "thea@practice.example", "not the password")
		b.waitText("#sign-in-error", "The email address or password is not correct.")
		if v := b.textOf("#sign-in-error"); strings.Contains(v, "not the password") {
			t.Fatalf("error repeats the password: %q", v)
		}
		if got := b.path(); got != "/app/sign-in" {
			t.Fatalf("path %q", got)
		}
		var codeShown bool
		b.script(&codeShown, `return document.getElementById("code").offsetParent !== null;`)
		if codeShown {
			t.Fatal("the code field is shown before the API asks for a second factor")
		}
		noConsoleErrors(t, b)
	})

	step("therapist: day view, caseload, record and a note", func(t *testing.T) {
		b.tb = t
		signIn(b, "thea@practice.example", password)
		b.waitText("#day-title", "Today")
		day := b.waitText("#day-list", "Marguerite Okonkwo-Vance")
		if !strings.Contains(day, "12:00") || !strings.Contains(day, "Room 3") {
			t.Fatalf("day view: %q", day)
		}
		if got := b.path(); got != "/app/today" {
			t.Fatalf("path %q", got)
		}

		appt := `#day-list li[data-appointment="` + p.aaronAppointmentID.String() + `"]`
		b.waitText(appt, "Aaron Abbott")
		b.click(appt + " button.cancel")
		b.click(appt + " form button[type=submit]")
		b.waitText(appt+" [role=alert]", "Give a reason for cancelling.")
		b.typeInto("#reason-"+p.aaronAppointmentID.String(), "client asked to move to next week")
		b.click(appt + " form button[type=submit]")
		b.waitText(appt, "cancelled")
		b.waitText("#status", "Appointment cancelled.")
		if n := s.count(t, "appointment-"+p.aaronAppointmentID.String(), "AppointmentCancelled"); n != 1 {
			t.Fatalf("%d AppointmentCancelled events, want 1", n)
		}

		b.click(`#nav a[href="/app/caseload"]`)
		list := b.waitText("#caseload", "Okonkwo-Vance")
		if a, m := strings.Index(list, "Aaron Abbott"), strings.Index(list, "Marguerite Okonkwo-Vance"); a < 0 || a > m {
			t.Fatalf("caseload not sorted by name: %q", list)
		}

		b.click(`#caseload a[href="` + clientPath + `"]`)
		b.waitText("#client-name", "Marguerite Okonkwo-Vance")
		b.waitText("main", "m.okonkwo-vance@client.example")
		if got := b.path(); got != clientPath {
			t.Fatalf("path %q, want %q (ids only)", got, clientPath)
		}
		if n := s.count(t, "client-"+p.margueriteID.String(), "RecordAccessed"); n != 1 {
			t.Fatalf("%d RecordAccessed events after opening the record, want 1", n)
		}

		if got := b.waitText("#consents-title + div", "Individual therapy"); strings.Contains(got, p.serviceID.String()) {
			t.Fatalf("consents name the service by id: %q", got)
		}

		// She books Marguerite's next session from the record: a free time of her own calendar.
		booked := func() (n int) {
			if err := s.admin.QueryRow(context.Background(), `SELECT count(*) FROM event_log WHERE event_type = 'AppointmentBooked'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := booked()
		b.waitText("#book-title + div", "Individual therapy (50 minutes)")
		b.script(nil, `const s = document.getElementById("staff-book-service"); s.value = arguments[0]; s.dispatchEvent(new Event("change"));`, p.serviceID.String())
		b.typeInto("#staff-book-location", "Room 4")
		b.click(`form[aria-label="Find a time for the session"] button[type=submit]`)
		var bookedStart string
		b.element("#staff-book-times button.slot")
		b.script(&bookedStart, `return document.querySelector("#staff-book-times button.slot").dataset.start;`)
		b.click("#staff-book-times button.slot")
		b.waitText(`form[aria-label="Confirm the session"]`, "Individual therapy")
		if got := b.textOf(`form[aria-label="Confirm the session"]`); !strings.Contains(got, "(Room 4)") {
			t.Fatalf("confirmation %q; want the room", got)
		}
		b.click("#staff-book-confirm")
		b.waitText("#status", "Booked: individual therapy on")
		if n := booked(); n != before+1 {
			t.Fatalf("%d AppointmentBooked events after booking, want %d", n, before+1)
		}
		// Then three more, weekly, from the next free time.
		b.click("#staff-book-times button.slot")
		b.script(nil, `const r = document.getElementById("staff-book-repeat"); r.value = "1"; r.dispatchEvent(new Event("change"));
			document.getElementById("staff-book-count").value = "3";`)
		b.click("#staff-book-confirm")
		b.waitText("#status", "Booked 3 sessions from individual therapy on")
		if n := booked(); n != before+4 {
			t.Fatalf("%d AppointmentBooked events after booking a series of 3, want %d", n, before+4)
		}

		b.click("#show-notes")
		b.waitText("#notes", "No session notes yet.")
		for k, v := range map[string]string{"subjective": "sleeping better since the last session", "objective": "settled", "assessment": "improving", "plan": "continue weekly"} {
			b.typeInto("#note-"+k, v)
		}
		b.click(`form[aria-labelledby="draft-title"] button[type="submit"]`)
		b.waitText("#notes", "sleeping better since the last session")
		b.waitText("#notes", "draft")
		b.click("#notes article button")
		b.waitText("#notes h3", "signed")

		// Her subject access request waits for the therapist's review: withhold the note just signed.
		b.click(`#nav a[href="/app/sars"]`)
		b.waitText("#sars tbody", "Marguerite Okonkwo-Vance")
		b.click("#sars button.work")
		b.waitText("#sars .sar-panel", "sleeping better since the last session")
		var noteKey string
		b.script(&noteKey, `return document.querySelector('#sars li.review-item[data-item^="note-"]').dataset.item;`)
		b.script(nil, `document.getElementById(arguments[0]).value = "withhold";`, "action-"+noteKey)
		b.click(`#sars form[aria-label="Review the export"] button[type=submit]`)
		b.waitText("#sars .sar-panel [role=alert]", "Give the reason for")
		b.typeInto("#reason-"+noteKey, "names her sister, who has not consented")
		b.click(`#sars form[aria-label="Review the export"] button[type=submit]`)
		b.waitText("#status", "Review recorded")
		b.waitText("#sars tbody", "reviewed")
		if n := b.textOf("#sars tbody"); strings.Contains(n, "Review…") {
			t.Fatalf("a reviewed request still offers a review: %q", n)
		}

		// Who accessed her clients' records: her own reads, by her clients' names.
		b.click(`#nav a[href="/app/audit"]`)
		b.typeInto("#audit-type", "RecordAccessed")
		askUntil(b, `form[aria-label="Audit filters"] button`, func() bool {
			return strings.Contains(b.textOf("#audit"), "Marguerite Okonkwo-Vance")
		})
		var cells string
		b.script(&cells, `return [...document.querySelectorAll("#audit tbody tr")].map((r) => r.cells[2].innerText + "|" + r.cells[3].innerText).join(";");`)
		for _, c := range strings.Split(cells, ";") {
			if c != "you|Marguerite Okonkwo-Vance" {
				t.Fatalf("the therapist's audit trail shows actor|subject %q; want her reads as hers, the client by name", c)
			}
		}

		// The session booked from the record, moved from the day view to another free time.
		moved := func() (n int) {
			if err := s.admin.QueryRow(context.Background(), `SELECT count(*) FROM event_log WHERE event_type = 'AppointmentRescheduled'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before = moved()
		b.click(`#nav a[href="/app/today"]`)
		b.waitText("#day-title", "Today")
		// Show the session's day; list it again until the appointments projection has it.
		var session string
		for i := 0; i < 50 && session == ""; i++ {
			if i%10 == 0 {
				b.script(nil, `const d = new Date(arguments[0]); const p = (n) => String(n).padStart(2, "0");
					const day = document.getElementById("day"); day.value = d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate());
					day.dispatchEvent(new Event("change"));`, bookedStart)
			}
			time.Sleep(100 * time.Millisecond)
			b.script(&session, `const li = [...document.querySelectorAll("#day-list li[data-appointment]")].find((l) => l.querySelector("time")?.getAttribute("datetime") === arguments[0]);
				return li ? li.dataset.appointment : "";`, bookedStart)
		}
		if session == "" {
			t.Fatalf("the session booked at %s is not in its day's list: %q", bookedStart, b.textOf("#day-list"))
		}
		row := `#day-list li[data-appointment="` + session + `"]`
		b.click(row + " button.move")
		b.click(row + " button.slot")
		b.click(row + " button.confirm-move")
		b.waitText("#status", "Session moved to")
		b.waitText(row, "moved to")
		if n := moved(); n != before+1 {
			t.Fatalf("%d AppointmentRescheduled events after the move, want %d", n, before+1)
		}
		noConsoleErrors(t, b)
	})

	step("sign out ends the session", func(t *testing.T) {
		b.tb = t
		b.click("#sign-out")
		b.waitText("#sign-in-message", "You have signed out.")
		b.open(s.srv.URL + clientPath)
		b.waitText("#sign-in-title", "Sign in")
		if strings.Contains(b.textOf("body"), "Okonkwo") {
			t.Fatal("a client's name is shown after sign-out")
		}
		var stored int
		b.script(&stored, `return localStorage.length + sessionStorage.length;`)
		if stored != 0 {
			t.Fatalf("%d items left in web storage after sign-out", stored)
		}
	})

	step("practice manager sees the report and no client data", func(t *testing.T) {
		b.tb = t
		b.open(s.srv.URL + "/")
		signIn(b, "manager@practice.example", password)
		b.waitText("main h1", "Utilisation")
		// The utilisation projection may trail the others by a moment: ask again until it shows.
		askUntil(b, `form[aria-label="Report period"] button`, func() bool {
			var v string
			b.script(&v, `const rs = [...document.querySelectorAll("#report tbody tr")];
				const sum = (i) => rs.reduce((n, r) => n + Number(r.cells[i].innerText), 0);
				return rs.length ? sum(3) + "/" + sum(6) : "";`)
			return v == "5/1" // scheduled (the day view's, the one booked from the record and its series of 3) / cancelled
		})
		var page string
		b.script(&page, `return document.documentElement.outerHTML + document.body.innerText + JSON.stringify(sessionStorage) + JSON.stringify(localStorage);`)
		for _, d := range []map[string]string{marguerite, aaron} {
			for _, v := range d {
				if strings.Contains(page, v) {
					t.Fatalf("the practice manager's page holds client data %q", v)
				}
			}
		}
		if got := b.path(); got != "/app/utilisation" {
			t.Fatalf("path %q", got)
		}
		noConsoleErrors(t, b)
		b.click("#sign-out")
		b.waitText("#sign-in-message", "You have signed out.")
	})

	step("DPO signs in with a second factor and finds a client", func(t *testing.T) {
		b.tb = t
		signInWithCode(b, "dpo@practice.example", p.dpoCode())
		b.waitText("main h1", "Find a client")
		b.typeInto("#search-name", "okonkwo vance")
		b.click(`form[role="search"] button`)
		b.waitText("#results", "Marguerite Okonkwo-Vance")
		if strings.Contains(b.textOf("#results"), "Abbott") {
			t.Fatalf("search found too much: %q", b.textOf("#results"))
		}
		if got := b.path(); got != "/app/search" {
			t.Fatalf("search terms must not reach the URL: path %q", got)
		}
		b.click(`#results a[href="` + clientPath + `"]`)
		b.waitText("#client-name", "Marguerite Okonkwo-Vance")
		// Her subject access request, with its due date, in the DPO's list: reviewed, so it can
		// be released.
		b.click(`#nav a[href="/app/sars"]`)
		b.waitText("#sars tbody", "Marguerite Okonkwo-Vance")
		if got := b.textOf("#sars tbody"); !strings.Contains(got, "reviewed") || !strings.Contains(got, "UK GDPR") || strings.Contains(got, "overdue") {
			t.Fatalf("the subject access list shows %q; want her request reviewed under UK GDPR, not overdue", got)
		}
		var sarID string
		b.script(&sarID, `return document.querySelector("#sars tbody tr[data-sar]").dataset.sar;`)
		b.click(`#sars tr[data-sar="` + sarID + `"] button.work`)
		b.click(`#sars form[aria-label="Release the reviewed export"] button[type=submit]`)
		b.waitText("#sars .released", "SHA-256 of the released JSON")
		if n := s.count(t, "sar-"+sarID, "SARReleased"); n != 1 {
			t.Fatalf("%d SARReleased events, want 1", n)
		}
		var released string
		b.script(&released, `return [...document.querySelectorAll("#sars .released a[download]")].map((a) => a.download).join(",");`)
		if released != "sar-"+sarID+".json,sar-"+sarID+".html" {
			t.Fatalf("released files %q", released)
		}
		b.click("#sars .released button")
		b.waitText("#status", "Export released.")
		b.waitText(`#sars tr[data-sar="`+sarID+`"]`, "released")

		// A new request, by letter, for Aaron Abbott; then a month's extension.
		b.script(nil, `const s = document.getElementById("sar-client"); s.value = [...s.options].find((o) => o.text === "Aaron Abbott").value;
			document.getElementById("sar-channel").value = "letter";`)
		b.click(`#receive-sar button[type=submit]`)
		b.waitText("#status", "Subject access request recorded.")
		b.waitText("#sars tbody", "Aaron Abbott")
		var aaronSAR string
		b.script(&aaronSAR, `return [...document.querySelectorAll("#sars tbody tr[data-sar]")].find((r) => r.innerText.includes("Aaron Abbott")).dataset.sar;`)
		b.click(`#sars tr[data-sar="` + aaronSAR + `"] button.work`)
		b.typeInto("#extension-reason-"+aaronSAR, "records from two services to collate")
		b.click(`#sars form[aria-label^="Extend the deadline"] button[type=submit]`)
		b.waitText("#status", "Deadline extended.")
		if n := s.count(t, "sar-"+aaronSAR, "SARExtended"); n != 1 {
			t.Fatalf("%d SARExtended events, want 1", n)
		}
		b.open(s.srv.URL + clientPath)
		b.waitText("#client-name", "Marguerite Okonkwo-Vance")
		noConsoleErrors(t, b)
	})

	step("an unattended screen returns to sign-in at the idle timeout", func(t *testing.T) {
		b.tb = t
		// Shorten the UI's idle timer to one second (the API's timeout is the clock's to skip),
		// then reload the record: its answers arm the timer.
		b.script(nil, `sessionStorage.setItem("caseledger.idle_seconds", "1");`)
		b.open(s.srv.URL + clientPath)
		b.waitText("#client-name", "Marguerite Okonkwo-Vance")
		s.clock.Skip(s.policy.IdleTimeout + time.Minute)
		// No interaction from here: the UI must notice on its own.
		b.waitText("#sign-in-message", "Your session ended after a period of inactivity")
		if strings.Contains(b.textOf("body"), "Okonkwo") {
			t.Fatal("client data still shown after the session expired")
		}
	})

	step("signing in again returns to the same screen", func(t *testing.T) {
		b.tb = t
		signInWithCode(b, "dpo@practice.example", p.dpoCode())
		b.waitText("#client-name", "Marguerite Okonkwo-Vance")
		if got := b.path(); got != clientPath {
			t.Fatalf("path %q, want %q", got, clientPath)
		}
	})

	step("a request after the idle timeout returns to sign-in with a message", func(t *testing.T) {
		b.tb = t
		b.click(`#nav a[href="/app/search"]`)
		s.clock.Skip(s.policy.IdleTimeout + time.Minute)
		b.typeInto("#search-name", "abbott")
		b.click(`form[role="search"] button`)
		b.waitText("#sign-in-message", "Your session ended after a period of inactivity")
		if strings.Contains(b.textOf("body"), "Abbott") || strings.Contains(b.textOf("body"), "Okonkwo") {
			t.Fatal("client data still shown after the session expired")
		}
		noConsoleErrors(t, b)
	})

	step("client sees their own record only", func(t *testing.T) {
		b.tb = t
		signIn(b, marguerite["email"], password)
		b.waitText("#client-name", "Marguerite Okonkwo-Vance")
		b.waitText("main", "m.okonkwo-vance@client.example")
		if got := b.path(); got != "/app/my-record" {
			t.Fatalf("path %q", got)
		}
		if strings.Contains(b.textOf("body"), "Abbott") {
			t.Fatal("another client's name is shown in the portal")
		}
		// Her upcoming appointment and her consent, read from the event log for her.
		b.waitText("#my-appointments tbody", "Room 3")
		b.waitText("#my-appointments tbody", "booked")
		if strings.Contains(b.textOf("#my-appointments"), "Room 1") {
			t.Fatal("another client's appointment is shown in the portal")
		}
		individual := `#consent-forms li:not([data-service="` + p.couplesID.String() + `"])`
		b.waitText(individual, "Signed")
		if strings.Contains(b.textOf(individual), "I consent to individual therapy.") {
			t.Fatal("a signed form is shown for signing again")
		}
		if n := s.count(t, "client-"+p.margueriteID.String(), "RecordAccessed"); n < 4 {
			t.Fatalf("%d RecordAccessed on her record: want the therapist's read and her three portal reads", n)
		}
		noConsoleErrors(t, b)
	})

	step("client reads and signs a consent form", func(t *testing.T) {
		b.tb = t
		couples := `#consent-forms li[data-service="` + p.couplesID.String() + `"]`
		b.waitText(couples, "Not signed yet")
		b.waitText(couples+" blockquote", "We consent to couples therapy.")
		b.click(couples + ` button[type="submit"]`)
		b.waitText(couples+` [role="alert"]`, "Tick the box")
		if n := s.count(t, "client-"+p.margueriteID.String(), "ConsentSigned"); n != 1 {
			t.Fatalf("%d ConsentSigned before she confirmed; want only her in-person one", n)
		}
		b.click(couples + ` input[type="checkbox"]`)
		b.click(couples + ` button[type="submit"]`)
		b.waitText("#status", "Consent to couples therapy signed.")
		b.waitText(couples, "Signed")
		b.waitText(couples, "You signed version 1")
		if n := s.count(t, "client-"+p.margueriteID.String(), "ConsentSigned"); n != 2 {
			t.Fatalf("%d ConsentSigned on her record; want 2", n)
		}
		noConsoleErrors(t, b)
	})

	step("client books a free time with her therapist, moves it, then cancels it", func(t *testing.T) {
		b.tb = t
		calendar := "calendar-" + p.therapistID.String()
		reserved := s.count(t, calendar, "SlotReserved")
		b.waitText("#book-service", "Individual therapy (50 minutes)")
		if strings.Contains(b.textOf("#book-service"), "Couples") {
			t.Fatal("a service without a session length is offered for booking")
		}
		b.click(`form[aria-label="Find a time"] button[type="submit"]`)
		b.element("#book-times button.slot")
		b.click("#book-times button.slot")
		b.waitText(`form[aria-label="Confirm booking"]`, "This time is held for you until")
		if n := s.count(t, calendar, "SlotHeld"); n != 1 {
			t.Fatalf("%d SlotHeld on the calendar; want the one she is confirming", n)
		}
		b.click("#book-confirm")
		b.waitText("#status", "Booked: individual therapy")
		b.waitText("#my-appointments tbody", "Room 5")
		if n := s.count(t, calendar, "SlotReserved"); n != reserved+1 {
			t.Fatalf("%d SlotReserved on the calendar; want %d", n, reserved+1)
		}
		var mine struct {
			Appointments []struct {
				ID       domain.ID `json:"id"`
				Location string    `json:"location"`
				BookedBy string    `json:"booked_by"`
			} `json:"appointments"`
		}
		s.signIn(t, marguerite["email"]).do(t, "GET", "/api/v1/clients/"+p.margueriteID.String()+"/appointments", nil, http.StatusOK, &mine)
		var booked domain.ID
		for _, a := range mine.Appointments {
			if a.Location == "Room 5" && a.BookedBy == "client" {
				booked = a.ID
			}
		}
		if booked.IsZero() {
			t.Fatalf("her appointments %+v hold no self-booked one in Room 5", mine.Appointments)
		}
		row := `#my-appointments tr[data-appointment="` + booked.String() + `"]`
		b.click(row + " button.move")
		b.element("#move-" + booked.String() + "-times button.slot")
		b.click("#move-" + booked.String() + "-times button.slot")
		b.click(`#my-appointments tr[data-move="` + booked.String() + `"] form[aria-label="Confirm move"] button[type="submit"]`)
		b.waitText("#status", "Appointment moved to")
		b.waitGone(`#my-appointments tr[data-move="` + booked.String() + `"]`) // the list is shown afresh
		if n := s.count(t, "appointment-"+booked.String(), "AppointmentRescheduled"); n != 1 {
			t.Fatalf("%d AppointmentRescheduled; want 1", n)
		}
		b.click(row + " button.cancel")
		b.typeInto("#reason-"+booked.String(), "a clash at work")
		b.click(row + ` form[aria-label="Cancel appointment"] button[type="submit"]`)
		b.waitText("#status", "Appointment cancelled")
		b.waitText(row, "cancelled")
		if n := s.count(t, "appointment-"+booked.String(), "AppointmentCancelled"); n != 1 {
			t.Fatalf("%d AppointmentCancelled; want 1", n)
		}
		noConsoleErrors(t, b)
	})

	step("client joins the waiting list and leaves it", func(t *testing.T) {
		b.tb = t
		waitlist := "waitlist-" + p.practiceID.String()
		// Mondays and Thursdays, late afternoon; an end before the start is caught first.
		b.click("#waitlist-monday")
		b.click("#waitlist-thursday")
		b.script(nil, `document.getElementById("waitlist-from").value = "18:00"; document.getElementById("waitlist-to").value = "16:00";`)
		b.click("#waitlist-join")
		b.waitText("#waitlist-title + div [role=alert]", "Choose a start time before the end time.")
		b.script(nil, `document.getElementById("waitlist-from").value = "16:00"; document.getElementById("waitlist-to").value = "19:00";`)
		b.click("#waitlist-join")
		b.waitText("#status", "You are on the waiting list.")
		b.waitText("#my-waitlist", "You are on the waiting list for an earlier time with your therapist")
		if got := b.textOf("#my-waitlist"); !strings.Contains(got, "on Mondays 16:00–19:00, Thursdays 16:00–19:00") {
			t.Fatalf("waiting list entry %q; want the hours chosen", got)
		}
		if n := s.count(t, waitlist, "WaitlistJoined"); n != 1 {
			t.Fatalf("%d WaitlistJoined; want 1", n)
		}
		b.click("#my-waitlist button.leave")
		b.waitText("#status", "You have left the waiting list.")
		b.element("#waitlist-join")
		if n := s.count(t, waitlist, "WaitlistLeft"); n != 1 {
			t.Fatalf("%d WaitlistLeft; want 1", n)
		}
		noConsoleErrors(t, b)
	})

	step("client has a copy of her data and asks for erasure", func(t *testing.T) {
		b.tb = t
		var href string
		b.element("#export-link")
		b.script(&href, `return document.getElementById("export-link").getAttribute("href")`)
		want := "/api/v1/clients/" + p.margueriteID.String() + "/export"
		if href != want {
			t.Fatalf("the download links to %q; want %q", href, want)
		}
		res := s.signIn(t, marguerite["email"]).do(t, "GET", href, nil, http.StatusOK, nil)
		if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
			t.Fatalf("the export answers Content-Disposition %q; want an attachment", cd)
		}
		b.click("#erasure-start")
		b.typeInto("#erasure-grounds", "I am moving abroad.")
		b.click(`form[aria-label="Ask for erasure"] button[type="submit"]`)
		b.waitText("#status", "Your erasure request was sent to the data protection officer")
		b.waitText("#erasure-requests", "The data protection officer will decide by")
		if n := s.count(t, "client-"+p.margueriteID.String(), "ErasureRequested"); n != 1 {
			t.Fatalf("%d ErasureRequested; want 1", n)
		}
		// While it is open she cannot ask again; once refused, she reads why.
		if b.textOf("#erasure-start") != "" {
			t.Fatal("a second erasure request is offered while one is open")
		}
		b.click("#sign-out")
		b.waitText("#sign-in-message", "You have signed out.")

		// The DPO finds it in the queue (once the audit trail has it) and refuses it.
		signInWithCode(b, "dpo@practice.example", p.dpoCode())
		b.click(`#nav a[href="/app/erasures"]`)
		id := p.margueriteID.String()
		item := `#erasure-queue li[data-client="` + id + `"]`
		askUntil(b, `#nav a[href="/app/erasures"]`, func() bool { return strings.Contains(b.textOf(item), "Marguerite Okonkwo-Vance") })
		b.waitText(item, "answer due by")
		b.click(item + " button.decide")
		b.waitText(item+` form[aria-label="Erasure decision"]`, "I am moving abroad.")
		b.click("#decision-approve-" + id)
		b.click(item + ` form button[type="submit"]`)
		b.waitText(item+` [role="alert"]`, "Confirm that the client's data is to be erased.")
		b.click("#decision-refuse-" + id)
		b.script(nil, `document.getElementById(arguments[0]).value = "legal_claims";`, "exemption-"+id)
		b.typeInto("#explanation-"+id, "a complaint about this record is open")
		b.click(item + ` form button[type="submit"]`)
		b.waitText("#status", "Refusal recorded.")
		if n := s.count(t, "client-"+id, "ErasureRefused"); n != 1 {
			t.Fatalf("%d ErasureRefused; want 1", n)
		}
		if n := s.count(t, "client-"+id, "ErasureApproved"); n != 0 {
			t.Fatal("an unconfirmed approval was recorded")
		}
		noConsoleErrors(t, b)
		b.click("#sign-out")
		b.waitText("#sign-in-message", "You have signed out.")

		// She reads the refusal and may ask again.
		signIn(b, marguerite["email"], password)
		b.waitText("#erasure-requests", "refused it, as the law allows for the establishment, exercise or defence of legal claims: a complaint about this record is open")
		b.element("#erasure-start")
		// A client cannot reach staff screens, even by typing their address.
		b.open(s.srv.URL + "/app/caseload")
		b.waitText("main h1", "Not found")
		noConsoleErrors(t, b)
		b.click("#sign-out")
		b.waitText("#sign-in-message", "You have signed out.")
	})

	step("therapist approves a new client's first self-booking", func(t *testing.T) {
		b.tb = t
		// Nadia, new to Thea, books herself through the API; Thea's rules make her wait for approval.
		thea := s.signIn(t, "thea@practice.example")
		thea.do(t, "PUT", "/api/v1/calendars/"+p.therapistID.String()+"/self-booking", map[string]any{"enabled": true, "horizon_days": 14,
			"min_notice_minutes": 60, "hold_minutes": 15, "location": "Room 5", "new_client_approval": true}, http.StatusNoContent, nil)
		var id struct {
			ID domain.ID `json:"id"`
		}
		thea.do(t, "POST", "/api/v1/clients", map[string]any{"practice_id": p.practiceID, "therapist_id": p.therapistID,
			"details": map[string]string{"given_name": "Nadia", "family_name": "Quispe", "date_of_birth": "1992-07-14", "email": "nadia.quispe@client.example"}},
			http.StatusCreated, &id)
		s.user(t, domain.RoleClient, "nadia.quispe@client.example", id.ID)
		nadia := s.signIn(t, "nadia.quispe@client.example")
		nadia.do(t, "POST", "/api/v1/clients/"+id.ID.String()+"/consents", map[string]any{"service_type_id": p.serviceID, "version": 1,
			"method": "portal", "signer": "client"}, http.StatusNoContent, nil)
		var booked struct {
			ID              domain.ID `json:"appointment_id"`
			PendingApproval bool      `json:"pending_approval"`
		}
		evening := s.clock.Now().Truncate(24 * time.Hour).Add(18 * time.Hour)
		nadia.do(t, "POST", "/api/v1/appointments", map[string]any{"therapist_id": p.therapistID, "client_id": id.ID,
			"service_type_id": p.serviceID, "start": evening, "duration_minutes": 50}, http.StatusCreated, &booked)
		if !booked.PendingApproval {
			t.Fatal("a new client's self-booking does not wait for approval")
		}

		signIn(b, "thea@practice.example", password)
		row := `#day-list li[data-appointment="` + booked.ID.String() + `"]`
		b.waitText(row, "pending approval")
		b.waitText(row, "Nadia Quispe")
		b.click(row + " button.decline")
		b.click(row + ` form button[type="submit"]`)
		b.waitText(row+" [role=alert]", "Give a reason for declining.")
		b.click(row + ` form button.secondary`)
		b.click(row + " button.approve")
		b.waitText("#status", "Appointment approved.")
		b.waitText(row, "booked")
		if n := s.count(t, "appointment-"+booked.ID.String(), "AppointmentApproved"); n != 1 {
			t.Fatalf("%d AppointmentApproved; want 1", n)
		}
		noConsoleErrors(t, b)
		b.click("#sign-out")
		b.waitText("#sign-in-message", "You have signed out.")
	})

	step("admin registers a user, who changes the one-time password; then changes the role, disables the account and requires a second factor", func(t *testing.T) {
		b.tb = t
		b.open(s.srv.URL + "/")
		signIn(b, "admin@practice.example", password)
		b.waitText("main h1", "Users")
		b.waitText("#users", "thea@practice.example")
		b.typeInto("#new-user-email", "tomas@practice.example")
		b.script(nil, `document.getElementById("new-user-role").value = "therapist";`)
		b.click(`form[aria-label="Register a user"] button[type=submit]`)
		b.waitText("#new-user-done", "One-time password")
		oneTime := b.textOf("#new-user-done code")
		if len(oneTime) != 20 {
			t.Fatalf("one-time password %q", oneTime)
		}
		b.click("#new-user-done + button")
		b.waitText("#users", "tomas@practice.example")
		if strings.Contains(b.textOf("body"), oneTime) {
			t.Fatal("the one-time password is still on screen")
		}
		var tomas string
		b.script(&tomas, `return [...document.querySelectorAll("#users tr[data-user]")].find((r) => r.innerText.includes("tomas@")).dataset.user;`)
		b.click("#sign-out")

		// The new therapist signs in with it and chooses their own password under Account.
		signIn(b, "tomas@practice.example", oneTime)
		b.waitText("main h1", "Today")
		b.click(`#account a[href="/app/account"]`)
		b.waitText("main h1", "Account")
		b.typeInto("#current-password", oneTime)
		b.typeInto("#new-password", "heron lantern quarry 84 velvet")
		b.typeInto("#repeat-password", "heron lantern quarry 8 velvet")
		b.click(`form[aria-label="Change the password"] button[type=submit]`)
		b.waitText(`form[aria-label="Change the password"] [role=alert]`, "The two new passwords differ.")
		b.typeInto("#repeat-password", "heron lantern quarry 84 velvet")
		b.click(`form[aria-label="Change the password"] button[type=submit]`)
		b.waitText("#status", "Password changed.")
		if n := s.count(t, "user-"+tomas, "UserPasswordChanged"); n != 1 {
			t.Fatalf("%d UserPasswordChanged events, want 1", n)
		}
		b.click("#sign-out")

		// The admin moves them to practice manager, then disables the account, and requires a
		// second factor of all staff.
		signIn(b, "admin@practice.example", password)
		b.waitText("#users", "tomas@practice.example")
		row := `#users tr[data-user="` + tomas + `"]`
		b.script(nil, `document.getElementById(arguments[0]).value = "practice_manager";`, "role-"+tomas)
		b.click(row + " button.change-role")
		b.waitText("#status", "tomas@practice.example is now practice manager")
		b.waitText(row, "Practice manager")
		b.click(row + " button.toggle")
		b.waitText("#status", "tomas@practice.example is disabled")
		b.waitText(row, "Disabled")
		for _, typ := range []string{"UserRoleChanged", "UserDisabled"} {
			if n := s.count(t, "user-"+tomas, typ); n != 1 {
				t.Fatalf("%d %s events, want 1", n, typ)
			}
		}
		// The practice: a new service with its consent form, and a strict consent rule; the
		// disabled account is not offered as staff.
		b.click(`#nav a[href="/app/practice"]`)
		b.waitText(`#practice section[aria-label="Staff"]`, "thea@practice.example")
		b.typeInto("#service-name", "Family therapy")
		b.typeInto("#service-code", "Family")
		b.click(`form[aria-label="Add a service"] button[type=submit]`)
		b.waitText(`form[aria-label="Add a service"] [role=alert]`, "lower-case letters")
		b.script(nil, `document.getElementById("service-code").value = "family";`)
		b.typeInto("#service-minutes", "60")
		b.click(`form[aria-label="Add a service"] button[type=submit]`)
		b.waitText("#status", "Family therapy added.")
		b.waitText(`#practice section[aria-label="Services"]`, "Family therapy")
		var family string
		b.script(&family, `return [...document.querySelectorAll("#practice tr[data-service]")].find((r) => r.innerText.includes("Family therapy")).dataset.service;`)
		b.click(`#practice tr[data-service="` + family + `"] button.publish`)
		b.typeInto("#consent-text-"+family, "We consent to family therapy sessions.")
		b.click(`form[aria-label="New consent form for Family therapy"] button[type=submit]`)
		b.waitText("#status", "A new consent form for family therapy is published.")
		b.waitText(`#practice tr[data-service="`+family+`"]`, "version 1")
		// A retention period out of range is refused with the server's reason; one in range is kept.
		b.script(nil, `document.getElementById("retention-general_adult").value = "1000";`)
		b.click(`form[aria-label="Retention of general adult records"] button[type=submit]`)
		b.waitText(`form[aria-label="Retention of general adult records"] [role=alert]`, "out of range")
		b.script(nil, `document.getElementById("retention-general_adult").value = "10";`)
		b.click(`form[aria-label="Retention of general adult records"] button[type=submit]`)
		b.waitText("#status", "General adult records: 10 saved.")
		b.click(`#nav a[href="/app/users"]`)
		b.waitText("#users", "tomas@practice.example")
		b.click(`#nav a[href="/app/practice"]`)
		b.waitText(`#practice section[aria-label="Staff"]`, "thea@practice.example")
		var kept string
		b.script(&kept, `return document.getElementById("retention-general_adult").value;`)
		if kept != "10" {
			t.Fatalf("general adult retention reads %q after saving 10", kept)
		}
		b.script(nil, `document.getElementById("consent-rule").value = "block";`)
		b.click(`form[aria-label="Consent rule"] button[type=submit]`)
		b.waitText("#status", "Consent rule saved.")
		if got := b.textOf(`#practice select#staff-user`); strings.Contains(got, "tomas@") {
			t.Fatalf("a disabled account is offered as staff: %q", got)
		}
		for typ, want := range map[string]int{"ServiceTypeAdded": 3, "ConsentTemplatePublished": 3, "ConsentRuleSet": 1, "RetentionPeriodSet": 1} {
			if n := s.count(t, "practice-"+p.practiceID.String(), typ); n != want {
				t.Fatalf("%d %s events, want %d (the seed's and these)", n, typ, want)
			}
		}
		b.click(`#nav a[href="/app/users"]`)
		b.waitText("#users", "tomas@practice.example")
		b.click("#require-staff-totp")
		b.click(`form[aria-label="Sign-in policy"] button[type=submit]`)
		b.waitText("#status", "Staff now need a second factor.")
		noConsoleErrors(t, b)
		b.click("#sign-out")
		b.waitText("#sign-in-message", "You have signed out.")
		signIn(b, "tomas@practice.example", "heron lantern quarry 84 velvet")
		b.waitText("#sign-in-error", "This account is disabled.")
		if got := b.path(); got != "/app/sign-in" {
			t.Fatalf("a disabled account signed in: path %q", got)
		}
	})

	step("staff enrol a second factor when the practice requires one; the auditor reads the trail", func(t *testing.T) {
		b.tb = t
		b.open(s.srv.URL + "/")
		signIn(b, "auditor@practice.example", password)
		b.waitText("main h1", "Set up two-factor authentication")
		if nav := b.textOf("#nav"); nav != "" {
			t.Fatalf("navigation offered before enrolment: %q", nav)
		}
		b.click("#totp-start")
		b.element("#totp-secret")
		code, err := totp.GenerateCode(strings.TrimSpace(b.textOf("#totp-secret")), s.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		b.typeInto("#totp-code", code)
		b.click("#totp-confirm")
		b.waitText("main", "Two-factor authentication is on")
		if n := strings.Count(b.textOf("main ul.mono"), "\n") + 1; n < 8 {
			t.Fatalf("%d recovery codes shown", n)
		}
		b.click("#totp-continue")
		b.waitText("main h1", "Audit trail")
		if got := b.path(); got != "/app/audit" {
			t.Fatalf("path %q", got)
		}
		// The therapist's opening of the record is in the trail, by ids only.
		b.typeInto("#audit-type", "RecordAccessed")
		b.typeInto("#audit-subject", p.margueriteID.String())
		askUntil(b, `form[aria-label="Audit filters"] button`, func() bool {
			return strings.Contains(b.textOf("#audit tbody"), "RecordAccessed")
		})
		b.waitText("#audit tbody", "therapist")
		if page := b.textOf("body"); strings.Contains(page, "Okonkwo") || strings.Contains(page, "Marguerite") {
			t.Fatal("the audit trail shows a client's name")
		}
		noConsoleErrors(t, b)
	})
}

// count returns how many events of type typ stream holds.
func (s *stack) count(tb testing.TB, stream, typ string) int {
	tb.Helper()
	var n int
	if err := s.admin.QueryRow(context.Background(), `SELECT count(*) FROM event_log WHERE stream_id = $1 AND event_type = $2`, stream, typ).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}
