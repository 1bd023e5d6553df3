package main_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/pgstore"
	"github.com/caseledger/caseledger/migrations"
	"github.com/caseledger/caseledger/migrations/pgtest"
)

func TestProjectionsCommand(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t)
	store, err := pgstore.New(context.Background(), pgtest.Pool(t, dsn, migrations.RoleApp), pgstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"CASELEDGER_DATABASE_URL": dsn, "CASELEDGER_DATA_DIR": t.TempDir()}

	t.Run("usage errors exit 2", func(t *testing.T) {
		for _, args := range [][]string{{"projections"}, {"projections", "frobnicate"}, {"projections", "status", "extra"}} {
			if code, _, _ := dispatch(t, vars, args...); code != 2 {
				t.Errorf("%q: exit %d, want 2", args, code)
			}
		}
	})
	t.Run("rebuild every projector, then status", func(t *testing.T) {
		code, stdout, stderr := dispatch(t, vars, "projections", "rebuild")
		if code != 0 || !strings.Contains(stdout, "rebuilt every projector") {
			t.Fatalf("rebuild: exit %d\n%s\n%s", code, stdout, stderr)
		}
		code, stdout, stderr = dispatch(t, vars, "projections", "status")
		if code != 0 {
			t.Fatalf("status: exit %d\n%s\n%s", code, stdout, stderr)
		}
		for _, name := range []string{"appointments", "audit", "clients", "notes", "practice_reports"} {
			if !strings.Contains(stdout, name+" ") {
				t.Errorf("status lacks %s:\n%s", name, stdout)
			}
		}
	})
	t.Run("unknown projector", func(t *testing.T) {
		if code, _, _ := dispatch(t, vars, "projections", "rebuild", "no_such"); code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
	})
	t.Run("a failing projector is reported with its event", func(t *testing.T) {
		ghost := uuid.New()
		bad := uuid.Must(uuid.NewV7())
		_, err := store.Append(context.Background(), eventstore.StreamID("appointment-"+ghost.String()), eventstore.Any(),
			eventstore.EventData{ID: bad, Type: "AppointmentCompleted", SchemaVersion: 1, OccurredAt: time.Now(),
				Actor:   eventstore.Actor{UserID: uuid.New(), Role: "therapist"},
				Payload: []byte(`{"appointment_id":"` + ghost.String() + `"}`)})
		if err != nil {
			t.Fatal(err)
		}
		// The log shows an event once every older transaction of the server has ended.
		for deadline := time.Now().Add(30 * time.Second); ; {
			evs, err := store.ReadAll(context.Background(), eventstore.Start, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the appended event never became visible")
			}
			time.Sleep(10 * time.Millisecond)
		}
		if code, _, _ := dispatch(t, vars, "projections", "rebuild", "appointments"); code != 1 {
			t.Errorf("rebuild over a bad event: exit %d, want 1", code)
		}
		code, stdout, _ := dispatch(t, vars, "projections", "status")
		if code != 1 || !strings.Contains(stdout, bad.String()) || !strings.Contains(stdout, "failing") {
			t.Errorf("status: exit %d, want 1 naming event %s:\n%s", code, bad, stdout)
		}
	})
}
