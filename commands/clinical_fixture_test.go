package commands_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/keyring"
)

// clinic is a practice opened on a test's own stores: an admin, a DPO, a manager, two therapists,
// one service type with a published consent form (version 1, in force from start).
type clinic struct {
	deps       commands.Deps
	store      eventstore.Store
	keys       *keyring.Keyring
	clock      *testClock
	practiceID domain.ID
	service    domain.ID
	admin      domain.Actor
	dpo        domain.Actor
	manager    domain.Actor
	auditor    domain.Actor
	alice      domain.Actor // therapist
	bob        domain.Actor // therapist
}

// testClock is a settable clock, safe for concurrent use.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

var clinicStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func newID(tb testing.TB) domain.ID {
	tb.Helper()
	id, err := uuid.NewV7()
	if err != nil {
		tb.Fatal(err)
	}
	return domain.ID(id)
}

func actor(tb testing.TB, role domain.Role) domain.Actor {
	tb.Helper()
	return domain.Actor{UserID: newID(tb), Role: role}
}

// newClinic sets up a practice on an in-memory store with the real keyring (memory storage,
// real Tink).
func newClinic(tb testing.TB) *clinic {
	tb.Helper()
	store := eventstore.NewMemory()
	keys := keyring.NewForTests(tb, store)
	clock := &testClock{now: clinicStart}
	return setUpClinic(tb, commands.Deps{Log: store, Sealer: keys, Clock: clock}, clock, store, keys)
}

// setUpClinic opens the practice on deps.
func setUpClinic(tb testing.TB, deps commands.Deps, clock *testClock, store eventstore.Store, keys *keyring.Keyring) *clinic {
	tb.Helper()
	c := &clinic{
		deps: deps, store: store, keys: keys, clock: clock,
		practiceID: newID(tb), service: newID(tb),
		admin: actor(tb, domain.RoleAdmin), dpo: actor(tb, domain.RoleDPO),
		manager: actor(tb, domain.RolePracticeManager), auditor: actor(tb, domain.RoleAuditor),
		alice: actor(tb, domain.RoleTherapist), bob: actor(tb, domain.RoleTherapist),
	}
	ctx := context.Background()
	must(tb, commands.NewOpenPracticeHandler(deps).Handle(ctx, c.admin, commands.OpenPractice{PracticeID: c.practiceID}))
	s := commands.NewPracticeSettingsHandler(deps)
	for _, a := range []domain.Actor{c.dpo, c.manager, c.auditor, c.alice, c.bob} {
		must(tb, s.AddStaffMember(ctx, c.admin, c.practiceID, a.UserID, a.Role))
	}
	must(tb, s.AddServiceType(ctx, c.admin, c.practiceID, c.service, "individual_therapy", "Individual therapy", 50))
	must(tb, s.PublishConsentTemplate(ctx, c.admin, c.practiceID, c.service, "I consent to individual therapy.", clinicStart))
	return c
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("unexpected error: %v", err)
	}
}

// secret is a distinctive string in every test client's name, to prove it never leaks.
const secret = "Zanzibarquist"

func details() client.Details {
	return client.Details{
		GivenName: "Ada", FamilyName: secret, DateOfBirth: "1990-05-17",
		Email: "ada@example.org", Phone: "+44 20 7946 0000",
		Address:          &client.Address{Lines: []string{"1 High Street"}, Locality: "Leeds", PostalCode: "LS1 1AA", Country: "GB"},
		EmergencyContact: &client.Contact{Name: "Grace", Relationship: "sister", Phone: "07700 900000"},
		PrimaryCare:      &client.PrimaryCare{Name: "Dr Who", Practice: "Leeds Surgery"},
	}
}

// register registers a client under therapist and returns the id.
func (c *clinic) register(tb testing.TB, therapist domain.Actor) domain.ID {
	tb.Helper()
	id, err := commands.NewRegisterClientHandler(c.deps).Handle(context.Background(), therapist, commands.RegisterClient{
		PracticeID: c.practiceID, TherapistID: therapist.UserID, Details: details(),
	})
	must(tb, err)
	return id
}

// sign has the client sign version of the clinic's consent form through the portal.
func (c *clinic) sign(tb testing.TB, clientID domain.ID, version int) {
	tb.Helper()
	must(tb, commands.NewSignConsentHandler(c.deps).Handle(context.Background(), domain.Actor{UserID: clientID, Role: domain.RoleClient}, commands.SignConsent{
		ClientID: clientID, ServiceTypeID: c.service, Version: version, Method: client.SignedPortal,
		Signer: client.SignerClient, SignedAt: c.clock.Now(),
	}))
}

// wantKind fails unless err is a domain error of kind with code (code "" matches any).
func wantKind(tb testing.TB, err error, kind domain.Kind, code string) {
	tb.Helper()
	var de *domain.Error
	if !errors.As(err, &de) || de.Kind != kind || (code != "" && de.Code != code) {
		tb.Fatalf("error = %v, want kind %s code %q", err, kind, code)
	}
	if strings.Contains(err.Error(), secret) {
		tb.Fatalf("error text leaks personal data: %v", err)
	}
}
