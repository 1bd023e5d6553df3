package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	main "github.com/caseledger/caseledger/cmd/caseledger"
	"github.com/caseledger/caseledger/eventstore/pgstore"
	"github.com/caseledger/caseledger/migrations"
	"github.com/caseledger/caseledger/migrations/pgtest"
	"github.com/caseledger/caseledger/testdata/demo"
)

// demoAccount is one account of testdata/demo/practice.json: a member of staff, or a client's
// portal account (role client).
type demoAccount struct {
	Role, Email, Password string
}

// demoAccounts returns the staff accounts, then the clients' portal accounts.
func demoAccounts(tb testing.TB) []demoAccount {
	tb.Helper()
	var f struct {
		Users   []demoAccount
		Clients []struct{ Portal *demoAccount }
	}
	if err := json.Unmarshal(demo.PracticeJSON, &f); err != nil {
		tb.Fatal(err)
	}
	accounts := f.Users
	for _, c := range f.Clients {
		if c.Portal != nil {
			accounts = append(accounts, demoAccount{Role: "client", Email: c.Portal.Email, Password: c.Portal.Password})
		}
	}
	return accounts
}

func TestDemoSeedsAnEmptyDatabaseOnce(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewEmptyDatabase(t)
	vars := map[string]string{"CASELEDGER_DATABASE_URL": dsn, "CASELEDGER_DATA_DIR": t.TempDir()}

	code, stdout, stderr := dispatch(t, vars, "demo")
	if code != 0 {
		t.Fatalf("demo: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}

	t.Run("counts", func(t *testing.T) {
		admin := pgtest.Pool(t, dsn, "")
		want := map[string]int{
			"UserRegistered":           7,
			"PracticeOpened":           1,
			"StaffMemberAdded":         6,
			"ServiceTypeAdded":         3,
			"ConsentTemplatePublished": 3,
			"ClientRegistered":         5,
			"ConsentSigned":            6,
			"AppointmentBooked":        11,
			"AppointmentCompleted":     6,
			"AppointmentCancelled":     1,
			"NoteDrafted":              5,
			"NoteSigned":               4,
		}
		rows, err := admin.Query(context.Background(), `SELECT event_type, count(*) FROM event_log GROUP BY event_type`)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for rows.Next() {
			var typ string
			var n int
			if err := rows.Scan(&typ, &n); err != nil {
				t.Fatal(err)
			}
			got[typ] = n
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		for typ, n := range want {
			if got[typ] != n {
				t.Errorf("%s events: %d, want %d", typ, got[typ], n)
			}
		}
		if !strings.Contains(stdout, "5 clients (1 with a portal account), 6 consents, 11 appointments (6 completed, 1 cancelled), 5 session notes (4 signed)") {
			t.Errorf("summary missing or wrong:\n%s", stdout)
		}
	})

	t.Run("sign-in details printed", func(t *testing.T) {
		for _, a := range demoAccounts(t) {
			if !strings.Contains(stdout, a.Email) || !strings.Contains(stdout, a.Password) {
				t.Errorf("no sign-in line for %s", a.Email)
			}
		}
	})

	t.Run("no client's personal data in the log in plaintext", func(t *testing.T) {
		admin := pgtest.Pool(t, dsn, "")
		for _, s := range []string{"Marsh", "elena.marsh", "Quay Street", "thought diary", "panic attacks"} {
			var n int
			if err := admin.QueryRow(context.Background(),
				`SELECT count(*) FROM event_log WHERE position($1::bytea IN payload) > 0`, []byte(s)).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("%d events hold %q in plaintext", n, s)
			}
		}
	})

	t.Run("the seeded log verifies", func(t *testing.T) {
		if code, stdout, stderr := dispatch(t, vars, "verify"); code != 0 {
			t.Fatalf("verify: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
		}
	})

	t.Run("a second run refuses the non-empty database", func(t *testing.T) {
		code, stdout, stderr := dispatch(t, vars, "demo")
		if code != 1 || !strings.Contains(stderr, "already holds events") {
			t.Fatalf("exit %d, want 1 and a refusal\nstdout: %s\nstderr: %s", code, stdout, stderr)
		}
		admin := pgtest.Pool(t, dsn, "")
		var n int
		if err := admin.QueryRow(context.Background(), `SELECT count(*) FROM event_log WHERE event_type = 'ClientRegistered'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 5 {
			t.Fatalf("%d clients after the refused run, want 5", n)
		}
	})
}

func TestServeDemoSeedsThenServesAndTheAccountsSignIn(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewEmptyDatabase(t)
	cfg := testConfig(t, dsn)
	var out, logs syncBuffer
	m := mainFor(t, cfg, &out, &logs)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := m.Open(ctx); err != nil {
		t.Fatalf("Open: %v\n%s", err, logs.String())
	}
	if _, seeded, err := m.SeedDemo(ctx); err != nil || !seeded {
		t.Fatalf("SeedDemo: seeded %v, %v\n%s", seeded, err, logs.String())
	}
	if _, seeded, err := m.SeedDemo(ctx); err != nil || seeded {
		t.Fatalf("second SeedDemo: seeded %v, %v; want nothing seeded", seeded, err)
	}
	if err := m.Run(ctx); err != nil {
		t.Fatalf("Run: %v\n%s", err, logs.String())
	}
	client := &http.Client{Timeout: 30 * time.Second}
	sessions := map[string]*http.Cookie{}
	for _, a := range demoAccounts(t) {
		t.Run("sign in as "+a.Email, func(t *testing.T) {
			body, _ := json.Marshal(map[string]string{"email": a.Email, "password": a.Password})
			resp, err := client.Post("http://"+m.Addr()+"/api/v1/sessions", "application/json", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated || len(resp.Cookies()) == 0 {
				t.Fatalf("sign in as %s: %d, want 201 with a session cookie", a.Email, resp.StatusCode)
			}
			sessions[a.Email] = resp.Cookies()[0]
		})
	}

	// The projectors running inside Main build the caseloads from the seeded events; each
	// therapist sees their own clients only.
	for email, want := range map[string]int{"ana.okafor@riverside.example.org": 3, "ben.lindqvist@riverside.example.org": 2} {
		t.Run("caseload of "+email, func(t *testing.T) {
			cookie := sessions[email]
			if cookie == nil {
				t.Fatal("no session")
			}
			var got int
			for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
				req, _ := http.NewRequest("GET", "http://"+m.Addr()+"/api/v1/clients", nil)
				req.AddCookie(cookie)
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				var list struct{ Clients []json.RawMessage }
				err = json.NewDecoder(resp.Body).Decode(&list)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || err != nil {
					t.Fatalf("GET /api/v1/clients: %d %v", resp.StatusCode, err)
				}
				if got = len(list.Clients); got == want {
					return
				}
			}
			t.Fatalf("caseload holds %d clients, want %d", got, want)
		})
	}

	// The demo client with a portal account can book with her therapist, who takes self-bookings.
	t.Run("the portal client's booking options", func(t *testing.T) {
		email := "elena.marsh@mail.example.org"
		cookie := sessions[email]
		if cookie == nil {
			t.Fatal("no session")
		}
		req, _ := http.NewRequest("GET", "http://"+m.Addr()+"/api/v1/me", nil)
		req.AddCookie(cookie)
		var me struct {
			UserID string `json:"user_id"`
		}
		getJSON(t, client, req, &me)
		req, _ = http.NewRequest("GET", "http://"+m.Addr()+"/api/v1/clients/"+me.UserID+"/booking-options", nil)
		req.AddCookie(cookie)
		var options struct {
			Enabled  bool
			Services []struct{ Name string }
		}
		getJSON(t, client, req, &options)
		if !options.Enabled || len(options.Services) != 3 {
			t.Fatalf("booking options %+v; want self-booking on with the demo's three services", options)
		}
	})
}

// getJSON sends req and decodes its 200 answer into out.
func getJSON(t *testing.T, client *http.Client, req *http.Request, out any) {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d", req.Method, req.URL.Path, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

// serveBriefly runs `caseledger serve --demo` in-process until it prints its address, stops it
// as SIGINT would, and returns its stdout.
func serveBriefly(t *testing.T, vars map[string]string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, logs syncBuffer
	lookup := func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	code := make(chan int, 1)
	go func() {
		code <- main.Dispatch(ctx, []string{"serve", "--demo"}, lookup, strings.NewReader(""), &out, &logs)
	}()
	for deadline := time.Now().Add(90 * time.Second); !strings.Contains(out.String(), "serving on"); time.Sleep(50 * time.Millisecond) {
		select {
		case c := <-code:
			t.Fatalf("serve --demo exited %d early\nstdout: %s\nlogs: %s", c, out.String(), logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve --demo did not start\nlogs: %s", logs.String())
		}
	}
	cancel()
	if c := <-code; c != 0 {
		t.Fatalf("serve --demo exited %d\nlogs: %s", c, logs.String())
	}
	return out.String()
}

func TestServeDemoPrintsAccountsOnlyForTheDemo(t *testing.T) {
	t.Parallel()
	admin := demoAccounts(t)[0]
	t.Run("empty database: seeded, accounts printed, and again on restart", func(t *testing.T) {
		t.Parallel()
		vars := map[string]string{"CASELEDGER_DATABASE_URL": pgtest.NewEmptyDatabase(t), "CASELEDGER_DATA_DIR": t.TempDir(),
			"CASELEDGER_LISTEN": "127.0.0.1:0"}
		first := serveBriefly(t, vars)
		if !strings.Contains(first, "Demo practice seeded") || !strings.Contains(first, admin.Password) {
			t.Fatalf("first start:\n%s", first)
		}
		second := serveBriefly(t, vars)
		if !strings.Contains(second, "seeded before") || !strings.Contains(second, admin.Password) {
			t.Fatalf("second start:\n%s", second)
		}
	})
	t.Run("a database holding other records: not seeded, no demo accounts", func(t *testing.T) {
		t.Parallel()
		dsn := pgtest.NewDatabase(t)
		store, err := pgstore.New(context.Background(), pgtest.Pool(t, dsn, migrations.RoleApp), pgstore.Config{})
		if err != nil {
			t.Fatal(err)
		}
		appendPlain(t, store, 1)
		out := serveBriefly(t, map[string]string{"CASELEDGER_DATABASE_URL": dsn, "CASELEDGER_DATA_DIR": t.TempDir(),
			"CASELEDGER_LISTEN": "127.0.0.1:0"})
		if !strings.Contains(out, "other records") || strings.Contains(out, admin.Password) {
			t.Fatalf("start on a non-demo database:\n%s", out)
		}
	})
}
