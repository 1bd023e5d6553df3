package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/caseledger/caseledger/api"
	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/identity"
	"github.com/caseledger/caseledger/domain/scheduling"
	"github.com/caseledger/caseledger/eventstore/pgstore"
	"github.com/caseledger/caseledger/keyring"
	"github.com/caseledger/caseledger/migrations"
	"github.com/caseledger/caseledger/projections"
)

// The api suite measures the HTTP API end to end over real loopback HTTP, with 16 concurrent
// clients, each a therapist with a bearer token acting on their own caseload. Each figure is
// requests per second, with p50 and p99 latency, beside a raw pgx baseline; and the p50 latency of
// one client alone (which shows the round trips a request costs, where 16 clients on a shared
// 2-core machine mostly show the machine's load). The API and its baseline alternate in five
// rounds of half-second runs, so that drift in the machine's load falls on both alike. The
// baseline runs at the same concurrency on the API's own pools and does the database work that a
// minimal correct implementation must do and nothing else (no HTTP, no JSON, no decryption, no
// event decoding):
//
//   - every request checks its bearer token in the database (a revoked token must fail on the
//     next request, so nothing may be cached): one SELECT of api_tokens by the token's hash;
//   - the therapist's day view (GET /appointments for one day, from the appointments read model
//     under row-level security, locations decrypted). Baseline: the token SELECT, then one
//     RLS-scoped read as one pipelined batch on the caseledger_reader pool (BEGIN READ ONLY;
//     set_config of the acting user and role; SELECT of the day's rows; COMMIT). 2 round trips;
//   - opening a client record (GET /clients/{id}: the client stream read and decrypted, then a
//     RecordAccessed event sealed and appended before the answer). Baseline: the token SELECT,
//     a SELECT of the client stream's rows, then a single-row INSERT of a 256-byte event-sized
//     row. 3 round trips;
//   - booking an appointment (POST /appointments: consent check, calendar reservation at its exact
//     version, sealed details). Baseline: the token SELECT, one SELECT of the client's and the
//     practice's stream rows (what consent is decided from), then one INSERT of two 512-byte rows
//     (the reservation and the booking). 3 round trips. The API also reads the therapist's
//     calendar and appends the reservation and the booking separately (commands/, pgstore).
func init() { register("api", benchAPI) }

const apiBenchWorkers = 16

// apiBenchRounds is how many alternating rounds of API and baseline make up one figure.
const apiBenchRounds = 5

// apiBench is the running API and what the workers act on.
type apiBench struct {
	srv        *httptest.Server
	app        *pgxpool.Pool // the API's caseledger_app pool
	reader     *pgxpool.Pool // the API's caseledger_reader pool
	rawApp     *pgxpool.Pool // the baseline's: same role and size, stock pgx (rawPool)
	rawReader  *pgxpool.Pool
	practice   domain.ID
	therapists []apiBenchTherapist
	service    domain.ID
	day        time.Time
}

type apiBenchTherapist struct {
	id      domain.ID
	token   string
	clients []domain.ID // each with an appointment on the measured day; opened
	booking []domain.ID // booked for; never opened, so the booking figure does not depend on
	// how many access events the opening run appended to the other clients' streams
}

func benchAPI(ctx context.Context, env *Env) ([]Result, error) {
	b, cleanup, err := newAPIBench(ctx, env)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	dur := 5 * time.Second
	if env.Quick {
		dur = time.Second
	}
	var out []Result
	// measure alternates the API and its baseline in rounds, so that drift in the shared
	// machine's load falls on both alike, and records the totals of all rounds.
	measure := func(name string, apiOp, rawOp func(w, i int) error) error {
		var api, base, api1, base1 latencies
		for range apiBenchRounds {
			for _, run := range []struct {
				workers  int
				op       func(w, i int) error
				into     *latencies
				baseline bool
			}{{apiBenchWorkers, apiOp, &api, false}, {apiBenchWorkers, rawOp, &base, true}, {1, apiOp, &api1, false}, {1, rawOp, &base1, true}} {
				l, err := drive(ctx, run.workers, dur/apiBenchRounds/2, run.op)
				if err != nil {
					return fmt.Errorf("%s (baseline %v, %d clients): %w", name, run.baseline, run.workers, err)
				}
				*run.into = run.into.plus(l)
			}
		}
		out = append(out,
			More(name+": requests/s", api.rate(), "req/s", "raw pgx", base.rate(), 0),
			Less(name+": p50", api.quantile(0.50), "ms", "raw pgx", base.quantile(0.50), 0),
			Less(name+": p99", api.quantile(0.99), "ms", "raw pgx", base.quantile(0.99), 0),
			Less(name+": p50, one client alone", api1.quantile(0.50), "ms", "raw pgx", base1.quantile(0.50), 0))
		return nil
	}

	dayFrom, dayTo := b.day, b.day.Add(24*time.Hour)
	dayPath := "/api/v1/appointments?from=" + dayFrom.Format(time.RFC3339) + "&to=" + dayTo.Format(time.RFC3339)
	viewAPI := func(w, _ int) error {
		return b.call(ctx, w, "GET", dayPath, nil, http.StatusOK)
	}
	viewRaw := func(w, _ int) error {
		actor, err := b.rawToken(ctx, w)
		if err != nil {
			return err
		}
		batch := &pgx.Batch{}
		batch.Queue(`BEGIN READ ONLY`)
		batch.Queue(`SELECT set_config('caseledger.user_id', $1, true), set_config('caseledger.role', $2, true)`,
			actor.UserID.String(), string(actor.Role))
		batch.Queue(`SELECT appointment_id, therapist_id, client_id, service_type_id, series_id, starts_at, ends_at,
			status, booked_by, location_sealed, video_link_sealed, fee_minor, fee_currency
			FROM rm_appointments WHERE starts_at >= $1 AND starts_at < $2`, dayFrom, dayTo)
		batch.Queue(`COMMIT`)
		return b.rawReader.SendBatch(ctx, batch).Close()
	}
	if err := measure("therapist's day view", viewAPI, viewRaw); err != nil {
		return nil, err
	}

	openAPI := func(w, i int) error {
		t := b.therapists[w]
		return b.call(ctx, w, "GET", "/api/v1/clients/"+t.clients[i%len(t.clients)].String(), nil, http.StatusOK)
	}
	openRaw := func(w, i int) error {
		if _, err := b.rawToken(ctx, w); err != nil {
			return err
		}
		t := b.therapists[w]
		stream := "client-" + t.clients[i%len(t.clients)].String()
		if err := b.rawStreams(ctx, stream); err != nil {
			return err
		}
		_, err := b.rawApp.Exec(ctx, `INSERT INTO api_bench_raw (id, stream_id, payload) VALUES ($1, $2, $3)`, uuid.New(), stream, make([]byte, 256))
		return err
	}
	if err := measure("opening a client record (with its access event)", openAPI, openRaw); err != nil {
		return nil, err
	}

	var slot atomic.Int64
	bookAPI := func(w, i int) error {
		t := b.therapists[w]
		start := b.day.Add(7 * 24 * time.Hour).Add(time.Duration(slot.Add(1)) * 30 * time.Minute)
		return b.call(ctx, w, "POST", "/api/v1/appointments", map[string]any{
			"therapist_id": t.id, "client_id": t.booking[i%len(t.booking)], "service_type_id": b.service,
			"start": start, "duration_minutes": 25, "location": "Room 1",
		}, http.StatusCreated)
	}
	bookRaw := func(w, i int) error {
		if _, err := b.rawToken(ctx, w); err != nil {
			return err
		}
		t := b.therapists[w]
		if err := b.rawStreams(ctx, "client-"+t.booking[i%len(t.booking)].String(), "practice-"+b.practice.String()); err != nil {
			return err
		}
		_, err := b.rawApp.Exec(ctx, `INSERT INTO api_bench_raw (id, stream_id, payload) VALUES ($1, $2, $3), ($4, $5, $6)`,
			uuid.New(), "calendar-"+t.id.String(), make([]byte, 512), uuid.New(), "appointment-"+uuid.NewString(), make([]byte, 512))
		return err
	}
	if err := measure("booking an appointment", bookAPI, bookRaw); err != nil {
		return nil, err
	}
	return out, nil
}

// rawToken is the baseline's credential check: the SELECT by the token's hash every request
// must make, and the expiry check.
func (b *apiBench) rawToken(ctx context.Context, w int) (domain.Actor, error) {
	h := sha256.Sum256([]byte(b.therapists[w].token))
	var user uuid.UUID
	var role string
	var expires time.Time
	if err := b.rawApp.QueryRow(ctx, `SELECT user_id, role, expires_at FROM api_tokens WHERE token_hash = $1`, h[:]).
		Scan(&user, &role, &expires); err != nil {
		return domain.Actor{}, err
	}
	if !time.Now().Before(expires) {
		return domain.Actor{}, fmt.Errorf("token expired")
	}
	return domain.Actor{UserID: domain.ID(user), Role: domain.Role(role)}, nil
}

// rawStreams is the baseline's read of whole streams: one SELECT of every column of their rows.
func (b *apiBench) rawStreams(ctx context.Context, streams ...string) error {
	rows, err := b.rawApp.Query(ctx, `SELECT tx_order, position, stream_id, version, event_id, event_type, schema_version,
		occurred_at, recorded_at, actor_id, actor_role, subject_id, key_id, correlation_id, causation_id, payload, prev_hash, hash
		FROM event_log WHERE stream_id = ANY($1) ORDER BY stream_id, version`, streams)
	if err != nil {
		return err
	}
	rows.Close()
	return rows.Err()
}

// call sends one request as worker w's therapist and checks the status.
func (b *apiBench) call(ctx context.Context, w int, method, path string, body any, want int) error {
	var rd io.Reader
	if body != nil {
		j, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(ctx, method, b.srv.URL+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+b.therapists[w].token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := b.srv.Client().Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	msg, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, msg)
	}
	return nil
}

// latencies are the durations of the requests of one run and the run's length.
type latencies struct {
	each    []time.Duration
	elapsed time.Duration
}

// plus returns the latencies of both runs, as of one run lasting both runs' time.
func (l latencies) plus(m latencies) latencies {
	return latencies{each: append(l.each, m.each...), elapsed: l.elapsed + m.elapsed}
}

func (l latencies) rate() float64 { return float64(len(l.each)) / l.elapsed.Seconds() }

// quantile returns the q-quantile latency in milliseconds.
func (l latencies) quantile(q float64) float64 {
	if len(l.each) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), l.each...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return float64(s[int(q*float64(len(s)-1))].Microseconds()) / 1000
}

// drive runs op from workers goroutines (op gets the worker and its iteration) for dur
// and returns every call's latency; the first error stops the run.
func drive(ctx context.Context, workers int, dur time.Duration, op func(w, i int) error) (latencies, error) {
	var (
		mu       sync.Mutex
		all      []time.Duration
		firstErr error
		wg       sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(dur)
	for w := range workers {
		wg.Go(func() {
			var mine []time.Duration
			for i := 0; time.Now().Before(deadline) && ctx.Err() == nil; i++ {
				t0 := time.Now()
				if err := op(w, i); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return latencies{each: all, elapsed: time.Since(start)}, firstErr
}

// newAPIBench builds the database, the stores, the projection engine and the API, seeds a
// practice with one therapist per worker (bearer token, eight clients, a calendar open all day,
// four appointments on the measured day) and waits for the read models to catch up.
func newAPIBench(ctx context.Context, env *Env) (*apiBench, func(), error) {
	dsn, err := env.NewDatabase(ctx)
	if err != nil {
		return nil, nil, err
	}
	var closers []func()
	cleanup := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	fail := func(err error) (*apiBench, func(), error) { cleanup(); return nil, nil, err }
	app, err := migrations.ConnectAs(ctx, dsn, migrations.RoleApp, 20)
	if err != nil {
		return fail(err)
	}
	closers = append(closers, app.Close)
	reader, err := migrations.ConnectAs(ctx, dsn, migrations.RoleReader, 16)
	if err != nil {
		return fail(err)
	}
	closers = append(closers, reader.Close)
	rawApp, err := rawPool(ctx, dsn, migrations.RoleApp, 20)
	if err != nil {
		return fail(err)
	}
	closers = append(closers, rawApp.Close)
	rawReader, err := rawPool(ctx, dsn, migrations.RoleReader, 16)
	if err != nil {
		return fail(err)
	}
	closers = append(closers, rawReader.Close)
	raw, err := migrations.ConnectAs(ctx, dsn, "", 16)
	if err != nil {
		return fail(err)
	}
	closers = append(closers, raw.Close)
	if _, err := raw.Exec(ctx, `CREATE TABLE api_bench_raw (id uuid PRIMARY KEY, stream_id text NOT NULL, payload bytea NOT NULL);
		GRANT INSERT ON api_bench_raw TO caseledger_app`); err != nil {
		return fail(err)
	}
	store, err := pgstore.New(ctx, app, pgstore.Config{})
	if err != nil {
		return fail(err)
	}
	master, err := keyring.NewRandomMaster()
	if err != nil {
		return fail(err)
	}
	keys, err := keyring.New(ctx, keyring.Config{Storage: keyring.NewPostgresStorage(app), Master: master, Events: store})
	if err != nil {
		return fail(err)
	}
	closers = append(closers, keys.Close)
	rm, err := projections.NewReader(reader, keys)
	if err != nil {
		return fail(err)
	}
	engine, err := projections.New(projections.Config{Store: store, Pool: app, Projectors: projections.All(keys)})
	if err != nil {
		return fail(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = engine.Run(runCtx) }()
	closers = append(closers, func() { stop(); <-done })

	deps := commands.Deps{Log: store, Sealer: keys, Clock: commands.ClockFunc(time.Now)}
	h, err := api.New(api.Config{
		Pool: app, Log: store, Sealer: keys, Index: keys, ReadModels: rm,
		Shredder: commands.ShredFunc(func(context.Context, domain.ID, commands.ShredOrder) error {
			return fmt.Errorf("no erasure in the benchmark")
		}),
		Logger: slog.New(slog.DiscardHandler), SignInsPerMinute: 1000,
	})
	if err != nil {
		return fail(err)
	}
	srv := httptest.NewServer(h)
	srv.Client().Transport.(*http.Transport).MaxIdleConnsPerHost = apiBenchWorkers * 2
	closers = append(closers, srv.Close)
	b := &apiBench{srv: srv, app: app, reader: reader, rawApp: rawApp, rawReader: rawReader}
	if err := b.seed(ctx, deps, keys); err != nil {
		return fail(fmt.Errorf("seed: %w", err))
	}
	if err := waitForAppointments(ctx, raw); err != nil {
		return fail(err)
	}
	return b, cleanup, nil
}

// seed creates the practice, the therapists with their tokens, clients and the measured day's
// appointments.
func (b *apiBench) seed(ctx context.Context, d commands.Deps, keys *keyring.Keyring) error {
	ident := commands.IdentityDeps{Deps: d, Directory: api.NewUserDirectory(b.app), Index: keys,
		Hasher: commands.DefaultPasswordHasher(), Policy: identity.DefaultPolicy()}
	system := domain.Actor{Role: domain.RoleSystem}
	admin := domain.Actor{UserID: domain.ID(uuid.New()), Role: domain.RoleAdmin}
	practiceID, service := domain.ID(uuid.New()), domain.ID(uuid.New())
	b.practice, b.service = practiceID, service
	settings := commands.NewPracticeSettingsHandler(d)
	if err := commands.NewOpenPracticeHandler(d).Handle(ctx, admin, commands.OpenPractice{PracticeID: practiceID, ConsentRule: "warn"}); err != nil {
		return err
	}
	if err := settings.AddServiceType(ctx, admin, practiceID, service, "individual_therapy", "Individual therapy", 50); err != nil {
		return err
	}
	loc, _ := time.LoadLocation("Europe/London")
	now := time.Now().In(loc)
	b.day = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, 2).UTC()
	const password = "benchmark passphrase that is long"
	for w := range apiBenchWorkers {
		email := fmt.Sprintf("therapist%d@bench.example", w)
		id, err := commands.NewRegisterUserHandler(ident).Handle(ctx, system, commands.RegisterUser{Role: domain.RoleTherapist, Email: email, Password: password})
		if err != nil {
			return err
		}
		therapist := domain.Actor{UserID: id, Role: domain.RoleTherapist}
		if err := settings.AddStaffMember(ctx, admin, practiceID, id, domain.RoleTherapist); err != nil {
			return err
		}
		if err := commands.NewConfigureCalendarHandler(d).Handle(ctx, therapist, commands.ConfigureCalendar{TherapistID: id, Policy: scheduling.Policy{TimeZone: "Europe/London", SlotStepMinutes: 15}}); err != nil {
			return err
		}
		var week scheduling.WeeklyHours
		for day := time.Sunday; day <= time.Saturday; day++ {
			week = append(week, scheduling.WeeklyRange{Weekday: scheduling.Weekday(day), LocalRange: scheduling.LocalRange{Start: 0, End: scheduling.MaxClockTime}})
		}
		if err := commands.NewSetAvailabilityHandler(d).SetWeeklyHours(ctx, therapist, id, week); err != nil {
			return err
		}
		t := apiBenchTherapist{id: id}
		for k := range 4 {
			cid, err := commands.NewRegisterClientHandler(d).Handle(ctx, therapist, commands.RegisterClient{PracticeID: practiceID, TherapistID: id,
				Details: client.Details{GivenName: "Bench", FamilyName: fmt.Sprintf("Client %d", k), DateOfBirth: "1990-01-01"}})
			if err != nil {
				return err
			}
			if _, err := commands.NewBookAppointmentHandler(d).Handle(ctx, therapist, commands.BookAppointment{TherapistID: id, ClientID: cid, ServiceTypeID: service,
				Start: b.day.Add(time.Duration(9+k) * time.Hour), Duration: 50 * time.Minute, Place: scheduling.Place{Location: "Room 1"}}); err != nil {
				return err
			}
			t.clients = append(t.clients, cid)
			if cid, err = commands.NewRegisterClientHandler(d).Handle(ctx, therapist, commands.RegisterClient{PracticeID: practiceID, TherapistID: id,
				Details: client.Details{GivenName: "Bench", FamilyName: fmt.Sprintf("Booked %d", k), DateOfBirth: "1990-01-01"}}); err != nil {
				return err
			}
			t.booking = append(t.booking, cid)
		}
		if t.token, err = b.token(ctx, email, password); err != nil {
			return err
		}
		b.therapists = append(b.therapists, t)
	}
	return nil
}

// token signs in over HTTP and mints a bearer token.
func (b *apiBench) token(ctx context.Context, email, password string) (string, error) {
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	res, err := b.srv.Client().Post(b.srv.URL+"/api/v1/sessions", "application/json", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var s struct {
		CSRF string `json:"csrf_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&s); err != nil || res.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("sign in: %d %v", res.StatusCode, err)
	}
	req, _ := http.NewRequestWithContext(ctx, "POST", b.srv.URL+"/api/v1/tokens", nil)
	for _, c := range res.Cookies() {
		req.Header.Set("Cookie", c.Name+"="+c.Value)
	}
	req.Header.Set("X-CSRF-Token", s.CSRF)
	tres, err := b.srv.Client().Do(req)
	if err != nil {
		return "", err
	}
	defer tres.Body.Close()
	var t struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(tres.Body).Decode(&t); err != nil || tres.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("token: %d %v", tres.StatusCode, err)
	}
	return t.Token, nil
}

// waitForAppointments waits until the appointments read model holds the seeded appointments.
func waitForAppointments(ctx context.Context, raw *pgxpool.Pool) error {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var n int
		if err := raw.QueryRow(ctx, `SELECT count(*) FROM rm_appointments`).Scan(&n); err != nil {
			return err
		}
		if n >= apiBenchWorkers*4 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("read models hold %d of %d appointments after 2 minutes", n, apiBenchWorkers*4)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
