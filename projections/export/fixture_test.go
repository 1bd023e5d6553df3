package export_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/note"
	"github.com/caseledger/caseledger/domain/practice"
	"github.com/caseledger/caseledger/domain/sar"
	"github.com/caseledger/caseledger/domain/scheduling"
	"github.com/caseledger/caseledger/eventstore/pgstore"
	"github.com/caseledger/caseledger/keyring"
	"github.com/caseledger/caseledger/migrations"
	"github.com/caseledger/caseledger/migrations/pgtest"
	"github.com/caseledger/caseledger/projections/export"
)

// clock is a settable test clock, safe for concurrent use.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// fid returns a fixed id whose last bytes are n, so golden files are stable.
func fid(n byte) domain.ID {
	return domain.ID(uuid.MustParse("0190f3c2-0000-7000-8000-0000000000" + string("0123456789abcdef"[n>>4]) + string("0123456789abcdef"[n&15])))
}

var (
	start    = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	practID  = fid(1)
	service  = fid(2)
	admin    = domain.Actor{UserID: fid(3), Role: domain.RoleAdmin}
	dpo      = domain.Actor{UserID: fid(4), Role: domain.RoleDPO}
	alice    = domain.Actor{UserID: fid(5), Role: domain.RoleTherapist}
	bob      = domain.Actor{UserID: fid(6), Role: domain.RoleTherapist}
	auditor  = domain.Actor{UserID: fid(7), Role: domain.RoleAuditor}
	manager  = domain.Actor{UserID: fid(8), Role: domain.RolePracticeManager}
	clientID = fid(16)
	note1    = fid(17)
	note2    = fid(18)
	psyNote  = fid(19)
	apptID   = fid(20)
	sharing  = fid(21)
	sarID    = fid(22)
	erasure  = fid(23)
	addendum = fid(24)
)

// secret is a distinctive string in the seeded client's name.
const secret = "Quillfeatherby"

// world is a practice on a fresh PostgreSQL database with a seeded client.
type world struct {
	deps  commands.Deps
	store *pgstore.Store
	keys  *keyring.Keyring
	clock *clock
	svc   *export.Service
	dsn   string
	// marks are times between the seeding steps, for replays.
	beforeAddendum, afterAddendum, afterTransfer time.Time
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("unexpected error: %v", err)
	}
}

// newWorld seeds, an hour apart: a practice; a client registered under alice; consent signed; a
// consent to share with the GP; an appointment; two progress notes signed and a psychotherapy
// note drafted; an addendum to note1; alice reads note1; the record moves to bob by DPO decision;
// a subject access request received with identity pending, then verified, then reviewed by bob
// (note2 withheld, the appointment redacted).
func newWorld(tb testing.TB) *world {
	tb.Helper()
	ctx := context.Background()
	dsn := pgtest.NewDatabase(tb)
	clk := &clock{now: start}
	store, err := pgstore.New(ctx, pgtest.Pool(tb, dsn, migrations.RoleApp), pgstore.Config{Now: clk.Now})
	must(tb, err)
	keys := keyring.NewForTests(tb, store)
	w := &world{deps: commands.Deps{Log: store, Sealer: keys, Clock: clk}, store: store, keys: keys, clock: clk, dsn: dsn}
	w.svc = export.NewService(w.deps)
	d := w.deps
	step := func() { clk.advance(time.Hour) }

	must(tb, commands.NewOpenPracticeHandler(d).Handle(ctx, admin, commands.OpenPractice{PracticeID: practID}))
	s := commands.NewPracticeSettingsHandler(d)
	for _, a := range []domain.Actor{dpo, alice, bob, auditor, manager} {
		must(tb, s.AddStaffMember(ctx, admin, practID, a.UserID, a.Role))
	}
	must(tb, s.AddServiceType(ctx, admin, practID, service, "individual_therapy", "Individual therapy", 50))
	must(tb, s.PublishConsentTemplate(ctx, admin, practID, service, "I consent to individual therapy.", start))
	step()
	_, err = commands.NewRegisterClientHandler(d).Handle(ctx, alice, commands.RegisterClient{
		ClientID: clientID, PracticeID: practID, TherapistID: alice.UserID, RecordKind: practice.RecordAdultMentalHealth,
		Details: client.Details{GivenName: "Ada", FamilyName: secret, DateOfBirth: "1990-05-17", Email: "ada@example.org",
			Phone: "+44 20 7946 0000", Address: &client.Address{Lines: []string{"1 High Street"}, Locality: "Leeds", PostalCode: "LS1 1AA", Country: "GB"},
			EmergencyContact: &client.Contact{Name: "Grace", Relationship: "sister", Phone: "07700 900000"},
			PrimaryCare:      &client.PrimaryCare{Name: "Dr Who", Practice: "Leeds Surgery"}},
	})
	must(tb, err)
	step()
	self := domain.Actor{UserID: clientID, Role: domain.RoleClient}
	must(tb, commands.NewSignConsentHandler(d).Handle(ctx, self, commands.SignConsent{ClientID: clientID, ServiceTypeID: service,
		Version: 1, Method: client.SignedPortal, Signer: client.SignerClient, SignedAt: clk.Now()}))
	step()
	_, err = commands.NewSharingConsentHandler(d).Give(ctx, self, commands.GiveSharingConsent{ClientID: clientID, ConsentID: sharing,
		Recipient: client.ThirdParty{Kind: "gp", Name: "Dr Who"}, Purpose: "letters about treatment", Expires: start.AddDate(1, 0, 0),
		Method: client.SignedPortal, SignedAt: clk.Now()})
	must(tb, err)
	step()
	must(tb, commands.NewConfigureCalendarHandler(d).Handle(ctx, alice, commands.ConfigureCalendar{TherapistID: alice.UserID,
		Policy: scheduling.Policy{TimeZone: "Europe/London", SlotStepMinutes: 15}}))
	var week scheduling.WeeklyHours
	for day := time.Monday; day <= time.Friday; day++ {
		week = append(week, scheduling.WeeklyRange{Weekday: scheduling.Weekday(day), LocalRange: scheduling.LocalRange{Start: 9 * 60, End: 17 * 60}})
	}
	must(tb, commands.NewSetAvailabilityHandler(d).SetWeeklyHours(ctx, alice, alice.UserID, week))
	_, err = commands.NewBookAppointmentHandler(d).Handle(ctx, alice, commands.BookAppointment{AppointmentID: apptID, TherapistID: alice.UserID,
		ClientID: clientID, ServiceTypeID: service, Start: time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC), Duration: 50 * time.Minute,
		Place: scheduling.Place{Location: "Room 2"}})
	must(tb, err)
	step()
	draft := commands.NewDraftNoteHandler(d)
	sign := commands.NewSignNoteHandler(d)
	soap := func(s string) map[string]string {
		return map[string]string{"subjective": s + " reports low mood", "objective": "calm", "assessment": "improving", "plan": "continue"}
	}
	_, err = draft.Handle(ctx, alice, commands.DraftNote{ClientID: clientID, NoteID: note1, TemplateID: practice.TemplateSOAP, AppointmentID: apptID, Fields: soap("Client")})
	must(tb, err)
	step()
	must(tb, sign.Handle(ctx, alice, commands.SignNote{ClientID: clientID, NoteID: note1}))
	step()
	_, err = draft.Handle(ctx, alice, commands.DraftNote{ClientID: clientID, NoteID: note2, TemplateID: practice.TemplateSOAP, Fields: soap("Third party")})
	must(tb, err)
	must(tb, sign.Handle(ctx, alice, commands.SignNote{ClientID: clientID, NoteID: note2}))
	_, err = draft.Handle(ctx, alice, commands.DraftNote{ClientID: clientID, NoteID: psyNote, Kind: note.KindPsychotherapy, TemplateID: practice.TemplateSOAP, Fields: soap("Process")})
	must(tb, err)
	w.beforeAddendum = clk.advance(time.Hour)
	step()
	_, err = commands.NewAddNoteAddendumHandler(d).Handle(ctx, alice, commands.AddNoteAddendum{ClientID: clientID, NoteID: note1, AddendumID: addendum,
		Text: "Correction: <script>alert(1)</script> mood was moderate"})
	must(tb, err)
	step()
	_, err = commands.NewReadNoteHandler(d).Handle(ctx, alice, commands.ReadNote{ClientID: clientID, NoteID: note1, Purpose: "treatment"})
	must(tb, err)
	w.afterAddendum = clk.advance(time.Hour)
	step()
	must(tb, commands.NewTransferRecordHandler(d).Handle(ctx, dpo, commands.TransferRecord{ClientID: clientID,
		Transfer: client.Transfer{To: bob.UserID, Basis: client.TransferByDPO, Reason: "therapist on leave"}}))
	w.afterTransfer = clk.advance(time.Hour)
	step()
	must(tb, commands.NewReceiveSARHandler(d).Handle(ctx, dpo, commands.ReceiveSAR{RequestID: sarID, ClientID: clientID,
		Channel: sar.ChannelEmail, Identity: sar.IdentityPending}))
	step()
	must(tb, commands.NewSARIdentityHandler(d).Handle(ctx, dpo, commands.SARIdentity{RequestID: sarID, Verified: true, Method: "photo_id"}))
	step()
	must(tb, commands.NewReviewSARHandler(d).Handle(ctx, bob, commands.ReviewSAR{RequestID: sarID, Decisions: []sar.ItemDecision{
		{Item: sar.ItemRef{Kind: export.ItemNote, ID: note2}, Action: sar.ActionWithhold, Reason: "names a third party"},
		{Item: sar.ItemRef{Kind: export.ItemAppointment, ID: apptID}, Action: sar.ActionRedact, Reason: "location of a refuge"},
	}}))
	step()
	return w
}

// pool opens a pool on the world's database acting as role ("" for the admin login).
func (w *world) pool(tb testing.TB, role string) *pgxpool.Pool { return pgtest.Pool(tb, w.dsn, role) }
