package pgstore_test

import (
	"context"
	"crypto/rand"
	"testing"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/eventstoretest"
	"github.com/caseledger/caseledger/eventstore/pgstore"
	"github.com/caseledger/caseledger/migrations"
	"github.com/caseledger/caseledger/migrations/pgtest"
)

// BenchmarkAppend measures one-event appends with an exact expected version on a fresh database;
// `go run ./bench -run eventlog` compares the store with raw pgx.
func BenchmarkAppend(b *testing.B) {
	s, _ := newStore(b)
	ctx := context.Background()
	stream := eventstoretest.Stream("bench")
	evs := eventstoretest.Events(b, "NoteAuthored", b.N)
	for i := range evs {
		evs[i].Payload = make([]byte, 512)
		_, _ = rand.Read(evs[i].Payload)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		exp := eventstore.NoStream()
		if i > 0 {
			exp = eventstore.Exact(uint64(i - 1))
		}
		if _, err := s.Append(ctx, stream, exp, evs[i]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadStream reads a 10-event stream; BenchmarkReadStreamRaw selects the same rows with
// pgx on the same pool, for comparison.
func BenchmarkReadStream(b *testing.B) {
	s, stream, _ := benchStream(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		evs, err := s.ReadStream(ctx, stream, 0, 100)
		if err != nil || len(evs) != 10 {
			b.Fatal(len(evs), err)
		}
	}
}

func BenchmarkReadStreamRaw(b *testing.B) {
	_, stream, dsn := benchStream(b)
	pool := pgtest.Pool(b, dsn, migrations.RoleApp)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rows, err := pool.Query(ctx, `SELECT tx_order, position, stream_id, version, event_id, event_type, schema_version,
	occurred_at, recorded_at, actor_id, actor_role, subject_id, key_id, correlation_id, causation_id,
	payload, prev_hash, hash FROM event_log WHERE stream_id = $1 AND version >= $2 ORDER BY version LIMIT $3`, string(stream), 0, 100)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for rows.Next() {
			n++
		}
		if rows.Close(); rows.Err() != nil || n != 10 {
			b.Fatal(n, rows.Err())
		}
	}
}

func benchStream(b *testing.B) (*pgstore.Store, eventstore.StreamID, string) {
	b.Helper()
	s, dsn := newStore(b)
	stream := eventstoretest.Stream("bench")
	evs := eventstoretest.Events(b, "NoteAuthored", 10)
	if _, err := s.Append(context.Background(), stream, eventstore.NoStream(), evs...); err != nil {
		b.Fatal(err)
	}
	return s, stream, dsn
}
