package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/note"
	"github.com/caseledger/caseledger/domain/scheduling"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/pgstore"
	"github.com/caseledger/caseledger/keyring"
	"github.com/caseledger/caseledger/migrations"
	"github.com/caseledger/caseledger/projections"
)

// The projections suite measures, in one fresh database:
//   - rebuild of every projection (clients, appointments, notes, practice reports, audit) over a
//     log of 200,000 mixed sealed events (-quick: 20,000), decryption included, in log events per
//     second (every projector reads the whole log, all at once), against one raw ordered SELECT of
//     every column of the same log in the same run;
//   - projection lag under a steady write load (one client registration every 5 ms): the time from
//     an event's append to its row being visible in the audit read model, median and p99, against
//     the same measurement for a raw INSERT into a plain table and a poller of that table.
func init() { register("projections", benchProjections) }

func benchProjections(ctx context.Context, env *Env) ([]Result, error) {
	dsn, err := env.NewDatabase(ctx)
	if err != nil {
		return nil, err
	}
	app, err := migrations.ConnectAs(ctx, dsn, migrations.RoleApp, 12)
	if err != nil {
		return nil, err
	}
	defer app.Close()
	admin, err := migrations.ConnectAs(ctx, dsn, "", 4)
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	raw, err := rawPool(ctx, dsn, migrations.RoleApp, 2)
	if err != nil {
		return nil, err
	}
	defer raw.Close()
	store, err := pgstore.New(ctx, app, pgstore.Config{PollInterval: time.Second})
	if err != nil {
		return nil, err
	}
	master, err := keyring.NewRandomMaster()
	if err != nil {
		return nil, err
	}
	keys, err := keyring.New(ctx, keyring.Config{Storage: keyring.NewMemoryStorage(), Master: master, Events: store})
	if err != nil {
		return nil, err
	}
	defer keys.Close()
	engine, err := projections.New(projections.Config{Store: store, Pool: app, Projectors: projections.All(keys)})
	if err != nil {
		return nil, err
	}

	total := 200_000
	if env.Quick {
		total = 20_000
	}
	if err := seedProjectionLog(ctx, store, keys, total); err != nil {
		return nil, err
	}
	var logged int64
	if err := admin.QueryRow(ctx, `SELECT count(*) FROM event_log`).Scan(&logged); err != nil {
		return nil, err
	}

	var rawRate, rebuildRate []float64
	for range benchRounds {
		start := time.Now()
		n, err := rawOrderedSelect(ctx, raw)
		if err != nil {
			return nil, err
		}
		rawRate = append(rawRate, float64(n)/time.Since(start).Seconds())
		start = time.Now()
		if err := engine.Rebuild(ctx, ""); err != nil {
			return nil, err
		}
		rebuildRate = append(rebuildRate, float64(logged)/time.Since(start).Seconds())
	}
	results := []Result{More(fmt.Sprintf("projections rebuild, all %d over %d events", len(projections.All(nil)), logged), median(rebuildRate), "events/s",
		"raw ordered SELECT of the log", median(rawRate), 0.25)}

	lag, rawLag, err := measureLag(ctx, engine, store, keys, app, admin, env.Quick)
	if err != nil {
		return nil, err
	}
	results = append(results,
		Less("projection lag p50 (append to visible)", pct(lag, 50), "ms", "raw insert-to-poll p50", pct(rawLag, 50), 0),
		Less("projection lag p99 (append to visible)", pct(lag, 99), "ms", "raw insert-to-poll p99", pct(rawLag, 99), 0))
	return results, nil
}

// seedProjectionLog appends about total sealed events: per client a registration, a consent, two
// audited reads, eight appointments each booked and then completed, cancelled or missed, and two
// session notes each drafted and signed.
func seedProjectionLog(ctx context.Context, store eventstore.Store, keys *keyring.Keyring, total int) error {
	const perClient = 4 + 8*2 + 2*2
	therapists := []domain.ID{benchID(), benchID(), benchID(), benchID(), benchID()}
	services := []domain.ID{benchID(), benchID(), benchID()}
	practiceID := benchID()
	base := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	work := make(chan int)
	errs := make(chan error, 8)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if err := seedClient(ctx, store, keys, i, practiceID, therapists[i%len(therapists)], services, base); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := 0; i < total/perClient; i++ {
		select {
		case work <- i:
		case err := <-errs:
			close(work)
			wg.Wait()
			return err
		}
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

func seedClient(ctx context.Context, store eventstore.Store, keys *keyring.Keyring, i int, practiceID, t domain.ID, services []domain.ID, base time.Time) error {
	c := benchID()
	actor := domain.Actor{UserID: t, Role: domain.RoleTherapist}
	stream := eventstore.StreamID("client-" + c.String())
	evs := []domain.Event{
		client.ClientRegistered{ClientID: c, PracticeID: practiceID, TherapistID: t, RecordKind: "adult", At: base,
			Details: client.Details{GivenName: fmt.Sprintf("Given%d", i), FamilyName: fmt.Sprintf("Family%d", i),
				DateOfBirth: "1980-02-03", Email: fmt.Sprintf("client%d@example.org", i), Phone: "+447700900000"}},
		client.ConsentSigned{ServiceTypeID: services[i%len(services)], Version: 1, ContentHash: "h", Method: client.SignedPortal,
			Signer: client.SignerClient, SignedAt: base, At: base},
		client.RecordAccessed{By: actor, What: "record", Purpose: "treatment", At: base},
		client.RecordAccessed{By: actor, What: "record", Purpose: "treatment", At: base},
	}
	if err := appendSealed(ctx, store, keys, stream, c, actor, evs...); err != nil {
		return err
	}
	for range 2 {
		n := benchID()
		if err := appendSealed(ctx, store, keys, eventstore.StreamID("notes-"+c.String()), c, actor,
			note.NoteDrafted{NoteID: n, ClientID: c, AuthorID: t, Kind: note.KindProgress, TemplateID: services[0], At: base,
				Fields: map[string]string{
					"subjective": fmt.Sprintf("Client %d reports better sleep since the last session and less worry at work.", i),
					"objective":  "Calm, engaged, good eye contact; affect congruent with reported mood.",
					"plan":       "Continue weekly sessions; review the sleep diary and the graded exposure plan.",
				}},
			note.NoteSigned{NoteID: n, SignedBy: t, ContentHash: "h", At: base}); err != nil {
			return err
		}
	}
	for j := range 8 {
		a := benchID()
		start := base.Add(time.Duration(i%400*24+j*7*24) * time.Hour)
		var outcome domain.Event = scheduling.AppointmentCompleted{AppointmentID: a}
		switch j % 4 {
		case 1:
			outcome = scheduling.AppointmentCancelled{AppointmentID: a, By: domain.RoleClient, Late: true,
				Fee: &scheduling.Money{AmountMinor: 3000, Currency: "GBP"}}
		case 2:
			outcome = scheduling.AppointmentNoShow{AppointmentID: a}
		}
		if err := appendSealed(ctx, store, keys, eventstore.StreamID("appointment-"+a.String()), c, actor,
			scheduling.AppointmentBooked{AppointmentID: a, TherapistID: t, ClientID: c, ServiceTypeID: services[j%len(services)],
				Start: start, End: start.Add(50 * time.Minute), Location: "Room 2", BookedBy: domain.RoleTherapist},
			outcome); err != nil {
			return err
		}
	}
	return nil
}

// appendSealed appends evs to stream in one append, each sealed under subject's key.
func appendSealed(ctx context.Context, store eventstore.Store, keys *keyring.Keyring, stream eventstore.StreamID, subject domain.ID, actor domain.Actor, evs ...domain.Event) error {
	data := make([]eventstore.EventData, len(evs))
	for i, ev := range evs {
		payload, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		data[i] = eventstore.EventData{ID: uuid.Must(uuid.NewV7()), Type: ev.EventType(), SchemaVersion: 1, OccurredAt: time.Now(),
			Actor:   eventstore.Actor{UserID: uuid.UUID(actor.UserID), Role: string(actor.Role)},
			Subject: uuid.UUID(subject), CorrelationID: uuid.Must(uuid.NewV7()), Payload: payload}
		if err := keys.Seal(ctx, stream, &data[i]); err != nil {
			return err
		}
	}
	_, err := store.Append(ctx, stream, eventstore.Any(), data...)
	return err
}

// rawOrderedSelect reads every column of every event in global order, as a projector's reader
// must, and returns how many rows it read.
func rawOrderedSelect(ctx context.Context, pool *pgxpool.Pool) (int, error) {
	rows, err := pool.Query(ctx, `SELECT tx_order, position, stream_id, version, event_id, event_type, schema_version,
		occurred_at, recorded_at, actor_id, actor_role, subject_id, key_id, correlation_id, causation_id, payload,
		prev_hash, hash FROM event_log ORDER BY tx_order, position`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var (
			tx, pos, version, key     int64
			stream, typ, role         string
			schema                    int32
			occurred, recorded        time.Time
			id, actor, subj, corr, cs uuid.UUID
			payload, prev, hash       []byte
		)
		if err := rows.Scan(&tx, &pos, &stream, &version, &id, &typ, &schema, &occurred, &recorded, &actor, &role,
			&subj, &key, &corr, &cs, &payload, &prev, &hash); err != nil {
			return 0, err
		}
		n++
	}
	return n, rows.Err()
}

// measureLag runs the engine, appends one client registration every 5 ms for 10 s (-quick: 2 s)
// and times each event from the end of its append to a poller seeing its audit row; then does the
// same with raw INSERTs into a plain table and a poller of it. Times are in milliseconds.
func measureLag(ctx context.Context, engine *projections.Engine, store eventstore.Store, keys *keyring.Keyring,
	app, admin *pgxpool.Pool, quick bool) (lag, raw []float64, err error) {
	duration := 10 * time.Second
	if quick {
		duration = 2 * time.Second
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- engine.Run(runCtx) }()
	defer func() {
		cancel()
		if rerr := <-done; rerr != nil && err == nil {
			err = rerr
		}
	}()
	if err := waitCaughtUp(ctx, engine); err != nil {
		return nil, nil, err
	}
	practiceID, t := benchID(), benchID()
	lag, err = visibility(ctx, app, duration, `SELECT seq, event_id::text FROM rm_audit_trail WHERE seq > $1 ORDER BY seq`,
		func(i int) (string, error) {
			c := benchID()
			payload, err := json.Marshal(client.ClientRegistered{ClientID: c, PracticeID: practiceID, TherapistID: t,
				RecordKind: "adult", At: time.Now(), Details: client.Details{GivenName: "Lag", FamilyName: fmt.Sprint(i), DateOfBirth: "1990-01-01"}})
			if err != nil {
				return "", err
			}
			data := eventstore.EventData{ID: uuid.Must(uuid.NewV7()), Type: "ClientRegistered", SchemaVersion: 1, OccurredAt: time.Now(),
				Actor: eventstore.Actor{UserID: uuid.UUID(t), Role: "therapist"}, Subject: uuid.UUID(c),
				CorrelationID: uuid.Must(uuid.NewV7()), Payload: payload}
			stream := eventstore.StreamID("client-" + c.String())
			if err := keys.Seal(ctx, stream, &data); err != nil {
				return "", err
			}
			_, err = store.Append(ctx, stream, eventstore.NoStream(), data)
			return data.ID.String(), err
		})
	if err != nil {
		return nil, nil, err
	}
	if _, err := admin.Exec(ctx, `CREATE TABLE bench_lag_raw (seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id text NOT NULL);
		GRANT SELECT, INSERT ON bench_lag_raw TO caseledger_app`); err != nil {
		return nil, nil, err
	}
	raw, err = visibility(ctx, app, duration, `SELECT seq, id FROM bench_lag_raw WHERE seq > $1 ORDER BY seq`,
		func(int) (string, error) {
			id := uuid.NewString()
			_, err := app.Exec(ctx, `INSERT INTO bench_lag_raw (id) VALUES ($1)`, id)
			return id, err
		})
	return lag, raw, err
}

// waitCaughtUp waits until no active projector has events left to apply.
func waitCaughtUp(ctx context.Context, engine *projections.Engine) error {
	deadline := time.Now().Add(10 * time.Minute)
	for time.Now().Before(deadline) {
		st, err := engine.Status(ctx, time.Now())
		if err != nil {
			return err
		}
		caught := true
		for _, s := range st {
			if s.Failure != nil {
				return fmt.Errorf("projector %s failing at %s: %s", s.Name, s.Failure.EventID, s.Failure.Error)
			}
			caught = caught && (!s.Active || s.Behind == 0)
		}
		if caught {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("projectors did not catch up")
}

// visibility calls appendOne every 5 ms for duration while a poller runs poll (rows of sequence
// number and key after $1) every millisecond, and returns each key's time from the end of its
// append to the poll that first saw it, in ms.
func visibility(ctx context.Context, pool *pgxpool.Pool, duration time.Duration, poll string, appendOne func(int) (string, error)) ([]float64, error) {
	var (
		mu       sync.Mutex
		appended = map[string]time.Time{}
		seenAt   = map[string]time.Time{}
		lags     []float64
	)
	match := func() {
		for id, at := range seenAt {
			if t0, ok := appended[id]; ok {
				lags = append(lags, float64(at.Sub(t0).Microseconds())/1000)
				delete(seenAt, id)
				delete(appended, id)
			}
		}
	}
	stop := make(chan struct{})
	pollDone := make(chan error, 1)
	// Start after the rows already there: they were not appended here, and keeping them would
	// make every poll walk them.
	var last int64 = -1
	rows, err := pool.Query(ctx, poll, last)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&last, &id); err != nil {
			rows.Close()
			return nil, err
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	go func() {
		for {
			rows, err := pool.Query(ctx, poll, last)
			if err != nil {
				pollDone <- err
				return
			}
			now := time.Now()
			mu.Lock()
			for rows.Next() {
				var id string
				if err := rows.Scan(&last, &id); err != nil {
					mu.Unlock()
					pollDone <- err
					return
				}
				seenAt[id] = now
			}
			rows.Close()
			match()
			left := len(appended)
			mu.Unlock()
			select {
			case <-stop:
				if left == 0 {
					pollDone <- nil
					return
				}
			default:
			}
			time.Sleep(time.Millisecond)
		}
	}()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	end := time.Now().Add(duration)
	for i := 0; time.Now().Before(end); i++ {
		<-tick.C
		id, err := appendOne(i)
		if err != nil {
			close(stop)
			return nil, err
		}
		mu.Lock()
		appended[id] = time.Now()
		mu.Unlock()
	}
	close(stop)
	select {
	case err := <-pollDone:
		return lags, err
	case <-time.After(2 * time.Minute):
		return nil, errors.New("events still not visible after 2 minutes")
	}
}

// pct returns the p-th percentile of xs (nearest rank).
func pct(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	i := int(p / 100 * float64(len(s)))
	if i >= len(s) {
		i = len(s) - 1
	}
	return s[i]
}

func benchID() domain.ID { return domain.ID(uuid.Must(uuid.NewV7())) }
