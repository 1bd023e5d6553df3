package commands_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/scheduling"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/google/uuid"
)

func TestReadOwnData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newSchedClinic(t)
	h := commands.NewReadOwnDataHandler(s.deps)
	first := s.at(t, "2026-03-10", 10, 0)
	later := s.book(t, s.at(t, "2026-03-12", 11, 0))
	earlier := s.book(t, first)
	if _, err := commands.NewCancelAppointmentHandler(s.deps).Handle(ctx, s.alice, commands.CancelAppointment{AppointmentID: later, Reason: "therapist unwell"}); err != nil {
		t.Fatal(err)
	}
	other := s.register(t, s.alice)

	t.Run("own appointments in start order with their status", func(t *testing.T) {
		got, err := h.Appointments(ctx, s.asClient(), s.client, time.Time{})
		must(t, err)
		if len(got) != 2 || got[0].ID != earlier || got[1].ID != later || got[1].Status != scheduling.StatusCancelled ||
			got[0].Status != scheduling.StatusBooked || got[0].BookedBy != domain.RoleTherapist || got[0].Location != "Room 2" || !got[0].Start.Equal(first) {
			t.Fatalf("appointments: %+v", got)
		}
	})
	t.Run("from leaves out appointments that ended", func(t *testing.T) {
		got, err := h.Appointments(ctx, s.asClient(), s.client, first.Add(50*time.Minute))
		must(t, err)
		if len(got) != 1 || got[0].ID != later {
			t.Fatalf("appointments: %+v", got)
		}
	})
	t.Run("consents, then withdrawn", func(t *testing.T) {
		got, err := h.Consents(ctx, s.asClient(), s.client)
		must(t, err)
		if len(got) != 1 || got[0].ServiceTypeID != s.service || got[0].Status != "signed" || got[0].Version != 1 || !got[0].WithdrawnAt.IsZero() {
			t.Fatalf("consents: %+v", got)
		}
		must(t, commands.NewWithdrawConsentHandler(s.deps).Handle(ctx, s.asClient(), commands.WithdrawConsent{ClientID: s.client, ServiceTypeID: s.service}))
		got, err = h.Consents(ctx, s.asClient(), s.client)
		must(t, err)
		if len(got) != 1 || got[0].Status != "withdrawn" || got[0].WithdrawnAt.IsZero() {
			t.Fatalf("consents after withdrawal: %+v", got)
		}
	})
	t.Run("a client with nothing yet", func(t *testing.T) {
		me := domain.Actor{UserID: other, Role: domain.RoleClient}
		as, err := h.Appointments(ctx, me, other, time.Time{})
		must(t, err)
		cs, err := h.Consents(ctx, me, other)
		must(t, err)
		if len(as) != 0 || len(cs) != 0 {
			t.Fatalf("appointments %+v, consents %+v", as, cs)
		}
	})
	refusals := []struct {
		name  string
		actor domain.Actor
		id    domain.ID
		kind  domain.Kind
		code  string
	}{
		{"another client's id", domain.Actor{UserID: other, Role: domain.RoleClient}, s.client, domain.KindNotFound, "client_not_found"},
		{"a missing client", domain.Actor{UserID: newID(t), Role: domain.RoleClient}, newID(t), domain.KindNotFound, "client_not_found"},
		{"the holding therapist", s.alice, s.client, domain.KindForbidden, "own_data_only"},
		{"the DPO", s.dpo, s.client, domain.KindForbidden, "own_data_only"},
	}
	for _, r := range refusals {
		t.Run(r.name, func(t *testing.T) {
			before := len(accessesBy(t, s.clinic, s.client))
			_, err := h.Consents(ctx, r.actor, r.id)
			wantKind(t, err, r.kind, r.code)
			_, err = h.Appointments(ctx, r.actor, r.id, time.Time{})
			wantKind(t, err, r.kind, r.code)
			if after := len(accessesBy(t, s.clinic, s.client)); after != before {
				t.Fatalf("a refused read was recorded: %d RecordAccessed, was %d", after, before)
			}
		})
	}
	t.Run("every read is recorded by the client", func(t *testing.T) {
		actors := accessesBy(t, s.clinic, s.client)
		if len(actors) != 4 {
			t.Fatalf("%d RecordAccessed, want its 4 successful reads (2 of appointments, 2 of consents)", len(actors))
		}
		for _, a := range actors {
			if a.UserID != uuid.UUID(s.client) || a.Role != string(domain.RoleClient) {
				t.Fatalf("RecordAccessed by %+v", a)
			}
		}
	})
}

// accessesBy returns the actors of the RecordAccessed events on client's stream, in order.
func accessesBy(tb testing.TB, c *clinic, client domain.ID) []eventstore.Actor {
	tb.Helper()
	recs, err := c.store.ReadStream(context.Background(), commands.ClientStream(client), 0, 1000)
	must(tb, err)
	var out []eventstore.Actor
	for _, r := range recs {
		if r.Type == "RecordAccessed" {
			out = append(out, r.Actor)
		}
	}
	return out
}

func TestReadOwnConsentForms(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newClinic(t)
	h := commands.NewReadOwnDataHandler(c.deps)
	settings := commands.NewPracticeSettingsHandler(c.deps)
	couples, noForm := newID(t), newID(t)
	must(t, settings.AddServiceType(ctx, c.admin, c.practiceID, couples, "couples", "Couples therapy", 80))
	must(t, settings.AddServiceType(ctx, c.admin, c.practiceID, noForm, "groups", "Group therapy", 0))
	must(t, settings.PublishConsentTemplate(ctx, c.admin, c.practiceID, couples, "We consent to couples therapy.", clinicStart))
	id := c.register(t, c.alice)
	me := domain.Actor{UserID: id, Role: domain.RoleClient}

	form := func(t *testing.T, service domain.ID) commands.ConsentForm {
		t.Helper()
		got, err := h.ConsentForms(ctx, me, id)
		must(t, err)
		if len(got) != 2 || got[0].ServiceName != "Couples therapy" || got[1].ServiceName != "Individual therapy" {
			t.Fatalf("forms %+v; want couples then individual therapy, and none for a service without a form", got)
		}
		for _, f := range got {
			if f.ServiceTypeID == service {
				return f
			}
		}
		t.Fatalf("no form for %s in %+v", service, got)
		return commands.ConsentForm{}
	}

	f := form(t, c.service)
	if f.Version != 1 || f.Text != "I consent to individual therapy." || f.ContentHash == "" || !f.EffectiveFrom.Equal(clinicStart) ||
		f.Consent.Status != client.StatusMissing || f.Consent.SignedVersion != 0 {
		t.Fatalf("unsigned form: %+v", f)
	}
	c.sign(t, id, 1)
	if f := form(t, c.service); f.Consent.Status != client.StatusValid || f.Consent.SignedVersion != 1 || f.Consent.SignedAt.IsZero() {
		t.Fatalf("after signing version 1: %+v", f)
	}
	c.clock.Advance(time.Hour)
	must(t, settings.PublishConsentTemplate(ctx, c.admin, c.practiceID, c.service, "I consent to individual therapy, revised.", c.clock.Now()))
	f = form(t, c.service)
	if f.Version != 2 || f.Text != "I consent to individual therapy, revised." || f.Consent.Status != client.StatusOutdated || f.Consent.SignedVersion != 1 {
		t.Fatalf("after version 2 was published: %+v", f)
	}
	if f := form(t, couples); f.Consent.Status != client.StatusMissing || f.Text != "We consent to couples therapy." {
		t.Fatalf("couples form: %+v", f)
	}

	other := c.register(t, c.alice)
	before := len(accessesBy(t, c, id))
	_, err := h.ConsentForms(ctx, domain.Actor{UserID: other, Role: domain.RoleClient}, id)
	wantKind(t, err, domain.KindNotFound, "client_not_found")
	_, err = h.ConsentForms(ctx, c.alice, id)
	wantKind(t, err, domain.KindForbidden, "own_data_only")
	if after := len(accessesBy(t, c, id)); after != before {
		t.Fatalf("a refused read was recorded: %d RecordAccessed, was %d", after, before)
	}
	recs, err := c.store.ReadStream(ctx, commands.ClientStream(id), 0, 1000)
	must(t, err)
	purposes := 0
	for _, r := range recs {
		if r.Type != "RecordAccessed" {
			continue
		}
		ev, err := c.keys.Open(ctx, r)
		must(t, err)
		if !strings.Contains(string(ev), commands.PurposeOwnConsentForms) {
			t.Fatalf("a consent-form read recorded as %s", ev)
		}
		purposes++
	}
	if purposes != 4 {
		t.Fatalf("%d reads recorded; want the 4 that succeeded", purposes)
	}
}

func TestReadOwnBookingOptions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newSchedClinic(t)
	h := commands.NewReadOwnDataHandler(s.deps)
	settings := commands.NewPracticeSettingsHandler(s.deps)
	couples, assessment := newID(t), newID(t)
	must(t, settings.AddServiceType(ctx, s.admin, s.practiceID, couples, "couples", "Couples therapy", 80))
	must(t, settings.AddServiceType(ctx, s.admin, s.practiceID, assessment, "assessment", "Assessment", 0))
	options := func() commands.BookingOptions {
		t.Helper()
		o, err := h.BookingOptions(ctx, s.asClient(), s.client)
		must(t, err)
		return o
	}

	o := options()
	if !o.Enabled || o.TherapistID != s.alice.UserID || o.HorizonDays != 28 || o.MinNoticeMinutes != 24*60 || o.HoldMinutes != 15 || !o.NeedsApproval {
		t.Fatalf("options: %+v", o)
	}
	want := []commands.BookableService{
		{ServiceTypeID: couples, Name: "Couples therapy", Minutes: 80, Consent: client.StatusNoTemplate},
		{ServiceTypeID: s.service, Name: "Individual therapy", Minutes: 50, Consent: client.StatusValid},
	}
	if !reflect.DeepEqual(o.Services, want) {
		t.Fatalf("services %+v; want %+v (none without a session length)", o.Services, want)
	}
	s.book(t, s.at(t, "2026-03-10", 10, 0))
	if o := options(); o.NeedsApproval {
		t.Fatalf("after the therapist booked the client, options %+v still need approval", o)
	}
	av := commands.NewSetAvailabilityHandler(s.deps)
	rules := scheduling.SelfBookingRules{Enabled: true, HorizonDays: 14, MinNoticeMinutes: 60, HoldMinutes: 10, ServiceTypes: []domain.ID{s.service}, VideoLink: "https://video.example/alice"}
	must(t, av.SetSelfBookingRules(ctx, s.alice, s.alice.UserID, rules))
	if o := options(); len(o.Services) != 1 || o.Services[0].ServiceTypeID != s.service || o.HorizonDays != 14 || o.HoldMinutes != 10 {
		t.Fatalf("with self-booking limited to one service: %+v", o)
	}
	rules.Enabled = false
	must(t, av.SetSelfBookingRules(ctx, s.alice, s.alice.UserID, rules))
	if o := options(); o.Enabled || len(o.Services) != 0 || o.TherapistID != s.alice.UserID {
		t.Fatalf("with self-booking off: %+v", o)
	}

	other := s.register(t, s.alice)
	_, err := h.BookingOptions(ctx, domain.Actor{UserID: other, Role: domain.RoleClient}, s.client)
	wantKind(t, err, domain.KindNotFound, "client_not_found")
	_, err = h.BookingOptions(ctx, s.alice, s.client)
	wantKind(t, err, domain.KindForbidden, "own_data_only")
}

func TestReadOwnErasureRequests(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newClinic(t)
	h := commands.NewReadOwnDataHandler(c.deps)
	id := c.register(t, c.alice)
	me := domain.Actor{UserID: id, Role: domain.RoleClient}

	got, err := h.ErasureRequests(ctx, me, id)
	must(t, err)
	if len(got) != 0 {
		t.Fatalf("requests before any: %+v", got)
	}
	first, err := commands.NewRequestErasureHandler(c.deps).Handle(ctx, me, commands.RequestErasure{ClientID: id, Grounds: "moving abroad"})
	must(t, err)
	got, err = h.ErasureRequests(ctx, me, id)
	must(t, err)
	if len(got) != 1 || got[0].ID != first || got[0].Status != client.ErasureOpen || got[0].Grounds != "moving abroad" || got[0].RequestedBy != domain.RoleClient {
		t.Fatalf("open request: %+v", got)
	}
	must(t, commands.NewDecideErasureHandler(c.deps, keyringShredder(c.keys)).Handle(ctx, c.dpo, commands.DecideErasure{ClientID: id, RequestID: first,
		Decision: commands.EraseRefuse, Exemption: client.ExemptLegalClaims, Explanation: "a complaint about this record is open"}))
	got, err = h.ErasureRequests(ctx, me, id)
	must(t, err)
	if len(got) != 1 || got[0].Status != client.ErasureRefusal || got[0].Exemption != client.ExemptLegalClaims ||
		got[0].Explanation != "a complaint about this record is open" || got[0].DecidedAt.IsZero() {
		t.Fatalf("refused request: %+v", got)
	}

	other := c.register(t, c.alice)
	_, err = h.ErasureRequests(ctx, domain.Actor{UserID: other, Role: domain.RoleClient}, id)
	wantKind(t, err, domain.KindNotFound, "client_not_found")
	_, err = h.ErasureRequests(ctx, c.alice, id)
	wantKind(t, err, domain.KindForbidden, "own_data_only")
	// The DPO reads any client's requests, to decide them; the read is recorded as theirs.
	got, err = h.ErasureRequests(ctx, c.dpo, id)
	must(t, err)
	if len(got) != 1 || got[0].ID != first {
		t.Fatalf("the DPO reads %+v", got)
	}
	actors := accessesBy(t, c, id)
	if last := actors[len(actors)-1]; last.UserID != uuid.UUID(c.dpo.UserID) || last.Role != string(domain.RoleDPO) {
		t.Fatalf("the DPO's read was recorded as %+v", last)
	}
}

// racingLog is an EventLog that loses the next races appends to one stream: before each of them
// it lets rival append to the stream first, so the append's expected version is stale.
type racingLog struct {
	commands.EventLog
	stream eventstore.StreamID
	races  int
	rival  func() error
}

func (l *racingLog) Append(ctx context.Context, stream eventstore.StreamID, expected eventstore.ExpectedVersion, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	if stream == l.stream && l.races > 0 {
		l.races--
		if err := l.rival(); err != nil {
			return eventstore.AppendResult{}, err
		}
	}
	return l.EventLog.Append(ctx, stream, expected, events...)
}

// TestOwnReadsOutlastRacingReads checks that recording a portal read survives as many racing
// appends to the client's stream as a page's reads at once make (a page of the portal reads five
// things, and two pages can be open), and gives up with concurrent_change past that.
func TestOwnReadsOutlastRacingReads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newClinic(t)
	id := c.register(t, c.alice)
	me := domain.Actor{UserID: id, Role: domain.RoleClient}
	log := &racingLog{EventLog: c.deps.Log, stream: commands.ClientStream(id), rival: func() error {
		_, err := commands.NewReadOwnDataHandler(c.deps).Appointments(ctx, me, id, time.Time{})
		return err
	}}
	deps := c.deps
	deps.Log = log
	h := commands.NewReadOwnDataHandler(deps)

	log.races = 9
	if _, err := h.Consents(ctx, me, id); err != nil {
		t.Fatalf("a read that lost 9 races: %v", err)
	}
	log.races = 10
	_, err := h.Consents(ctx, me, id)
	wantKind(t, err, domain.KindConflict, "concurrent_change")
	log.races = 9
	if _, err := commands.NewReadClientRecordHandler(deps, nil).Handle(ctx, me, commands.ReadClientRecord{ClientID: id, Purpose: "own_record"}); err != nil {
		t.Fatalf("a record read that lost 9 races: %v", err)
	}
}

func TestReadOwnWaitlistEntries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newSchedClinic(t)
	h := commands.NewReadOwnDataHandler(s.deps)
	w := commands.NewWaitlistHandler(s.deps)
	got, err := h.WaitlistEntries(ctx, s.asClient(), s.client)
	must(t, err)
	if len(got) != 0 {
		t.Fatalf("entries before any: %+v", got)
	}
	mine, err := w.Join(ctx, s.asClient(), commands.JoinWaitlist{PracticeID: s.practiceID, ClientID: s.client, TherapistID: s.alice.UserID})
	must(t, err)
	byTherapist, err := w.Join(ctx, s.alice, commands.JoinWaitlist{PracticeID: s.practiceID, ClientID: s.client, ServiceTypeID: s.service, Priority: 20})
	must(t, err)
	other := s.register(t, s.alice)
	_, err = w.Join(ctx, s.alice, commands.JoinWaitlist{PracticeID: s.practiceID, ClientID: other, Priority: 5})
	must(t, err)

	got, err = h.WaitlistEntries(ctx, s.asClient(), s.client)
	must(t, err)
	if len(got) != 2 || got[0].EntryID != mine || got[0].TherapistID != s.alice.UserID || !got[0].ServiceTypeID.IsZero() ||
		got[1].EntryID != byTherapist || got[1].ServiceTypeID != s.service || got[0].JoinedAt.IsZero() {
		t.Fatalf("entries %+v; want her own two, whoever put her on the list, and not the other client's", got)
	}
	must(t, w.Leave(ctx, s.asClient(), s.practiceID, mine, "withdrawn"))
	got, err = h.WaitlistEntries(ctx, s.asClient(), s.client)
	must(t, err)
	if len(got) != 1 || got[0].EntryID != byTherapist {
		t.Fatalf("after leaving: %+v", got)
	}
	_, err = h.WaitlistEntries(ctx, domain.Actor{UserID: other, Role: domain.RoleClient}, s.client)
	wantKind(t, err, domain.KindNotFound, "client_not_found")
}
