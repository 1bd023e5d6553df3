package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/pgstore"
	"github.com/caseledger/caseledger/migrations"
)

// The event log suite measures the PostgreSQL store against raw pgx on a table of the same row
// shape (same columns, same unique constraints), in the same database and run, interleaved, the
// median of seven rounds each:
//   - single-event appends that check the expected version, 1 and 8 writers (own stream each),
//     against INSERT ... SELECT ... WHERE head = expected, one transaction per event;
//   - 100-event batches against one multi-row INSERT (unnest of arrays) per batch;
//   - ReadAll over the whole log (200,000 events; -quick: 20,000) against one ordered SELECT;
//   - ReadStream of a 20-event stream with a command's limit (1,000), one reader, against a SELECT
//     of the same rows by (stream_id, version) decoded into a slice.
func init() { register("eventlog", benchEventLog) }

const (
	benchPayloadBytes = 512
	benchRounds       = 7
)

// rawTable is the baseline's table: event_log's columns and unique constraints, no triggers, no
// hash chain, positions from an identity.
const rawTable = `CREATE TABLE bench_raw_log (
	position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	stream_id text NOT NULL, version bigint NOT NULL, event_id uuid NOT NULL UNIQUE,
	event_type text NOT NULL, schema_version integer NOT NULL, occurred_at timestamptz NOT NULL,
	recorded_at timestamptz NOT NULL, actor_id uuid NOT NULL, actor_role text NOT NULL,
	subject_id uuid NOT NULL, key_id bigint NOT NULL, correlation_id uuid NOT NULL,
	causation_id uuid NOT NULL, payload bytea NOT NULL, prev_hash bytea NOT NULL, hash bytea NOT NULL,
	UNIQUE (stream_id, version));
GRANT SELECT, INSERT ON bench_raw_log TO caseledger_app`

const rawInsertOne = `INSERT INTO bench_raw_log (stream_id, version, event_id, event_type, schema_version,
	occurred_at, recorded_at, actor_id, actor_role, subject_id, key_id, correlation_id, causation_id,
	payload, prev_hash, hash)
	SELECT $1, $2::bigint, $3, $4, $5, $6, now(), $7, $8, $9, $10, $11, $12, $13, $14, $14
	WHERE coalesce((SELECT max(version) FROM bench_raw_log WHERE stream_id = $1), -1) = $2::bigint - 1`

const rawInsertBatch = `INSERT INTO bench_raw_log (stream_id, version, event_id, event_type, schema_version,
	occurred_at, recorded_at, actor_id, actor_role, subject_id, key_id, correlation_id, causation_id,
	payload, prev_hash, hash)
	SELECT $1, $2::bigint + u.n - 1, u.id, u.typ, 1, u.occ, now(), u.actor, 'therapist', u.subj, 7, u.corr, u.caus,
	       u.payload, $3, $3
	FROM unnest($4::uuid[], $5::text[], $6::timestamptz[], $7::uuid[], $8::uuid[], $9::uuid[], $10::uuid[], $11::bytea[])
	     WITH ORDINALITY AS u(id, typ, occ, actor, subj, corr, caus, payload, n)
	WHERE coalesce((SELECT max(version) FROM bench_raw_log WHERE stream_id = $1), -1) = $2::bigint - 1`

const rawSelect = `SELECT position, stream_id, version, event_id, event_type, schema_version, occurred_at,
	recorded_at, actor_id, actor_role, subject_id, key_id, correlation_id, causation_id, payload,
	prev_hash, hash FROM bench_raw_log ORDER BY position`

const rawSelectStream = `SELECT position, stream_id, version, event_id, event_type, schema_version, occurred_at,
	recorded_at, actor_id, actor_role, subject_id, key_id, correlation_id, causation_id, payload,
	prev_hash, hash FROM bench_raw_log WHERE stream_id = $1 AND version >= $2 ORDER BY version LIMIT $3`

func benchEventLog(ctx context.Context, env *Env) ([]Result, error) {
	dsn, err := env.NewDatabase(ctx)
	if err != nil {
		return nil, err
	}
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, rawTable); err != nil {
		return nil, fmt.Errorf("create baseline table: %w", err)
	}
	pool, err := migrations.ConnectAs(ctx, dsn, migrations.RoleApp, 16)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	raw, err := rawPool(ctx, dsn, migrations.RoleApp, 16)
	if err != nil {
		return nil, err
	}
	defer raw.Close()
	store, err := pgstore.New(ctx, pool, pgstore.Config{})
	if err != nil {
		return nil, err
	}

	single, batches, readN, reads := 3000, 300, 200000, 3000
	if env.Quick {
		single, batches, readN, reads = 300, 20, 20000, 300
	}
	var out []Result
	for _, writers := range []int{1, 8} {
		storeRate, rawRate, err := compare(
			func() (float64, error) { return storeAppends(ctx, store, writers, single, 1) },
			func() (float64, error) { return rawAppends(ctx, raw, writers, single, 1) })
		if err != nil {
			return nil, err
		}
		target := 0.85
		if writers > 1 {
			target = 0.8
		}
		out = append(out, More(fmt.Sprintf("eventlog append, 1 event, %d writer(s)", writers), storeRate, "events/s",
			"raw INSERT ... WHERE head = expected", rawRate, target))
	}
	storeRate, rawRate, err := compare(
		func() (float64, error) { return storeAppends(ctx, store, 1, batches*100, 100) },
		func() (float64, error) { return rawAppends(ctx, raw, 1, batches*100, 100) })
	if err != nil {
		return nil, err
	}
	out = append(out, More("eventlog append, 100-event batches", storeRate, "events/s", "raw multi-row INSERT", rawRate, 0.7))

	if err := fill(ctx, store, pool, readN); err != nil {
		return nil, err
	}
	if err := waitVisible(ctx, store, readN); err != nil {
		return nil, err
	}
	storeRate, rawRate, err = compare(
		func() (float64, error) { return storeReadAll(ctx, store, readN) },
		func() (float64, error) { return rawReadAll(ctx, raw, readN) })
	if err != nil {
		return nil, err
	}
	out = append(out, More(fmt.Sprintf("eventlog ReadAll, %d events", readN), storeRate, "events/s", "raw SELECT ... ORDER BY position", rawRate, 0.6))

	stream, err := fillStream(ctx, store, pool)
	if err != nil {
		return nil, err
	}
	storeRate, rawRate, err = compare(
		func() (float64, error) { return storeReadStream(ctx, store, stream, reads) },
		func() (float64, error) { return rawReadStream(ctx, raw, "copy-"+string(stream), reads) })
	if err != nil {
		return nil, err
	}
	out = append(out, More(fmt.Sprintf("eventlog ReadStream, %d-event stream", benchStreamEvents), storeRate, "reads/s",
		"raw SELECT ... WHERE stream_id ORDER BY version", rawRate, 0.8))
	return out, nil
}

// benchStreamEvents is the length of the stream the ReadStream figure reads: a client's record
// after some months of sessions.
const benchStreamEvents = 20

// fillStream appends a benchStreamEvents-event stream and copies it into the baseline table as
// "copy-<stream>".
func fillStream(ctx context.Context, s *pgstore.Store, pool *pgxpool.Pool) (eventstore.StreamID, error) {
	stream := eventstore.StreamID("bench-" + uuid.NewString())
	if _, err := s.Append(ctx, stream, eventstore.NoStream(), benchEvents(benchStreamEvents)...); err != nil {
		return "", err
	}
	if _, err := pool.Exec(ctx, `INSERT INTO bench_raw_log (stream_id, version, event_id, event_type,
		schema_version, occurred_at, recorded_at, actor_id, actor_role, subject_id, key_id, correlation_id,
		causation_id, payload, prev_hash, hash)
		SELECT 'copy-' || stream_id, version, gen_random_uuid(), event_type, schema_version, occurred_at,
		       recorded_at, actor_id, actor_role, subject_id, key_id, correlation_id, causation_id, payload,
		       prev_hash, hash
		FROM event_log WHERE stream_id = $1`, string(stream)); err != nil {
		return "", fmt.Errorf("copy stream to baseline: %w", err)
	}
	return stream, nil
}

// streamReadLimit is the limit commands load streams with.
const streamReadLimit = 1000

func storeReadStream(ctx context.Context, s *pgstore.Store, stream eventstore.StreamID, n int) (float64, error) {
	start := time.Now()
	for i := 0; i < n; i++ {
		evs, err := s.ReadStream(ctx, stream, 0, streamReadLimit)
		if err != nil {
			return 0, err
		}
		if len(evs) != benchStreamEvents {
			return 0, fmt.Errorf("ReadStream: %d events, want %d", len(evs), benchStreamEvents)
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

func rawReadStream(ctx context.Context, pool *pgxpool.Pool, stream string, n int) (float64, error) {
	start := time.Now()
	for i := 0; i < n; i++ {
		rows, err := pool.Query(ctx, rawSelectStream, stream, 0, streamReadLimit)
		if err != nil {
			return 0, err
		}
		evs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (rawRow, error) {
			var r rawRow
			err := row.Scan(&r.Position, &r.Stream, &r.Version, &r.ID, &r.Type, &r.Schema, &r.Occurred, &r.Recorded,
				&r.Actor, &r.Role, &r.Subject, &r.KeyID, &r.Correlation, &r.Causation, &r.Payload, &r.PrevHash, &r.Hash)
			return r, err
		})
		if err != nil {
			return 0, err
		}
		if len(evs) != benchStreamEvents {
			return 0, fmt.Errorf("raw stream read: %d rows, want %d", len(evs), benchStreamEvents)
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// compare runs store and raw alternately benchRounds times, swapping which goes first every
// round so that neither profits from a warmer cache or a quieter moment, and returns the median of
// each. The machine is shared: medians of interleaved rounds are what make the ratio meaningful.
func compare(store, raw func() (float64, error)) (float64, float64, error) {
	var s, r []float64
	for i := 0; i < benchRounds; i++ {
		first, second := store, raw
		if i%2 == 1 {
			first, second = raw, store
		}
		a, err := first()
		if err != nil {
			return 0, 0, err
		}
		b, err := second()
		if err != nil {
			return 0, 0, err
		}
		if i%2 == 1 {
			a, b = b, a
		}
		s, r = append(s, a), append(r, b)
	}
	return median(s), median(r), nil
}

func median(xs []float64) float64 {
	sort.Float64s(xs)
	return xs[len(xs)/2]
}

func benchEvents(n int) []eventstore.EventData {
	out := make([]eventstore.EventData, n)
	now := time.Now()
	for i := range out {
		p := make([]byte, benchPayloadBytes)
		_, _ = rand.Read(p)
		out[i] = eventstore.EventData{
			ID: uuid.Must(uuid.NewV7()), Type: "NoteAuthored", SchemaVersion: 1, OccurredAt: now,
			Actor: eventstore.Actor{UserID: uuid.New(), Role: "therapist"}, Subject: uuid.New(), KeyID: 7,
			CorrelationID: uuid.New(), CausationID: uuid.New(), Payload: p,
		}
	}
	return out
}

// parallel runs writers goroutines, each calling do for its share of n events in steps of per,
// and returns events per second.
func parallel(writers, n, per int, do func(w int, events []eventstore.EventData, version uint64) error) (float64, error) {
	work := make([][]eventstore.EventData, writers)
	for w := range work {
		work[w] = benchEvents(n / writers)
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	start := time.Now()
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			evs := work[w]
			for i := 0; i+per <= len(evs); i += per {
				if err := do(w, evs[i:i+per], uint64(i)); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return float64(writers*(n/writers/per)*per) / time.Since(start).Seconds(), firstErr
}

func storeAppends(ctx context.Context, s *pgstore.Store, writers, n, per int) (float64, error) {
	streams := make([]eventstore.StreamID, writers)
	for i := range streams {
		streams[i] = eventstore.StreamID("bench-" + uuid.NewString())
	}
	return parallel(writers, n, per, func(w int, evs []eventstore.EventData, version uint64) error {
		exp := eventstore.NoStream()
		if version > 0 {
			exp = eventstore.Exact(version - 1)
		}
		_, err := s.Append(ctx, streams[w], exp, evs...)
		return err
	})
}

func rawAppends(ctx context.Context, pool *pgxpool.Pool, writers, n, per int) (float64, error) {
	streams := make([]string, writers)
	for i := range streams {
		streams[i] = "raw-" + uuid.NewString()
	}
	hash := make([]byte, 32)
	return parallel(writers, n, per, func(w int, evs []eventstore.EventData, version uint64) error {
		var (
			tag pgconn.CommandTag
			err error
		)
		if per == 1 {
			e := evs[0]
			tag, err = pool.Exec(ctx, rawInsertOne, streams[w], int64(version), e.ID, e.Type, int32(e.SchemaVersion),
				e.OccurredAt, e.Actor.UserID, e.Actor.Role, e.Subject, int64(e.KeyID), e.CorrelationID, e.CausationID, e.Payload, hash)
		} else {
			ids, types, occ := make([]uuid.UUID, len(evs)), make([]string, len(evs)), make([]time.Time, len(evs))
			actors, subjects, corrs, causes := make([]uuid.UUID, len(evs)), make([]uuid.UUID, len(evs)), make([]uuid.UUID, len(evs)), make([]uuid.UUID, len(evs))
			payloads := make([][]byte, len(evs))
			for i, e := range evs {
				ids[i], types[i], occ[i] = e.ID, e.Type, e.OccurredAt
				actors[i], subjects[i], corrs[i], causes[i], payloads[i] = e.Actor.UserID, e.Subject, e.CorrelationID, e.CausationID, e.Payload
			}
			tag, err = pool.Exec(ctx, rawInsertBatch, streams[w], int64(version), hash, ids, types, occ, actors, subjects, corrs, causes, payloads)
		}
		if err != nil {
			return err
		}
		if tag.RowsAffected() != int64(len(evs)) {
			return fmt.Errorf("raw append: expected version check failed")
		}
		return nil
	})
}

// fill brings both logs to at least n events, in 100-event batches over 8 writers.
func fill(ctx context.Context, s *pgstore.Store, pool *pgxpool.Pool, n int) error {
	var have int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM event_log`).Scan(&have); err != nil {
		return err
	}
	if missing := n - have; missing > 0 {
		if _, err := storeAppends(ctx, s, 8, (missing/800+1)*800, 100); err != nil {
			return err
		}
	}
	// The baseline table gets a copy of the same rows, in the same order.
	if _, err := pool.Exec(ctx, `INSERT INTO bench_raw_log (stream_id, version, event_id, event_type,
		schema_version, occurred_at, recorded_at, actor_id, actor_role, subject_id, key_id, correlation_id,
		causation_id, payload, prev_hash, hash)
		SELECT 'copy-' || stream_id, version, gen_random_uuid(), event_type, schema_version, occurred_at,
		       recorded_at, actor_id, actor_role, subject_id, key_id, correlation_id, causation_id, payload,
		       prev_hash, hash
		FROM event_log ORDER BY tx_order, position LIMIT $1`, n); err != nil {
		return fmt.Errorf("fill baseline: %w", err)
	}
	if _, err := pool.Exec(ctx, `ANALYZE event_log`); err != nil {
		_ = err // the app role may not own the table; autovacuum will analyze it
	}
	return nil
}

func storeReadAll(ctx context.Context, s *pgstore.Store, n int) (float64, error) {
	start := time.Now()
	from, count := eventstore.Start, 0
	for count < n {
		batch, err := s.ReadAll(ctx, from, 5000)
		if err != nil {
			return 0, err
		}
		if len(batch) == 0 {
			return 0, fmt.Errorf("ReadAll stopped after %d of %d events", count, n)
		}
		count += len(batch)
		from = batch[len(batch)-1].Position
	}
	return float64(count) / time.Since(start).Seconds(), nil
}

// waitVisible waits until ReadAll shows n events: a transaction elsewhere on the server can hold
// the visibility horizon back for a while, which is not what the read figure measures.
func waitVisible(ctx context.Context, s *pgstore.Store, n int) error {
	deadline := time.Now().Add(5 * time.Minute)
	from, count := eventstore.Start, 0
	for count < n {
		batch, err := s.ReadAll(ctx, from, 5000)
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			if time.Now().After(deadline) {
				return fmt.Errorf("only %d of %d events became visible", count, n)
			}
			time.Sleep(100 * time.Millisecond)
			continue
		}
		count += len(batch)
		from = batch[len(batch)-1].Position
	}
	return nil
}

// rawRow is what the baseline decodes each row into: the same fields as a RecordedEvent.
type rawRow struct {
	Position, Version, KeyID                   int64
	Stream, Type, Role                         string
	Schema                                     int32
	ID, Actor, Subject, Correlation, Causation uuid.UUID
	Occurred, Recorded                         time.Time
	Payload, PrevHash, Hash                    []byte
}

func rawReadAll(ctx context.Context, pool *pgxpool.Pool, n int) (float64, error) {
	start := time.Now()
	rows, err := pool.Query(ctx, rawSelect)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	batch := make([]rawRow, 0, 5000)
	count := 0
	for rows.Next() && count < n {
		var r rawRow
		if err := rows.Scan(&r.Position, &r.Stream, &r.Version, &r.ID, &r.Type, &r.Schema, &r.Occurred, &r.Recorded,
			&r.Actor, &r.Role, &r.Subject, &r.KeyID, &r.Correlation, &r.Causation, &r.Payload, &r.PrevHash, &r.Hash); err != nil {
			return 0, err
		}
		batch = append(batch, r)
		if len(batch) == cap(batch) {
			batch = batch[:0]
		}
		count++
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	return float64(count) / time.Since(start).Seconds(), nil
}
