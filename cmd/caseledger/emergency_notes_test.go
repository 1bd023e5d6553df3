package main_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	main "github.com/caseledger/caseledger/cmd/caseledger"
	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/practice"
	"github.com/caseledger/caseledger/migrations/pgtest"
)

// apiSession is a signed-in browser-like API client: a cookie jar and the session's CSRF token.
type apiSession struct {
	tb     testing.TB
	base   string
	client *http.Client
	csrf   string
	userID domain.ID
}

// signInAs signs in with email and password and fails tb unless it succeeds.
func signInAs(tb testing.TB, baseURL, email, password string) *apiSession {
	tb.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	s := &apiSession{tb: tb, base: baseURL + "/api/v1", client: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
	var out struct {
		UserID    domain.ID `json:"user_id"`
		CSRFToken string    `json:"csrf_token"`
	}
	if code := s.do("POST", "/sessions", map[string]string{"email": email, "password": password}, &out); code != http.StatusCreated {
		tb.Fatalf("sign in: status %d", code)
	}
	s.csrf, s.userID = out.CSRFToken, out.UserID
	return s
}

// do sends a JSON request and decodes a 2xx JSON answer into out (when not nil); it returns the
// status.
func (s *apiSession) do(method, path string, body, out any) int {
	s.tb.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			s.tb.Fatal(err)
		}
		r = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(method, s.base+path, r)
	if err != nil {
		s.tb.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if s.csrf != "" {
		req.Header.Set("X-CSRF-Token", s.csrf)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		s.tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode/100 == 2 {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			s.tb.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
	return resp.StatusCode
}

// emergencyReads returns the RecordAccessed events by reader in the client's stream, unsealed.
func emergencyReads(tb testing.TB, m *main.Main, clientID, reader domain.ID) []client.RecordAccessed {
	tb.Helper()
	ctx := context.Background()
	evs, err := m.Store.ReadStream(ctx, commands.StreamFor("client", clientID), 0, 10000)
	if err != nil {
		tb.Fatal(err)
	}
	var out []client.RecordAccessed
	for _, e := range evs {
		if e.Type != "RecordAccessed" {
			continue
		}
		payload, err := m.Keys.Open(ctx, e)
		if err != nil {
			tb.Fatal(err)
		}
		var ra client.RecordAccessed
		if err := json.Unmarshal(payload, &ra); err != nil {
			tb.Fatal(err)
		}
		if ra.By.UserID == reader {
			out = append(out, ra)
		}
	}
	return out
}

// TestEmergencyNotes: another therapist reads a client's progress notes only under a live
// break-glass grant, never their psychotherapy notes, and each such read is recorded with the
// grant.
func TestEmergencyNotes(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewEmptyDatabase(t)
	m, _ := runMain(t, testConfig(t, dsn))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, seeded, err := m.SeedDemo(ctx); err != nil || !seeded {
		t.Fatalf("seed demo: %v (seeded %v)", err, seeded)
	}
	ana := signInAs(t, m.URL(), "ana.okafor@riverside.example.org", "heron-quiet-meadow-17")
	ben := signInAs(t, m.URL(), "ben.lindqvist@riverside.example.org", "otter-copper-bridge-23")

	// One of Ana's clients, once the projection lists it.
	var clientID domain.ID
	for deadline := time.Now().Add(30 * time.Second); clientID.IsZero() && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		var list struct {
			Clients []struct {
				ID domain.ID `json:"id"`
			} `json:"clients"`
		}
		if code := ana.do("GET", "/clients", nil, &list); code != http.StatusOK {
			t.Fatalf("list clients: %d", code)
		}
		if len(list.Clients) > 0 {
			clientID = list.Clients[0].ID
		}
	}
	if clientID.IsZero() {
		t.Fatal("Ana's clients never listed")
	}
	var progress struct {
		Notes []struct {
			ID domain.ID `json:"id"`
		} `json:"notes"`
	}
	if code := ana.do("GET", "/clients/"+clientID.String()+"/notes", nil, &progress); code != http.StatusOK || len(progress.Notes) == 0 {
		t.Fatalf("Ana reads her client's notes: status %d, %d notes", code, len(progress.Notes))
	}
	progressNote := progress.Notes[0].ID
	var psych struct {
		ID domain.ID `json:"id"`
	}
	if code := ana.do("POST", "/clients/"+clientID.String()+"/notes", map[string]any{
		"kind": "psychotherapy", "template_id": practice.TemplateSOAP,
		"fields": map[string]string{"subjective": "process material"},
	}, &psych); code != http.StatusCreated {
		t.Fatalf("Ana drafts a psychotherapy note: status %d", code)
	}

	notes := "/clients/" + clientID.String() + "/notes"
	reads := []struct {
		name, path string
		want       int
	}{
		{"progress notes", notes + "?emergency=true", http.StatusOK},
		{"one progress note", notes + "/" + progressNote.String() + "?emergency=true", http.StatusOK},
		{"psychotherapy notes", notes + "?kind=psychotherapy&emergency=true", http.StatusNotFound},
		{"one psychotherapy note", notes + "/" + psych.ID.String() + "?kind=psychotherapy&emergency=true", http.StatusNotFound},
		{"progress notes without asking for emergency access", notes, http.StatusNotFound},
	}
	t.Run("without a grant every read is 404", func(t *testing.T) {
		for _, r := range reads {
			if code := ben.do("GET", r.path, nil, nil); code != http.StatusNotFound {
				t.Errorf("%s: status %d, want 404", r.name, code)
			}
		}
		if got := emergencyReads(t, m, clientID, ben.userID); len(got) != 0 {
			t.Errorf("refused reads were recorded: %+v", got)
		}
	})

	var grant struct {
		GrantID domain.ID `json:"grant_id"`
	}
	if code := ben.do("POST", "/clients/"+clientID.String()+"/emergency-access",
		map[string]string{"reason": "Client in crisis at reception; Ana is on leave today."}, &grant); code != http.StatusCreated {
		t.Fatalf("break the glass: status %d", code)
	}

	t.Run("with a grant", func(t *testing.T) {
		for _, r := range reads {
			var body struct {
				Notes []json.RawMessage `json:"notes"`
				ID    domain.ID         `json:"id"`
			}
			code := ben.do("GET", r.path, nil, &body)
			if code != r.want {
				t.Errorf("%s: status %d, want %d", r.name, code, r.want)
			}
			if code == http.StatusOK && len(body.Notes) == 0 && body.ID.IsZero() {
				t.Errorf("%s: no note returned", r.name)
			}
		}
	})
	t.Run("each emergency read is recorded with the grant", func(t *testing.T) {
		got := emergencyReads(t, m, clientID, ben.userID)
		if len(got) != 2 {
			t.Fatalf("%d reads recorded for Ben, want 2 (the two allowed): %+v", len(got), got)
		}
		for i, ra := range got {
			if ra.Purpose != client.EmergencyPurpose || ra.GrantID != grant.GrantID || ra.What != client.AccessNote {
				t.Errorf("read %d recorded as %+v, want purpose %s, grant %s", i, ra, client.EmergencyPurpose, grant.GrantID)
			}
		}
		if got[1].ID != progressNote {
			t.Errorf("the single-note read names note %s, want %s", got[1].ID, progressNote)
		}
	})
	t.Run("Ana's own reads are not emergency reads", func(t *testing.T) {
		for _, ra := range emergencyReads(t, m, clientID, ana.userID) {
			if ra.Purpose == client.EmergencyPurpose || !ra.GrantID.IsZero() {
				t.Errorf("Ana's read recorded as %+v", ra)
			}
		}
	})
}
