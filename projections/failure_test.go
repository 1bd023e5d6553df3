package projections_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
	"github.com/caseledger/caseledger/migrations/pgtest"
	"github.com/caseledger/caseledger/projections"
)

// TestProjectorStopsAtAnEventItCannotApply appends an event the appointment projectors cannot
// apply (a completion of an appointment never booked): they stop at it, report its id in their
// status, and do not apply the events after it, while the other projectors go on.
func TestProjectorStopsAtAnEventItCannotApply(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	th := newID()
	c := e.registerClient(t, th, clientDetails("Ada", "Quayle", "", "1980-01-01", ""))
	ghost := newID()
	bad := e.emit(t, "appointment-"+ghost.String(), c, therapist(th), scheduling.AppointmentCompleted{AppointmentID: ghost})
	e.book(t, th, c, newID(), at, "")

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.engine.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("engine: %v", err)
		}
	}()

	var logged int64
	if err := pgtest.Pool(t, e.dsn, "").QueryRow(ctx, `SELECT count(*) FROM event_log`).Scan(&logged); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if time.Now().After(deadline) {
			t.Fatal("the failing projectors were not reported within 30s")
		}
		st, err := e.engine.Status(ctx, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if len(st) < len(projections.All(nil)) {
			time.Sleep(20 * time.Millisecond)
			continue // the engine has not created every checkpoint yet
		}
		byName := map[string]int{}
		for i, s := range st {
			byName[s.Name] = i
		}
		ap, pr, au, cl := st[byName["appointments"]], st[byName["practice_reports"]], st[byName["audit"]], st[byName["clients"]]
		if ap.Failure == nil || ap.Failure.Attempts < 2 || pr.Failure == nil || au.Applied < logged || cl.Applied < logged {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		for _, s := range []int{byName["appointments"], byName["practice_reports"]} {
			f := st[s].Failure
			if f.EventID != bad.ID {
				t.Errorf("%s reports event %s, want %s", st[s].Name, f.EventID, bad.ID)
			}
			if !strings.Contains(f.Error, bad.ID.String()) || !strings.Contains(f.Error, "AppointmentCompleted") {
				t.Errorf("%s error %q does not name the event", st[s].Name, f.Error)
			}
			if st[s].Applied != 1 || st[s].Behind != 2 {
				t.Errorf("%s applied %d and is %d behind; want it stopped before the bad event (1 applied, 2 behind)",
					st[s].Name, st[s].Applied, st[s].Behind)
			}
		}
		if au.Failure != nil || cl.Failure != nil {
			t.Errorf("healthy projectors report failures: %+v %+v", au.Failure, cl.Failure)
		}
		return
	}
}

// TestFoldedWritesThatFailNameTheExactEvent: when the database refuses a batch's folded writes
// (here a bulk insert of 81 appointments, one of which books again an appointment already in the
// read model), the batch is applied again event by event: the appointment projectors stop exactly
// at the offending event, with every event before it applied, as if each had been applied alone.
func TestFoldedWritesThatFailNameTheExactEvent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	th := newID()
	c := e.registerClient(t, th, clientDetails("Ada", "Quayle", "", "1980-01-01", ""))
	first := e.book(t, th, c, newID(), at, "")
	catchUp(t, e.dsn, e.engine)
	for i := range 40 {
		e.book(t, th, c, newID(), at.Add(time.Duration(i+1)*time.Hour), "")
	}
	again := e.emit(t, "appointment-"+newID().String(), c, therapist(th), scheduling.AppointmentBooked{
		AppointmentID: first, TherapistID: th, ClientID: c, ServiceTypeID: newID(), Start: at,
		End: at.Add(50 * time.Minute), BookedBy: domain.RoleTherapist})
	for i := range 40 {
		e.book(t, th, c, newID(), at.Add(time.Duration(i+100)*time.Hour), "")
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.engine.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("engine: %v", err)
		}
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if time.Now().After(deadline) {
			t.Fatal("the failing projectors were not reported within 30s")
		}
		st, err := e.engine.Status(ctx, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		failing := 0
		for _, s := range st {
			if s.Name != "appointments" && s.Name != "practice_reports" || s.Failure == nil {
				continue
			}
			failing++
			if s.Failure.EventID != again.ID {
				t.Fatalf("%s reports event %s, want %s", s.Name, s.Failure.EventID, again.ID)
			}
			if s.Applied != 42 {
				t.Fatalf("%s applied %d events, want 42 (every event before the failing one)", s.Name, s.Applied)
			}
		}
		if failing == 2 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}
