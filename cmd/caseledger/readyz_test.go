package main_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/migrations/pgtest"
)

// TestReadyzReportsAFailingProjector appends an event the appointment projectors cannot apply
// (a completion of an appointment never booked): /readyz turns 503 and names them, and nothing
// else of the event.
func TestReadyzReportsAFailingProjector(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewEmptyDatabase(t)
	m, logs := runMain(t, testConfig(t, dsn))
	base := "http://" + m.Addr()
	if code, body := get(t, base+"/readyz"); code != http.StatusOK {
		t.Fatalf("GET /readyz before = %d %s", code, body)
	}

	ghost := uuid.New()
	payload, err := json.Marshal(scheduling.AppointmentCompleted{AppointmentID: domain.ID(ghost)})
	if err != nil {
		t.Fatal(err)
	}
	eventID := uuid.New()
	if _, err := m.Store.Append(context.Background(), eventstore.StreamID("appointment-"+ghost.String()), eventstore.Any(), eventstore.EventData{
		ID: eventID, Type: "AppointmentCompleted", SchemaVersion: scheduling.SchemaVersion, OccurredAt: time.Now(),
		Actor: eventstore.Actor{UserID: uuid.New(), Role: string(domain.RoleTherapist)}, Payload: payload,
	}); err != nil {
		t.Fatal(err)
	}

	var code int
	var body string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		// Both projectors of appointments fail on the event, each when it reaches it: wait until
		// the appointments projector is among those named.
		if code, body = get(t, base+"/readyz"); code == http.StatusServiceUnavailable && strings.Contains(body, "appointments") {
			break
		}
	}
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "projector failing: ") || !strings.Contains(body, "appointments") {
		t.Fatalf("GET /readyz = %d %s, want 503 naming the appointments projector\nlogs:\n%s", code, body, logs)
	}
	if strings.Contains(body, eventID.String()) || strings.Contains(body, ghost.String()) {
		t.Fatalf("readiness body carries event details: %s", body)
	}
	var parsed map[string]string
	if err := json.Unmarshal([]byte(body), &parsed); err != nil || len(parsed) != 1 {
		t.Fatalf("body %q is not {\"status\": ...}: %v", body, err)
	}
	if code, _ := get(t, base+"/healthz"); code != http.StatusOK {
		t.Fatalf("GET /healthz = %d: a failing projector must not make the process unhealthy", code)
	}
}
