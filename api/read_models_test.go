package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
)

// eventually retries check until it returns true or 30 seconds pass (projections are
// asynchronous, and slow on a loaded machine).
func eventually(tb testing.TB, what string, check func() bool) {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !check() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestReadModelQueries(t *testing.T) {
	t.Parallel()
	f := newPractice(t)
	f.openCalendar(t)
	loc, _ := time.LoadLocation("Europe/London")
	day := f.e.clock.Now().In(loc).AddDate(0, 0, 2)
	start := time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, loc).UTC()
	expectStatus(t, f.alice.do(t, "POST", "/api/v1/appointments", map[string]any{
		"therapist_id": f.aliceID, "client_id": f.clientID, "service_type_id": f.serviceID, "start": start, "duration_minutes": 50, "video_link": "https://video.example/room",
	}), http.StatusCreated, "")

	type list struct {
		Clients []struct {
			ID      domain.ID `json:"id"`
			Details struct {
				GivenName string `json:"given_name"`
			} `json:"details"`
		} `json:"clients"`
	}
	eventually(t, "alice's caseload", func() bool {
		var l list
		f.alice.do(t, "GET", "/api/v1/clients", nil).decode(t, &l)
		return len(l.Clients) == 1 && l.Clients[0].ID == f.clientID && l.Clients[0].Details.GivenName == clientName
	})
	t.Run("another therapist's caseload does not show the client", func(t *testing.T) {
		var l list
		res := f.bob.do(t, "GET", "/api/v1/clients", nil)
		expectStatus(t, res, http.StatusOK, "")
		res.decode(t, &l)
		if len(l.Clients) != 0 {
			t.Fatalf("bob sees %+v", l.Clients)
		}
	})
	t.Run("search by email through the blind index", func(t *testing.T) {
		var l list
		f.alice.do(t, "POST", "/api/v1/client-searches", map[string]string{"email": " ZQ@client.example"}).decode(t, &l)
		if len(l.Clients) != 1 {
			t.Fatalf("alice finds %+v", l.Clients)
		}
		f.bob.do(t, "POST", "/api/v1/client-searches", map[string]string{"email": "zq@client.example"}).decode(t, &l)
		if len(l.Clients) != 0 {
			t.Fatalf("bob finds %+v", l.Clients)
		}
	})
	t.Run("day view", func(t *testing.T) {
		q := "?from=" + start.Add(-time.Hour).Format(time.RFC3339) + "&to=" + start.Add(12*time.Hour).Format(time.RFC3339)
		eventually(t, "the day view", func() bool {
			var l struct {
				Appointments []struct {
					ClientID  domain.ID `json:"client_id"`
					VideoLink string    `json:"video_link"`
				} `json:"appointments"`
			}
			f.alice.do(t, "GET", "/api/v1/appointments"+q, nil).decode(t, &l)
			return len(l.Appointments) == 1 && l.Appointments[0].ClientID == f.clientID && l.Appointments[0].VideoLink == "https://video.example/room"
		})
		var l struct {
			Appointments []any `json:"appointments"`
		}
		f.bob.do(t, "GET", "/api/v1/appointments"+q, nil).decode(t, &l)
		if len(l.Appointments) != 0 {
			t.Fatalf("bob's day shows alice's appointment: %+v", l.Appointments)
		}
	})
	t.Run("managers get reports, never client lists", func(t *testing.T) {
		expectStatus(t, f.manager.do(t, "GET", "/api/v1/clients", nil), http.StatusForbidden, "role_forbidden")
		q := "?from=" + start.AddDate(0, 0, -7).Format(time.RFC3339) + "&to=" + start.AddDate(0, 0, 7).Format(time.RFC3339)
		res := f.manager.do(t, "GET", "/api/v1/reports/utilisation"+q, nil)
		expectStatus(t, res, http.StatusOK, "")
		if strings.Contains(string(res.body), clientName) {
			t.Fatal("report names a client")
		}
	})
	t.Run("audit trail shows the record read", func(t *testing.T) {
		expectStatus(t, f.alice.do(t, "GET", f.clientPath(""), nil), http.StatusOK, "")
		q := "?from=" + f.e.clock.Now().Add(-time.Hour).Format(time.RFC3339) + "&to=" + time.Now().Add(time.Hour).Format(time.RFC3339) + "&event_type=RecordAccessed&subject_id=" + f.clientID.String()
		eventually(t, "the audit entry", func() bool {
			var l struct {
				Entries []struct {
					ActorID domain.ID `json:"actor_id"`
				} `json:"entries"`
			}
			f.dpo.do(t, "GET", "/api/v1/audit"+q, nil).decode(t, &l)
			return len(l.Entries) >= 1 && l.Entries[0].ActorID == f.aliceID
		})
	})
}
