package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/note"
	"github.com/caseledger/caseledger/domain/practice"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/checkpoint"
	"github.com/caseledger/caseledger/eventstore/pgstore"
	"github.com/caseledger/caseledger/keyring"
	"github.com/caseledger/caseledger/migrations"
	"github.com/caseledger/caseledger/projections/export"
)

// The sar suite measures, on the PostgreSQL store with the PostgreSQL keyring, for one client
// whose history holds 1,500 and then 10,000 sealed events (a third progress-note events with
// 1 KiB of text, the rest record reads):
//   - the subject access export: export.Collect (read every stream of the client, open every
//     payload, fold) plus the JSON rendering;
//   - the replay as of the middle of the history: export.Collect with an as-of time and the event
//     list;
//
// each beside a raw pgx read of the same rows (SELECT payload of both streams ordered by version,
// no decryption) in the same run. Median of three rounds.
func init() { register("sar", benchSAR) }

// The checkpoint suite measures signing a checkpoint over 10,000 streams (read every head, sort,
// sign, store the heads, append the event) and verifying the log against it
// (checkpoint.VerifyAgainst: read every stream through its checkpointed head), each beside a raw
// pgx read of the same heads (SELECT DISTINCT ON (stream_id) ... ORDER BY stream_id, version
// DESC). Median of three rounds.
func init() { register("checkpoint", benchCheckpoint) }

func benchCheckpoint(ctx context.Context, env *Env) ([]Result, error) {
	dsn, err := env.NewDatabase(ctx)
	if err != nil {
		return nil, err
	}
	pool, err := migrations.ConnectAs(ctx, dsn, migrations.RoleApp, 4)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	store, err := pgstore.New(ctx, pool, pgstore.Config{})
	if err != nil {
		return nil, err
	}
	master, err := keyring.NewRandomMaster()
	if err != nil {
		return nil, err
	}
	streams := 10000
	if env.Quick {
		streams = 1000
	}
	payload := []byte(`{"n":1}`)
	for i := range streams {
		id := uuid.Must(uuid.NewV7())
		e := eventstore.EventData{ID: id, Type: "BenchHappened", SchemaVersion: 1, OccurredAt: time.Now().UTC(), CorrelationID: id,
			Actor: eventstore.Actor{Role: "system"}, Payload: payload}
		if _, err := store.Append(ctx, eventstore.StreamID(fmt.Sprintf("bench-%08d", i)), eventstore.NoStream(), e, checkpointBenchTwin(e)); err != nil {
			return nil, err
		}
	}
	cp, err := checkpoint.New(ctx, checkpoint.Config{Pool: pool, Log: store, Master: master.AEAD(), MasterID: master.ID()})
	if err != nil {
		return nil, err
	}
	raw, err := sarBenchTime(func() error {
		rows, err := pool.Query(ctx, `SELECT DISTINCT ON (stream_id) stream_id, version, hash FROM event_log ORDER BY stream_id, version DESC`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	sign, err := sarBenchTime(func() error { _, err := cp.Sign(ctx); return err })
	if err != nil {
		return nil, err
	}
	file, err := checkpoint.Export(ctx, pool, time.Time{}, time.Now())
	if err != nil {
		return nil, err
	}
	file.Checkpoints = file.Checkpoints[len(file.Checkpoints)-1:]
	verify, err := sarBenchTime(func() error {
		rep, err := checkpoint.VerifyAgainst(ctx, store, file)
		if err == nil && !rep.OK {
			err = fmt.Errorf("verify against: %+v", rep.Mismatches[0])
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	base := fmt.Sprintf("raw pgx read of %d stream heads", streams)
	return []Result{
		Less(fmt.Sprintf("sign a checkpoint of %d streams", streams), sign, "ms", base, raw, 0),
		Less(fmt.Sprintf("verify the log against it (%d streams, %d events)", streams, 2*streams), verify, "ms", base, raw, 0),
	}, nil
}

// checkpointBenchTwin returns a second event like e with a fresh id, so each bench stream has two events.
func checkpointBenchTwin(e eventstore.EventData) eventstore.EventData {
	e.ID = uuid.Must(uuid.NewV7())
	e.CorrelationID = e.ID
	return e
}

const sarBenchRounds = 3

func benchSAR(ctx context.Context, env *Env) ([]Result, error) {
	dsn, err := env.NewDatabase(ctx)
	if err != nil {
		return nil, err
	}
	pool, err := migrations.ConnectAs(ctx, dsn, migrations.RoleApp, 4)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	store, err := pgstore.New(ctx, pool, pgstore.Config{})
	if err != nil {
		return nil, err
	}
	master, err := keyring.NewRandomMaster()
	if err != nil {
		return nil, err
	}
	keys, err := keyring.New(ctx, keyring.Config{Storage: keyring.NewPostgresStorage(pool), Master: master, Events: store})
	if err != nil {
		return nil, err
	}
	defer keys.Close()
	sizes := []int{1500, 10000}
	if env.Quick {
		sizes = []int{150, 1000}
	}
	var out []Result
	for _, n := range sizes {
		clientID, mid, err := sarBenchSeed(ctx, store, keys, n)
		if err != nil {
			return nil, err
		}
		raw, err := sarBenchTime(func() error { return sarBenchRaw(ctx, pool, clientID) })
		if err != nil {
			return nil, err
		}
		exp, err := sarBenchTime(func() error {
			r, err := export.Collect(ctx, store, keys, clientID, export.Options{GeneratedAt: time.Now()})
			if err != nil {
				return err
			}
			_, err = export.JSON(r)
			return err
		})
		if err != nil {
			return nil, err
		}
		rep, err := sarBenchTime(func() error {
			_, err := export.Collect(ctx, store, keys, clientID, export.Options{GeneratedAt: time.Now(), AsOf: mid, WithEvents: true})
			return err
		})
		if err != nil {
			return nil, err
		}
		base := fmt.Sprintf("raw pgx read of the same %d rows", n)
		out = append(out,
			Less(fmt.Sprintf("SAR export (collect+decrypt+JSON), %d events", n), exp, "ms", base, raw, 0),
			Less(fmt.Sprintf("replay as-of (mid-history), %d events", n), rep, "ms", base, raw, 0))
	}
	return out, nil
}

// sarBenchTime returns the median duration of op over sarBenchRounds rounds, in milliseconds.
func sarBenchTime(op func() error) (float64, error) {
	var ms []float64
	for range sarBenchRounds {
		start := time.Now()
		if err := op(); err != nil {
			return 0, err
		}
		ms = append(ms, float64(time.Since(start).Microseconds())/1000)
	}
	return median(ms), nil
}

// sarBenchSeed writes a client of n sealed events straight to the log (sealing each with the
// keyring, in batches of 500) and returns the client's id and the recorded time of the middle of
// the history.
func sarBenchSeed(ctx context.Context, store *pgstore.Store, keys *keyring.Keyring, n int) (domain.ID, time.Time, error) {
	clientID := domain.ID(uuid.Must(uuid.NewV7()))
	therapist := domain.ID(uuid.Must(uuid.NewV7()))
	actor := domain.Actor{UserID: therapist, Role: domain.RoleTherapist}
	text := make([]byte, 1024)
	for i := range text {
		text[i] = 'a' + byte(i%26)
	}
	var clientEvents, noteEvents []domain.Event
	clientEvents = append(clientEvents, client.ClientRegistered{ClientID: clientID, PracticeID: therapist, TherapistID: therapist,
		RecordKind: practice.RecordAdultMentalHealth, Details: client.Details{GivenName: "Bench", FamilyName: "Client", DateOfBirth: "1980-01-01"}, At: time.Now().UTC()})
	for i := 1; i < n; i++ {
		if i%3 == 0 {
			id := domain.ID(uuid.Must(uuid.NewV7()))
			noteEvents = append(noteEvents, note.NoteDrafted{NoteID: id, ClientID: clientID, AuthorID: therapist, Kind: note.KindProgress,
				TemplateID: practice.TemplateSOAP, Fields: map[string]string{"subjective": string(text)}, At: time.Now().UTC()})
			continue
		}
		clientEvents = append(clientEvents, client.RecordAccessed{By: actor, What: client.AccessRecord, Purpose: "treatment", At: time.Now().UTC()})
	}
	var mid time.Time
	written := 0
	write := func(stream eventstore.StreamID, evs []domain.Event) error {
		for start := 0; start < len(evs); start += 500 {
			batch := evs[start:min(start+500, len(evs))]
			data := make([]eventstore.EventData, 0, len(batch))
			for _, ev := range batch {
				payload, err := json.Marshal(ev)
				if err != nil {
					return err
				}
				id := uuid.Must(uuid.NewV7())
				e := eventstore.EventData{ID: id, Type: ev.EventType(), SchemaVersion: 1, OccurredAt: time.Now().UTC(), CorrelationID: id,
					Actor: eventstore.Actor{UserID: uuid.UUID(therapist), Role: string(domain.RoleTherapist)}, Subject: uuid.UUID(clientID), Payload: payload}
				if err := keys.Seal(ctx, stream, &e); err != nil {
					return err
				}
				data = append(data, e)
			}
			if _, err := store.Append(ctx, stream, eventstore.Any(), data...); err != nil {
				return err
			}
			written += len(batch)
			if mid.IsZero() && written >= n/2 {
				mid = time.Now()
			}
		}
		return nil
	}
	if err := write(commands.ClientStream(clientID), clientEvents); err != nil {
		return domain.ID{}, time.Time{}, err
	}
	if err := write(commands.NotesStream(clientID, note.KindProgress), noteEvents); err != nil {
		return domain.ID{}, time.Time{}, err
	}
	return clientID, mid, nil
}

// sarBenchRaw reads the payloads of the client's two streams in version order with plain pgx.
func sarBenchRaw(ctx context.Context, pool *pgxpool.Pool, clientID domain.ID) error {
	rows, err := pool.Query(ctx, `SELECT payload FROM event_log WHERE stream_id = ANY($1) ORDER BY stream_id, version`,
		[]string{string(commands.ClientStream(clientID)), string(commands.NotesStream(clientID, note.KindProgress))})
	if err != nil {
		return err
	}
	defer rows.Close()
	total := 0
	for rows.Next() {
		total += len(rows.RawValues()[0])
	}
	return rows.Err()
}
