package projections_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/projections"
)

func TestFindClientsThroughBlindIndex(t *testing.T) {
	t.Parallel()
	s := seed(t)
	ctx := context.Background()
	dpo := domain.Actor{UserID: newID(), Role: domain.RoleDPO}
	cases := []struct {
		name  string
		actor domain.Actor
		q     projections.ClientQuery
		want  int
	}{
		{"family name within own caseload", therapist(s.a), projections.ClientQuery{Name: "vandersloot"}, 2},
		{"full name, any case and spacing", therapist(s.a), projections.ClientQuery{Name: "  QUINTESSA00   Vandersloot "}, 1},
		{"another therapist's client is not found", therapist(s.a), projections.ClientQuery{Name: "Quintessa10"}, 0},
		{"email", therapist(s.b), projections.ClientQuery{Email: " Q11@Example.org"}, 1},
		{"date of birth", therapist(s.b), projections.ClientQuery{DateOfBirth: "1975-06-01"}, 1},
		{"name and date of birth must both match", therapist(s.a), projections.ClientQuery{Name: "Quintessa00", DateOfBirth: "1975-06-02"}, 0},
		{"DPO across the practice", dpo, projections.ClientQuery{Name: "Vandersloot"}, 4},
		{"practice manager finds nobody", domain.Actor{UserID: newID(), Role: domain.RolePracticeManager}, projections.ClientQuery{Name: "Vandersloot"}, 0},
		{"a word that is only part of a name", therapist(s.a), projections.ClientQuery{Name: "Vander"}, 0},
		{"a word repeated in the query", therapist(s.a), projections.ClientQuery{Name: "Vandersloot QUINTESSA00 vandersloot"}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.e.reader.FindClients(ctx, tc.actor, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.want {
				t.Fatalf("found %d clients, want %d", len(got), tc.want)
			}
			for _, c := range got {
				if tc.actor.Role == domain.RoleTherapist && c.TherapistID != tc.actor.UserID {
					t.Errorf("found client %s held by another therapist", c.ClientID)
				}
			}
		})
	}
	if _, err := s.e.reader.FindClients(ctx, therapist(s.a), projections.ClientQuery{Name: " - "}); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("empty query: got %v, want an invalid error", err)
	}
}

func TestOtherTherapistsRecordIsNotFound(t *testing.T) {
	t.Parallel()
	s := seed(t)
	ctx := context.Background()
	if _, err := s.e.reader.Client(ctx, therapist(s.a), s.bClients[0]); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("A reading B's client: got %v, want not found", err)
	}
	got, err := s.e.reader.Client(ctx, therapist(s.b), s.bClients[0])
	if err != nil || got.Details.FamilyName != "Vandersloot" || got.TherapistID != s.b {
		t.Errorf("B reading B's client: %v %+v", err, got)
	}
	if _, err := s.e.reader.Clients(ctx, domain.Actor{UserID: s.a, Role: "boss"}); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("unknown role: got %v, want invalid", err)
	}
}

func TestTransferMovesRowsToTheNewTherapist(t *testing.T) {
	t.Parallel()
	s := seed(t)
	ctx := context.Background()
	c := s.aClients[0]
	s.e.emit(t, "client-"+c.String(), c, domain.Actor{UserID: newID(), Role: domain.RoleDPO}, client.RecordTransferred{
		From: s.a, To: s.b, Basis: client.TransferByDPO, Reason: "leave", At: at})
	catchUp(t, s.e.dsn, s.e.engine)

	for _, tc := range []struct {
		name    string
		actor   domain.Actor
		visible bool
	}{{"old therapist", therapist(s.a), false}, {"new therapist", therapist(s.b), true}} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.e.reader.Client(ctx, tc.actor, c)
			if tc.visible != (err == nil) {
				t.Errorf("client visible=%v, want %v (%v)", err == nil, tc.visible, err)
			}
			cons, err := s.e.reader.Consents(ctx, tc.actor, c)
			if err != nil || tc.visible != (len(cons) == 1) {
				t.Errorf("consents: %d rows (%v), want visible=%v", len(cons), err, tc.visible)
			}
			appts, err := s.e.reader.Appointments(ctx, tc.actor, at, at.Add(30*24*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, a := range appts {
				found = found || a.ClientID == c
			}
			if found != tc.visible {
				t.Errorf("appointment visible=%v, want %v", found, tc.visible)
			}
			byName, err := s.e.reader.FindClients(ctx, tc.actor, projections.ClientQuery{Name: "Quintessa00"})
			if err != nil || tc.visible != (len(byName) == 1) {
				t.Errorf("search found %d (%v), want visible=%v", len(byName), err, tc.visible)
			}
		})
	}
}

func TestErasureLeavesNoRowOfTheSubject(t *testing.T) {
	t.Parallel()
	s := seed(t)
	ctx := context.Background()
	c := s.bClients[1]
	s.e.erase(t, c)
	catchUp(t, s.e.dsn, s.e.engine)

	admin := s.e.app // caseledger_app sees every row of every read model
	for _, table := range []string{"rm_clients", "rm_client_tokens", "rm_consents", "rm_appointments", "rm_practice_session_subjects"} {
		var n int
		if err := admin.QueryRow(ctx, `SELECT count(*) FROM `+table+` WHERE client_id = $1`, c.String()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s holds %d rows of the erased subject", table, n)
		}
	}
	var sessions int
	if err := admin.QueryRow(ctx, `SELECT count(*) FROM rm_practice_sessions`).Scan(&sessions); err != nil || sessions != 3 {
		t.Errorf("practice sessions: %d (%v), want the 3 of the other clients", sessions, err)
	}
	dpo := domain.Actor{UserID: newID(), Role: domain.RoleDPO}
	trail, err := s.e.reader.Audit(ctx, dpo, projections.AuditQuery{From: at.Add(-time.Hour), To: time.Now().Add(time.Hour), Subject: c})
	if err != nil {
		t.Fatal(err)
	}
	if len(trail) < 4 {
		t.Fatalf("audit trail of the erased subject has %d entries; the PII-free facts must stay", len(trail))
	}
	if last := trail[len(trail)-1]; last.EventType != "SubjectErased" {
		t.Errorf("last audit entry is %s, want SubjectErased", last.EventType)
	}
}

func TestAuditTrailQueries(t *testing.T) {
	t.Parallel()
	s := seed(t)
	ctx := context.Background()
	period := projections.AuditQuery{From: at.Add(-time.Hour), To: time.Now().Add(time.Hour)}
	accessed := period
	accessed.EventType = "RecordAccessed"

	// "Who accessed my clients": A sees B's emergency read of A's client, and A's own reads.
	got, err := s.e.reader.Audit(ctx, therapist(s.a), accessed)
	if err != nil {
		t.Fatal(err)
	}
	var byB int
	for _, a := range got {
		if a.ActorID == s.b {
			byB++
			if a.SubjectID != s.aClients[0] || a.AccessedWhat != "record" {
				t.Errorf("B's access entry: %+v", a)
			}
		}
	}
	if len(got) != 3 || byB != 1 {
		t.Errorf("A sees %d access entries (%d by B), want 3 (1 by B)", len(got), byB)
	}
	// Per user: what B did, as the DPO sees it.
	dpo := domain.Actor{UserID: newID(), Role: domain.RoleDPO}
	byUser := period
	byUser.Actor = s.b
	got, err = s.e.reader.Audit(ctx, dpo, byUser)
	if err != nil || len(got) != 17 {
		t.Errorf("B's actions: %d (%v), want 17 (8 per client, and one read of A's client)", len(got), err)
	}
	// Per subject, for a SAR.
	bySubject := period
	bySubject.Subject = s.aClients[0]
	got, err = s.e.reader.Audit(ctx, dpo, bySubject)
	if err != nil || len(got) != 9 {
		t.Errorf("entries about one client: %d (%v), want 9 (registered, consent, booking, two reads, four note events)", len(got), err)
	}
	// A practice manager sees only what they did: nothing.
	got, err = s.e.reader.Audit(ctx, domain.Actor{UserID: newID(), Role: domain.RolePracticeManager}, period)
	if err != nil || len(got) != 0 {
		t.Errorf("manager sees %d entries (%v)", len(got), err)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Seq <= got[i-1].Seq {
			t.Fatal("entries out of log order")
		}
	}
}

func TestUtilisationForManagers(t *testing.T) {
	t.Parallel()
	s := seed(t)
	ctx := context.Background()
	from, to := at.Add(-7*24*time.Hour), at.Add(28*24*time.Hour)
	cases := []struct {
		name      string
		actor     domain.Actor
		sessions  int
		therapist domain.ID
	}{
		{"practice manager sees every therapist", domain.Actor{UserID: newID(), Role: domain.RolePracticeManager}, 4, domain.ID{}},
		{"therapist sees their own", therapist(s.a), 2, s.a},
		{"client sees nothing", domain.Actor{UserID: s.aClients[0], Role: domain.RoleClient}, 0, domain.ID{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := s.e.reader.Utilisation(ctx, tc.actor, from, to)
			if err != nil {
				t.Fatal(err)
			}
			total := 0
			for _, r := range rows {
				total += r.Scheduled
				if r.BookedMinutes != int64(50*r.Scheduled) {
					t.Errorf("booked minutes %d for %d sessions", r.BookedMinutes, r.Scheduled)
				}
				if r.WeekStart.Weekday() != time.Monday {
					t.Errorf("week starts on %s", r.WeekStart.Weekday())
				}
				if !tc.therapist.IsZero() && r.TherapistID != tc.therapist {
					t.Errorf("row of therapist %s", r.TherapistID)
				}
			}
			if total != tc.sessions {
				t.Errorf("counted %d sessions, want %d", total, tc.sessions)
			}
		})
	}
}

// TestEngineFollowsARebuild rebuilds every projector and checks that a running engine carries on
// from the rebuilt generation.
func TestEngineFollowsARebuild(t *testing.T) {
	t.Parallel()
	s := seed(t)
	ctx := context.Background()
	if err := s.e.engine.Rebuild(ctx, "no_such_projector"); err == nil {
		t.Error("rebuilding an unknown projector succeeded")
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- s.e.engine.Run(runCtx) }()
	if err := s.e.engine.Rebuild(ctx, ""); err != nil {
		t.Fatalf("rebuild: %v", err)
	}
	c := s.e.registerClient(t, s.a, clientDetails("Late", "Arrival", "", "1990-01-01", ""))
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := s.e.reader.Client(ctx, therapist(s.a), c); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the running engine did not apply an event appended after the rebuild")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	st, err := s.e.engine.Status(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range st {
		if !x.Active || x.Generation != 2 {
			t.Errorf("%s: generation %d active=%v after one rebuild", x.Name, x.Generation, x.Active)
		}
	}
}

func TestReadmissionMakesTheClientActiveAgain(t *testing.T) {
	t.Parallel()
	s := seed(t)
	ctx := context.Background()
	c := s.aClients[0]
	stream := "client-" + c.String()
	s.e.emit(t, stream, c, therapist(s.a), client.ClientDischarged{EndedOn: at, At: at})
	catchUp(t, s.e.dsn, s.e.engine)
	got, err := s.e.reader.Client(ctx, therapist(s.a), c)
	if err != nil || got.Status != "discharged" || got.DischargedOn.IsZero() {
		t.Fatalf("after the discharge: %v %+v", err, got)
	}
	s.e.emit(t, stream, c, therapist(s.a), client.ClientReadmitted{StartedOn: at.Add(48 * time.Hour), At: at.Add(48 * time.Hour)})
	catchUp(t, s.e.dsn, s.e.engine)
	got, err = s.e.reader.Client(ctx, therapist(s.a), c)
	if err != nil || got.Status != "active" || !got.DischargedOn.IsZero() {
		t.Fatalf("after the readmission: %v %+v", err, got)
	}
}
