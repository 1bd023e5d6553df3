package pgstore_test

import (
	"context"
	"crypto/rand"
	"testing"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/eventstoretest"
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
