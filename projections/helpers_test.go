package projections_test

import (
	"context"
	"encoding/json"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/note"
	"github.com/caseledger/caseledger/domain/practice"
	"github.com/caseledger/caseledger/domain/scheduling"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/pgstore"
	"github.com/caseledger/caseledger/keyring"
	"github.com/caseledger/caseledger/migrations"
	"github.com/caseledger/caseledger/migrations/pgtest"
	"github.com/caseledger/caseledger/projections"
)

// env is a migrated database with an event log, a keyring, an engine running every projector and
// a Reader.
type env struct {
	dsn      string
	app      *pgxpool.Pool
	store    *pgstore.Store
	keys     *keyring.Keyring
	engine   *projections.Engine
	reader   *projections.Reader
	practice domain.ID
}

func newEnv(tb testing.TB) *env {
	tb.Helper()
	dsn := pgtest.NewDatabase(tb)
	app := pgtest.Pool(tb, dsn, migrations.RoleApp)
	store, err := pgstore.New(context.Background(), app, pgstore.Config{PollInterval: 50 * time.Millisecond})
	if err != nil {
		tb.Fatalf("pgstore: %v", err)
	}
	keys := keyring.NewForTests(tb, store)
	engine := newEngine(tb, app, store, projections.All(keys))
	reader, err := projections.NewReader(pgtest.Pool(tb, dsn, migrations.RoleReader), keys)
	if err != nil {
		tb.Fatal(err)
	}
	return &env{dsn: dsn, app: app, store: store, keys: keys, engine: engine, reader: reader, practice: newID()}
}

func newEngine(tb testing.TB, app *pgxpool.Pool, store eventstore.Store, ps []projections.Projector) *projections.Engine {
	tb.Helper()
	e, err := projections.New(projections.Config{Store: store, Pool: app, Projectors: ps,
		MaxAttempts: 2, RetryPause: 20 * time.Millisecond, RebuildBatch: 300})
	if err != nil {
		tb.Fatalf("projections.New: %v", err)
	}
	return e
}

func newID() domain.ID { return domain.ID(uuid.Must(uuid.NewV7())) }

// at is a fixed base time for the events of the tests.
var at = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// emit appends ev to stream as actor, sealed under subject's key when subject is not zero.
func (e *env) emit(tb testing.TB, stream string, subject domain.ID, actor domain.Actor, ev domain.Event) eventstore.RecordedEvent {
	tb.Helper()
	ctx := context.Background()
	payload, err := json.Marshal(ev)
	if err != nil {
		tb.Fatal(err)
	}
	data := eventstore.EventData{
		ID: uuid.Must(uuid.NewV7()), Type: ev.EventType(), SchemaVersion: 1, OccurredAt: at,
		Actor:   eventstore.Actor{UserID: uuid.UUID(actor.UserID), Role: string(actor.Role)},
		Subject: uuid.UUID(subject), CorrelationID: uuid.Must(uuid.NewV7()), Payload: payload,
	}
	if err := e.keys.Seal(ctx, eventstore.StreamID(stream), &data); err != nil {
		tb.Fatalf("seal: %v", err)
	}
	res, err := e.store.Append(ctx, eventstore.StreamID(stream), eventstore.Any(), data)
	if err != nil {
		tb.Fatalf("append %s: %v", ev.EventType(), err)
	}
	return eventstore.RecordedEvent{EventData: data, StreamID: eventstore.StreamID(stream), Position: res.Position}
}

// clientDetails returns details with a name, email, date of birth and phone number.
func clientDetails(given, family, email, dob, phone string) client.Details {
	return client.Details{GivenName: given, FamilyName: family, Email: email, DateOfBirth: dob, Phone: phone}
}

func therapist(id domain.ID) domain.Actor {
	return domain.Actor{UserID: id, Role: domain.RoleTherapist}
}

// registerClient registers a client held by therapist t with the given details.
func (e *env) registerClient(tb testing.TB, t domain.ID, d client.Details) domain.ID {
	tb.Helper()
	c := newID()
	e.emit(tb, "client-"+c.String(), c, therapist(t), client.ClientRegistered{
		ClientID: c, PracticeID: e.practice, TherapistID: t, RecordKind: practice.RecordKind("adult"), Details: d, At: at})
	return c
}

// draftNote drafts a note of kind by therapist t about client c with one field holding text.
func (e *env) draftNote(tb testing.TB, t, c domain.ID, kind note.Kind, text string) domain.ID {
	tb.Helper()
	n := newID()
	stream := "notes-"
	if kind == note.KindPsychotherapy {
		stream = "psychotherapynotes-"
	}
	e.emit(tb, stream+c.String(), c, therapist(t), note.NoteDrafted{NoteID: n, ClientID: c, AuthorID: t, Kind: kind,
		TemplateID: newID(), Fields: map[string]string{"assessment": text}, At: at})
	return n
}

// book books an appointment of client c with therapist t, starting start, for 50 minutes.
func (e *env) book(tb testing.TB, t, c, service domain.ID, start time.Time, location string) domain.ID {
	tb.Helper()
	a := newID()
	e.emit(tb, "appointment-"+a.String(), c, therapist(t), scheduling.AppointmentBooked{
		AppointmentID: a, TherapistID: t, ClientID: c, ServiceTypeID: service, Start: start,
		End: start.Add(50 * time.Minute), Location: location, BookedBy: domain.RoleTherapist})
	return a
}

// catchUp runs the engine until every active projector has applied every event of the log in
// dsn's database, then stops it. (Status alone cannot say: the log shows an event only once every
// older transaction of the server has finished.)
func catchUp(tb testing.TB, dsn string, engine *projections.Engine) {
	tb.Helper()
	var logged int64
	if err := pgtest.Pool(tb, dsn, "").QueryRow(context.Background(), `SELECT count(*) FROM event_log`).Scan(&logged); err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- engine.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("engine: %v", err)
		}
	}()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		st, err := engine.Status(context.Background(), time.Now())
		if err != nil {
			tb.Fatalf("status: %v", err)
		}
		caught := len(st) > 0
		for _, s := range st {
			if s.Failure != nil {
				tb.Fatalf("projector %s failed at %s: %s", s.Name, s.Failure.EventID, s.Failure.Error)
			}
			if s.Active && (s.Behind > 0 || s.Applied < logged) {
				caught = false
			}
		}
		if caught {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	tb.Fatal("projectors did not catch up within 60s")
}

// snapshot returns every row of every read-model table (only active generations exist when no
// rebuild is running) as JSON, without
// the generation column and with sealed columns reduced to whether they are set (ciphertexts differ
// from one sealing to the next), sorted, by table.
func snapshot(tb testing.TB, dsn string) map[string][]string {
	tb.Helper()
	ctx := context.Background()
	pool := pgtest.Pool(tb, dsn, "")
	tables := readModelTables(tb, pool)
	out := map[string][]string{}
	for _, t := range tables {
		rows, err := pool.Query(ctx, `SELECT to_jsonb(x) FROM `+t+` x`)
		if err != nil {
			tb.Fatalf("snapshot %s: %v", t, err)
		}
		for rows.Next() {
			var m map[string]any
			if err := rows.Scan(&m); err != nil {
				tb.Fatal(err)
			}
			delete(m, "generation")
			for k, v := range m {
				if len(k) > 7 && k[len(k)-7:] == "_sealed" {
					m[k] = v != nil
				}
			}
			b, _ := json.Marshal(m)
			out[t] = append(out[t], string(b))
		}
		rows.Close()
		sort.Strings(out[t])
	}
	return out
}

// readModelTables lists the tables with a generation column: the read models. A partitioned
// table is listed, its partitions are not (their rows are the parent's).
func readModelTables(tb testing.TB, pool *pgxpool.Pool) []string {
	tb.Helper()
	rows, err := pool.Query(context.Background(), `SELECT c.relname FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'generation' AND NOT a.attisdropped
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition
		  AND c.relname <> 'projection_checkpoints'
		ORDER BY c.relname`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			tb.Fatal(err)
		}
		out = append(out, t)
	}
	return out
}
