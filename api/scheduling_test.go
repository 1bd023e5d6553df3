package api_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
)

// openCalendar configures alice's calendar in London with every day open 08:00-20:00.
func (f *practiceFixture) openCalendar(t *testing.T) {
	t.Helper()
	cal := "/api/v1/calendars/" + f.aliceID.String()
	expectStatus(t, f.alice.do(t, "PUT", cal+"/policy", map[string]any{"time_zone": "Europe/London", "buffer_minutes": 10, "slot_step_minutes": 15, "cancellation_window_minutes": 1440}), http.StatusNoContent, "")
	var hours []map[string]any
	for d := 0; d < 7; d++ {
		hours = append(hours, map[string]any{"weekday": strings.ToLower(time.Weekday(d).String()), "start": "08:00", "end": "20:00"})
	}
	expectStatus(t, f.alice.do(t, "PUT", cal+"/weekly-hours", map[string]any{"hours": hours}), http.StatusNoContent, "")
}

func TestBookingOverHTTP(t *testing.T) {
	t.Parallel()
	f := newPractice(t)
	f.openCalendar(t)
	loc, _ := time.LoadLocation("Europe/London")
	day := f.e.clock.Now().In(loc).AddDate(0, 0, 3)
	start := time.Date(day.Year(), day.Month(), day.Day(), 10, 0, 0, 0, loc).UTC()
	book := func(c *client, at time.Time) response {
		return c.do(t, "POST", "/api/v1/appointments", map[string]any{
			"therapist_id": f.aliceID, "client_id": f.clientID, "service_type_id": f.serviceID,
			"start": at, "duration_minutes": 50, "location": "Room 2",
		})
	}
	t.Run("another therapist cannot book the client", func(t *testing.T) {
		res := f.bob.do(t, "POST", "/api/v1/appointments", map[string]any{
			"therapist_id": f.bobID, "client_id": f.clientID, "service_type_id": f.serviceID, "start": start, "duration_minutes": 50, "location": "Room 2",
		})
		expectStatus(t, res, http.StatusNotFound, "")
	})
	t.Run("concurrent overlapping bookings: exactly one wins", func(t *testing.T) {
		var wg sync.WaitGroup
		results := make([]response, 4)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = book(f.alice, start.Add(time.Duration(i)*5*time.Minute))
			}()
		}
		wg.Wait()
		won := 0
		for _, r := range results {
			switch r.status {
			case http.StatusCreated:
				won++
			case http.StatusConflict:
				if r.problemCode() != "slot_taken" {
					t.Fatalf("loser: %s", r.body)
				}
			default:
				t.Fatalf("booking: %d %s", r.status, r.body)
			}
		}
		if won != 1 {
			t.Fatalf("%d bookings won", won)
		}
	})
	t.Run("slot search reflects the booking", func(t *testing.T) {
		var slots struct {
			Slots []struct {
				Start time.Time `json:"start"`
			} `json:"slots"`
		}
		q := "?from=" + start.Add(-2*time.Hour).Format(time.RFC3339) + "&to=" + start.Add(2*time.Hour).Format(time.RFC3339) + "&length_minutes=50"
		res := f.alice.do(t, "GET", "/api/v1/calendars/"+f.aliceID.String()+"/slots"+q, nil)
		expectStatus(t, res, http.StatusOK, "")
		res.decode(t, &slots)
		for _, s := range slots.Slots {
			if s.Start.Equal(start) {
				t.Fatalf("booked slot offered: %+v", slots.Slots)
			}
		}
		if len(slots.Slots) == 0 {
			t.Fatal("no free slots at all")
		}
	})
	t.Run("iCalendar feed without client data", func(t *testing.T) {
		q := "?from=" + start.Add(-24*time.Hour).Format(time.RFC3339) + "&to=" + start.Add(48*time.Hour).Format(time.RFC3339)
		res := f.alice.do(t, "GET", "/api/v1/calendars/"+f.aliceID.String()+"/feed"+q, nil)
		expectStatus(t, res, http.StatusOK, "")
		if !strings.HasPrefix(res.header.Get("Content-Type"), "text/calendar") || !strings.Contains(string(res.body), "BEGIN:VEVENT") ||
			strings.Contains(string(res.body), clientName) || strings.Contains(string(res.body), f.clientID.String()) {
			t.Fatalf("feed: %s", res.body)
		}
		expectStatus(t, f.bob.do(t, "GET", "/api/v1/calendars/"+f.aliceID.String()+"/feed"+q, nil), http.StatusNotFound, "")
	})
	t.Run("bad query", func(t *testing.T) {
		expectStatus(t, f.alice.do(t, "GET", "/api/v1/calendars/"+f.aliceID.String()+"/slots?from=yesterday", nil), http.StatusBadRequest, "invalid_from")
	})
	t.Run("another therapist's appointment and calendar are not found", func(t *testing.T) {
		var b struct {
			ID domain.ID `json:"appointment_id"`
		}
		res := book(f.alice, start.Add(6*time.Hour))
		expectStatus(t, res, http.StatusCreated, "")
		res.decode(t, &b)
		appt := "/api/v1/appointments/" + b.ID.String()
		cal := "/api/v1/calendars/" + f.aliceID.String()
		later := start.Add(30 * time.Hour)
		cases := []struct {
			method, path string
			body         any
		}{
			{"POST", appt + "/reschedule", map[string]any{"start": later, "duration_minutes": 50}},
			{"POST", appt + "/cancellation", map[string]string{"reason": "x"}},
			{"POST", appt + "/cancel-following", map[string]string{"reason": "x"}},
			{"POST", appt + "/move-following", map[string]any{"start": later, "duration_minutes": 50}},
			{"POST", appt + "/completion", nil},
			{"POST", appt + "/no-show", nil},
			{"POST", appt + "/approval", nil},
			{"POST", appt + "/decline", map[string]string{"reason": "x"}},
			{"PUT", cal + "/policy", map[string]any{"time_zone": "Europe/London"}},
			{"PUT", cal + "/weekly-hours", map[string]any{"hours": []any{}}},
			{"PUT", cal + "/exceptions/2030-01-01", map[string]any{"closed": true}},
			{"DELETE", cal + "/exceptions/2030-01-01", nil},
			{"PUT", cal + "/self-booking", map[string]any{"enabled": true}},
			{"GET", cal + "/slots?from=" + start.Format(time.RFC3339) + "&to=" + later.Format(time.RFC3339) + "&length_minutes=50", nil},
			{"GET", f.clientPath("/consents"), nil},
		}
		for _, c := range cases {
			t.Run(c.method+" "+strings.SplitN(c.path, "?", 2)[0], func(t *testing.T) {
				expectStatus(t, f.bob.do(t, c.method, c.path, c.body), http.StatusNotFound, "")
			})
		}
	})
	t.Run("cancel by the therapist", func(t *testing.T) {
		var b struct {
			ID domain.ID `json:"appointment_id"`
		}
		res := book(f.alice, start.Add(4*time.Hour))
		expectStatus(t, res, http.StatusCreated, "")
		res.decode(t, &b)
		expectStatus(t, f.bob.do(t, "POST", "/api/v1/appointments/"+b.ID.String()+"/cancellation", map[string]string{"reason": "x"}), http.StatusNotFound, "")
		expectStatus(t, f.alice.do(t, "POST", "/api/v1/appointments/"+b.ID.String()+"/cancellation", map[string]string{"reason": "therapist ill"}), http.StatusOK, "")
	})
}
