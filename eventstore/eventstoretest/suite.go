package eventstoretest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
)

// Run runs the conformance suite. newStore must return a fresh, empty store (its own database or
// namespace) each time it is called, and release it when tb ends; subtests run in parallel.
func Run(t *testing.T, newStore func(tb testing.TB) eventstore.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s eventstore.Store)
	}{
		{"ExpectedVersion", testExpectedVersion},
		{"SameExpectedVersionOneWinner", testSameExpectedVersionOneWinner},
		{"ConcurrentWritersNothingLost", testConcurrentWritersNothingLost},
		{"TailSeesEveryCommitOnceInOrder", testTailSeesEveryCommitOnceInOrder},
		{"IdempotentRetry", testIdempotentRetry},
		{"DuplicateEventID", testDuplicateEventID},
		{"ReadStreamFromMiddle", testReadStreamFromMiddle},
		{"EmptyAndMissing", testEmptyAndMissing},
		{"LargePayload", testLargePayload},
		{"BadInputWritesNothing", testBadInputWritesNothing},
		{"EnvelopeRoundTripAndHashChain", testEnvelopeRoundTripAndHashChain},
		{"ReadAllPagesInOrder", testReadAllPagesInOrder},
		{"TailStops", testTailStops},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, newStore(t))
		})
	}
}

// Event returns a valid event of type typ with a fresh UUIDv7 id, a 64-byte JSON payload and
// every envelope field set, at microsecond precision.
func Event(tb testing.TB, typ string) eventstore.EventData {
	tb.Helper()
	id, err := uuid.NewV7()
	if err != nil {
		tb.Fatal(err)
	}
	return eventstore.EventData{
		ID:            id,
		Type:          typ,
		SchemaVersion: 1,
		OccurredAt:    time.Date(2026, 3, 4, 5, 6, 7, 891234000, time.UTC),
		Actor:         eventstore.Actor{UserID: uuid.New(), Role: "therapist"},
		Subject:       uuid.New(),
		KeyID:         4242,
		CorrelationID: uuid.New(),
		CausationID:   uuid.New(),
		Payload:       []byte(fmt.Sprintf(`{"n":%q,"pad":"%032d"}`, id.String()[:8], 0)),
	}
}

// Events returns n events of type typ.
func Events(tb testing.TB, typ string, n int) []eventstore.EventData {
	tb.Helper()
	out := make([]eventstore.EventData, n)
	for i := range out {
		out[i] = Event(tb, typ)
	}
	return out
}

// Stream returns a fresh stream id "<category>-<uuid>".
func Stream(category string) eventstore.StreamID {
	return eventstore.StreamID(category + "-" + uuid.NewString())
}

func ctxFor(tb testing.TB) context.Context {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	tb.Cleanup(cancel)
	return ctx
}

func mustAppend(tb testing.TB, s eventstore.Store, stream eventstore.StreamID, exp eventstore.ExpectedVersion, evs ...eventstore.EventData) eventstore.AppendResult {
	tb.Helper()
	res, err := s.Append(ctxFor(tb), stream, exp, evs...)
	if err != nil {
		tb.Fatalf("append %s (%s): %v", stream, exp, err)
	}
	return res
}

// readAll reads the whole log from Start in pages of page events, until it has read want events
// or ten seconds have passed. ReadAll need not show an event the moment its append returns (the
// PostgreSQL store waits for older transactions to finish), only soon after, and never out of order.
func readAll(tb testing.TB, s eventstore.Store, page, want int) []eventstore.RecordedEvent {
	tb.Helper()
	var out []eventstore.RecordedEvent
	from := eventstore.Start
	deadline := time.Now().Add(10 * time.Second)
	for {
		batch, err := s.ReadAll(ctxFor(tb), from, page)
		if err != nil {
			tb.Fatalf("read all after %s: %v", from, err)
		}
		out = append(out, batch...)
		if len(batch) > 0 {
			from = batch[len(batch)-1].Position
		}
		if len(batch) == page {
			continue
		}
		if len(out) >= want || time.Now().After(deadline) {
			return out
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func testExpectedVersion(t *testing.T, s eventstore.Store) {
	ctx := ctxFor(t)
	missing := Stream("missing")
	one := Stream("one") // at version 0
	three := Stream("three")
	mustAppend(t, s, one, eventstore.NoStream(), Event(t, "Created"))
	mustAppend(t, s, three, eventstore.NoStream(), Events(t, "Created", 3)...)

	tests := []struct {
		name       string
		stream     eventstore.StreamID
		exp        eventstore.ExpectedVersion
		wantOK     bool
		wantExists bool
		wantActual uint64
		wantNext   uint64 // version of the appended event when accepted
	}{
		{"any on missing stream", missing, eventstore.Any(), true, false, 0, 0},
		{"any on existing stream", three, eventstore.Any(), true, true, 2, 3},
		{"no stream on missing stream", Stream("fresh"), eventstore.NoStream(), true, false, 0, 0},
		{"no stream on existing stream", one, eventstore.NoStream(), false, true, 0, 0},
		{"stream exists on missing stream", Stream("absent"), eventstore.StreamExists(), false, false, 0, 0},
		{"stream exists on existing stream", one, eventstore.StreamExists(), true, true, 0, 1},
		{"exact on missing stream", Stream("nothing"), eventstore.Exact(0), false, false, 0, 0},
		{"exact too low", three, eventstore.Exact(0), false, true, 3, 0},
		{"exact too high", three, eventstore.Exact(9), false, true, 3, 0},
		{"exact current", three, eventstore.Exact(3), true, true, 3, 4},
	}
	// The cases run in order: "any on existing stream" moves three to version 3, "stream exists on
	// existing stream" moves one to version 1.
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := s.ReadStream(ctx, tc.stream, 0, 1000)
			res, err := s.Append(ctx, tc.stream, tc.exp, Event(t, "Happened"))
			if tc.wantOK {
				if err != nil {
					t.Fatalf("append: %v", err)
				}
				if res.Version != tc.wantNext {
					t.Fatalf("version %d, want %d", res.Version, tc.wantNext)
				}
				return
			}
			var werr *eventstore.WrongExpectedVersionError
			if !errors.As(err, &werr) || !errors.Is(err, eventstore.ErrWrongExpectedVersion) {
				t.Fatalf("err = %v, want a *WrongExpectedVersionError", err)
			}
			if werr.Exists != tc.wantExists || (tc.wantExists && werr.Actual != tc.wantActual) {
				t.Fatalf("error says exists=%v actual=%d, want exists=%v actual=%d", werr.Exists, werr.Actual, tc.wantExists, tc.wantActual)
			}
			if werr.Stream != tc.stream {
				t.Fatalf("error names stream %s, want %s", werr.Stream, tc.stream)
			}
			after, _ := s.ReadStream(ctx, tc.stream, 0, 1000)
			if len(after) != len(before) {
				t.Fatalf("a refused append wrote %d events", len(after)-len(before))
			}
		})
	}
}

func testSameExpectedVersionOneWinner(t *testing.T, s eventstore.Store) {
	const writers, rounds = 16, 5
	ctx := ctxFor(t)
	stream := Stream("contended")
	for round := 0; round < rounds; round++ {
		exp := eventstore.NoStream()
		if round > 0 {
			exp = eventstore.Exact(uint64(round - 1))
		}
		var (
			wg      sync.WaitGroup
			start   = make(chan struct{})
			mu      sync.Mutex
			winners []uuid.UUID
			losses  int
		)
		for w := 0; w < writers; w++ {
			wg.Add(1)
			e := Event(t, "Contended")
			go func() {
				defer wg.Done()
				<-start
				_, err := s.Append(ctx, stream, exp, e)
				mu.Lock()
				defer mu.Unlock()
				var werr *eventstore.WrongExpectedVersionError
				switch {
				case err == nil:
					winners = append(winners, e.ID)
				case errors.As(err, &werr) && werr.Exists && werr.Actual == uint64(round):
					losses++
				default:
					t.Errorf("round %d: unexpected error %v", round, err)
				}
			}()
		}
		close(start)
		wg.Wait()
		if len(winners) != 1 || losses != writers-1 {
			t.Fatalf("round %d: %d winners and %d refusals, want 1 and %d", round, len(winners), losses, writers-1)
		}
		got, err := s.ReadStream(ctx, stream, uint64(round), 10)
		if err != nil || len(got) != 1 || got[0].ID != winners[0] {
			t.Fatalf("round %d: stream holds %v (err %v), want only the winner %s", round, ids(got), err, winners[0])
		}
	}
}

func testConcurrentWritersNothingLost(t *testing.T, s eventstore.Store) {
	const writers, each = 16, 6
	ctx := ctxFor(t)
	stream := Stream("busy")
	var wg sync.WaitGroup
	written := make(chan uuid.UUID, writers*each)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				e := Event(t, "Busy")
				for {
					// Read the head, then append at exactly that version; retry when beaten.
					exp := eventstore.NoStream()
					if recs, err := s.ReadStream(ctx, stream, 0, 1<<20); err == nil && len(recs) > 0 {
						exp = eventstore.Exact(recs[len(recs)-1].Version)
					}
					_, err := s.Append(ctx, stream, exp, e)
					if err == nil {
						written <- e.ID
						break
					}
					if !errors.Is(err, eventstore.ErrWrongExpectedVersion) {
						t.Errorf("append: %v", err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(written)
	want := map[uuid.UUID]bool{}
	for id := range written {
		want[id] = true
	}
	got, err := s.ReadStream(ctx, stream, 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != writers*each || len(want) != writers*each {
		t.Fatalf("stream has %d events, writers confirmed %d, want %d", len(got), len(want), writers*each)
	}
	for i, r := range got {
		if r.Version != uint64(i) || !want[r.ID] {
			t.Fatalf("event %d: version %d id %s (confirmed: %v)", i, r.Version, r.ID, want[r.ID])
		}
	}
}

func testTailSeesEveryCommitOnceInOrder(t *testing.T, s eventstore.Store) {
	const writers, streamsEach = 8, 3
	batches := []int{1, 2, 3, 1, 2, 3} // events per append, on every stream
	total := 0
	for _, n := range batches {
		total += writers * streamsEach * n
	}
	ctx, cancel := context.WithCancel(ctxFor(t))
	defer cancel()

	var (
		mu   sync.Mutex
		seen []eventstore.RecordedEvent
		all  = make(chan struct{})
	)
	tailDone := make(chan error, 1)
	go func() {
		tailDone <- s.Tail(ctx, eventstore.Start, func(batch []eventstore.RecordedEvent) error {
			if len(batch) == 0 {
				return errors.New("handler called with an empty batch")
			}
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, batch...)
			if len(seen) == total {
				close(all)
			}
			return nil
		})
	}()

	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			streams := make([]eventstore.StreamID, streamsEach)
			for i := range streams {
				streams[i] = Stream("tailed")
			}
			for _, n := range batches {
				for _, st := range streams {
					if _, err := s.Append(ctx, st, eventstore.Any(), Events(t, "Tailed", n)...); err != nil {
						t.Errorf("append: %v", err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	select {
	case <-all:
	case err := <-tailDone:
		t.Fatalf("tail returned early: %v", err)
	case <-time.After(60 * time.Second):
		mu.Lock()
		n := len(seen)
		mu.Unlock()
		t.Fatalf("tail saw %d of %d events within a minute", n, total)
	}
	// Give a stray duplicate a moment to show up before comparing.
	time.Sleep(100 * time.Millisecond)
	cancel()
	if err := <-tailDone; !errors.Is(err, context.Canceled) {
		t.Fatalf("tail returned %v after cancel, want context.Canceled", err)
	}
	mu.Lock()
	defer mu.Unlock()
	log := readAll(t, s, 97, total)
	if len(seen) != total || len(log) != total {
		t.Fatalf("tail saw %d events and the log holds %d, want %d each", len(seen), len(log), total)
	}
	ids := map[uuid.UUID]bool{}
	last := map[eventstore.StreamID]uint64{}
	for i, r := range seen {
		if ids[r.ID] {
			t.Fatalf("tail delivered event %s twice", r.ID)
		}
		ids[r.ID] = true
		if i > 0 && !seen[i-1].Position.Less(r.Position) {
			t.Fatalf("tail event %d at %s does not follow %s", i, r.Position, seen[i-1].Position)
		}
		if v, ok := last[r.StreamID]; ok && r.Version != v+1 {
			t.Fatalf("tail saw %s version %d after version %d", r.StreamID, r.Version, v)
		}
		last[r.StreamID] = r.Version
		// The tail's order is the log's order: had the tail passed an event that committed
		// later, the event would sit earlier in the log than where the tail delivered it.
		if log[i].ID != r.ID || log[i].Position != r.Position {
			t.Fatalf("tail event %d is %s@%s, the log has %s@%s there", i, r.ID, r.Position, log[i].ID, log[i].Position)
		}
	}
}

func testIdempotentRetry(t *testing.T, s eventstore.Store) {
	ctx := ctxFor(t)
	tests := []struct {
		name  string
		first eventstore.ExpectedVersion
		retry eventstore.ExpectedVersion
	}{
		{"no stream", eventstore.NoStream(), eventstore.NoStream()},
		{"any", eventstore.Any(), eventstore.Any()},
		{"stream exists then exact", eventstore.StreamExists(), eventstore.Exact(0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stream := Stream("retried")
			if tc.first.IsStreamExists() {
				mustAppend(t, s, stream, eventstore.NoStream(), Event(t, "Opened"))
			}
			batch := Events(t, "Retried", 3)
			first := mustAppend(t, s, stream, tc.first, batch...)
			again, err := s.Append(ctx, stream, tc.retry, batch...)
			if err != nil {
				t.Fatalf("retry: %v", err)
			}
			if again != first {
				t.Fatalf("retry returned %+v, first append %+v", again, first)
			}
			got, err := s.ReadStream(ctx, stream, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			if want := int(first.Version) + 1; len(got) != want {
				t.Fatalf("stream has %d events after the retry, want %d", len(got), want)
			}
			// A batch that overlaps only in part is not a retry.
			_, err = s.Append(ctx, stream, eventstore.Any(), batch[2], Event(t, "New"))
			if !errors.Is(err, eventstore.ErrDuplicateEvent) {
				t.Fatalf("partly repeated batch: err = %v, want ErrDuplicateEvent", err)
			}
		})
	}
}

func testDuplicateEventID(t *testing.T, s eventstore.Store) {
	ctx := ctxFor(t)
	e := Event(t, "Once")
	a, b := Stream("first"), Stream("second")
	mustAppend(t, s, a, eventstore.NoStream(), e)
	_, err := s.Append(ctx, b, eventstore.Any(), e)
	if !errors.Is(err, eventstore.ErrDuplicateEvent) {
		t.Fatalf("same id in another stream: err = %v, want ErrDuplicateEvent", err)
	}
	if _, err := s.ReadStream(ctx, b, 0, 10); !errors.Is(err, eventstore.ErrStreamNotFound) {
		t.Fatalf("the refused append left stream %s behind: %v", b, err)
	}
}

func testReadStreamFromMiddle(t *testing.T, s eventstore.Store) {
	ctx := ctxFor(t)
	stream := Stream("long")
	evs := Events(t, "Step", 10)
	mustAppend(t, s, stream, eventstore.NoStream(), evs[:4]...)
	mustAppend(t, s, stream, eventstore.Exact(3), evs[4:]...)
	tests := []struct {
		name        string
		from        uint64
		limit       int
		first, want int
	}{
		{"from start", 0, 100, 0, 10},
		{"from middle", 4, 100, 4, 6},
		{"from middle limited", 3, 2, 3, 2},
		{"last", 9, 100, 9, 1},
		{"past the end", 10, 100, 0, 0},
		{"far past the end", 1 << 40, 100, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ReadStream(ctx, stream, tc.from, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil || len(got) != tc.want {
				t.Fatalf("got %d events (nil: %v), want %d", len(got), got == nil, tc.want)
			}
			for i, r := range got {
				if r.Version != uint64(tc.first+i) || r.ID != evs[tc.first+i].ID || r.StreamID != stream {
					t.Fatalf("event %d: %s@%d, want %s@%d", i, r.ID, r.Version, evs[tc.first+i].ID, tc.first+i)
				}
			}
		})
	}
}

func testEmptyAndMissing(t *testing.T, s eventstore.Store) {
	ctx := ctxFor(t)
	all, err := s.ReadAll(ctx, eventstore.Start, 10)
	if err != nil || len(all) != 0 {
		t.Fatalf("empty log: ReadAll = %d events, %v", len(all), err)
	}
	if _, err := s.ReadStream(ctx, Stream("never"), 0, 10); !errors.Is(err, eventstore.ErrStreamNotFound) {
		t.Fatalf("missing stream: err = %v, want ErrStreamNotFound", err)
	}
	if _, err := s.ReadStream(ctx, Stream("never"), 5, 10); !errors.Is(err, eventstore.ErrStreamNotFound) {
		t.Fatalf("missing stream from 5: err = %v, want ErrStreamNotFound", err)
	}
	res := mustAppend(t, s, Stream("some"), eventstore.NoStream(), Event(t, "One"))
	after, err := s.ReadAll(ctx, res.Position, 10)
	if err != nil || after == nil || len(after) != 0 {
		t.Fatalf("ReadAll after the last event = %v (nil: %v), %v; want an empty slice", ids(after), after == nil, err)
	}
}

func testLargePayload(t *testing.T, s eventstore.Store) {
	ctx := ctxFor(t)
	stream := Stream("big")
	e := Event(t, "Big")
	e.Payload = bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	e.Payload[12345] = 0                                        // ciphertext is arbitrary bytes
	mustAppend(t, s, stream, eventstore.NoStream(), e)
	got, err := s.ReadStream(ctx, stream, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !bytes.Equal(got[0].Payload, e.Payload) {
		t.Fatalf("1 MiB payload did not round-trip")
	}
}

func testBadInputWritesNothing(t *testing.T, s eventstore.Store) {
	ctx := ctxFor(t)
	valid := Stream("valid")
	with := func(f func(*eventstore.EventData)) []eventstore.EventData {
		e := Event(t, "Bad")
		f(&e)
		return []eventstore.EventData{e}
	}
	dup := Event(t, "Twice")
	tests := []struct {
		name   string
		stream eventstore.StreamID
		events []eventstore.EventData
		code   string
	}{
		{"empty stream id", "", Events(t, "X", 1), "invalid_stream_id"},
		{"upper case stream id", "Client-1", Events(t, "X", 1), "invalid_stream_id"},
		{"space in stream id", "client 1", Events(t, "X", 1), "invalid_stream_id"},
		{"email in stream id", "client-a@b.example", Events(t, "X", 1), "invalid_stream_id"},
		{"stream id too long", eventstore.StreamID(bytes.Repeat([]byte("a"), 201)), Events(t, "X", 1), "invalid_stream_id"},
		{"zero events", valid, nil, "no_events"},
		{"missing type", valid, with(func(e *eventstore.EventData) { e.Type = "" }), "missing_type"},
		{"type with space", valid, with(func(e *eventstore.EventData) { e.Type = "Note Signed" }), "invalid_type"},
		{"nil event id", valid, with(func(e *eventstore.EventData) { e.ID = uuid.Nil }), "missing_event_id"},
		{"payload over the limit", valid, with(func(e *eventstore.EventData) { e.Payload = make([]byte, eventstore.MaxPayloadBytes+1) }), "payload_too_large"},
		{"negative schema version", valid, with(func(e *eventstore.EventData) { e.SchemaVersion = -1 }), "invalid_schema_version"},
		{"role with a name in it", valid, with(func(e *eventstore.EventData) { e.Actor.Role = "Dr Jane Smith" }), "invalid_actor_role"},
		{"occurred in year 10000", valid, with(func(e *eventstore.EventData) { e.OccurredAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }), "invalid_occurred_at"},
		{"same id twice in a batch", valid, []eventstore.EventData{dup, dup}, "duplicate_event_id"},
		{"bad second event", valid, append(Events(t, "Fine", 1), with(func(e *eventstore.EventData) { e.Type = "" })...), "missing_type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Append(ctx, tc.stream, eventstore.Any(), tc.events...)
			var ierr *eventstore.InvalidInputError
			if !errors.Is(err, eventstore.ErrInvalidInput) || !errors.As(err, &ierr) {
				t.Fatalf("err = %v, want an *InvalidInputError", err)
			}
			if ierr.Code != tc.code {
				t.Fatalf("code %q, want %q", ierr.Code, tc.code)
			}
		})
	}
	if all, err := s.ReadAll(ctx, eventstore.Start, 10); err != nil || len(all) != 0 {
		t.Fatalf("bad input wrote %d events (%v)", len(all), err)
	}
	if _, err := s.ReadStream(ctx, "", 0, 10); !errors.Is(err, eventstore.ErrInvalidInput) {
		t.Fatalf("ReadStream of an empty stream id: err = %v, want ErrInvalidInput", err)
	}
}

func testEnvelopeRoundTripAndHashChain(t *testing.T, s eventstore.Store) {
	ctx := ctxFor(t)
	stream := Stream("client")
	evs := Events(t, "NoteAuthored", 3)
	evs[1].Subject, evs[1].KeyID = uuid.Nil, 0 // a plaintext event
	evs[1].Payload = nil
	evs[2].OccurredAt = time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.FixedZone("CET", 3600))
	before := time.Now().Add(-time.Minute)
	res := mustAppend(t, s, stream, eventstore.NoStream(), evs[0])
	res2 := mustAppend(t, s, stream, eventstore.Exact(0), evs[1:]...)
	if res.Version != 0 || res2.Version != 2 || !res.Position.Less(res2.Position) {
		t.Fatalf("results %+v then %+v", res, res2)
	}
	got, err := s.ReadStream(ctx, stream, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	prev := eventstore.GenesisHash
	for i, r := range got {
		want := evs[i]
		want.OccurredAt = want.OccurredAt.UTC().Truncate(time.Microsecond)
		if r.ID != want.ID || r.Type != want.Type || r.SchemaVersion != want.SchemaVersion ||
			!r.OccurredAt.Equal(want.OccurredAt) || r.OccurredAt.Location() != time.UTC ||
			r.Actor != want.Actor || r.Subject != want.Subject || r.KeyID != want.KeyID ||
			r.CorrelationID != want.CorrelationID || r.CausationID != want.CausationID ||
			!bytes.Equal(r.Payload, want.Payload) || r.Version != uint64(i) || r.StreamID != stream {
			t.Fatalf("event %d read back as %+v, wrote %+v", i, r, want)
		}
		if r.RecordedAt.Before(before) || r.RecordedAt.Location() != time.UTC || r.RecordedAt.Nanosecond()%1000 != 0 {
			t.Fatalf("event %d: recorded at %s", i, r.RecordedAt)
		}
		if r.PrevHash != prev {
			t.Fatalf("event %d: previous hash %x, want %x", i, r.PrevHash, prev)
		}
		if h := eventstore.ChainHash(prev, eventstore.Canonical(stream, r.Version, r.RecordedAt, r.EventData)); h != r.Hash {
			t.Fatalf("event %d: stored hash %x, recomputed %x", i, r.Hash, h)
		}
		prev = r.Hash
	}
	all := readAll(t, s, 10, 3)
	if len(all) != 3 || all[2].Position != res2.Position || all[0].Position != res.Position {
		t.Fatalf("ReadAll positions do not match the append results")
	}
	for i := range all {
		if all[i].Hash != got[i].Hash {
			t.Fatalf("ReadAll and ReadStream disagree on event %d", i)
		}
	}
}

func testReadAllPagesInOrder(t *testing.T, s eventstore.Store) {
	ctx := ctxFor(t)
	var want []uuid.UUID
	streams := []eventstore.StreamID{Stream("a"), Stream("b"), Stream("c")}
	for i := 0; i < 7; i++ {
		for _, st := range streams {
			evs := Events(t, "Paged", 1+i%2)
			mustAppend(t, s, st, eventstore.Any(), evs...)
			for _, e := range evs {
				want = append(want, e.ID)
			}
		}
	}
	for _, page := range []int{1, 4, 1000} {
		got := readAll(t, s, page, len(want))
		if fmt.Sprint(ids(got)) != fmt.Sprint(want) {
			t.Fatalf("page size %d: ReadAll order %v, appended %v", page, ids(got), want)
		}
	}
	if got, err := s.ReadAll(ctx, eventstore.Start, 0); err != nil || len(got) != 0 {
		t.Fatalf("limit 0: %d events, %v", len(got), err)
	}
}

func testTailStops(t *testing.T, s eventstore.Store) {
	ctx := ctxFor(t)
	mustAppend(t, s, Stream("x"), eventstore.NoStream(), Events(t, "X", 2)...)
	boom := errors.New("handler failed")
	if err := s.Tail(ctx, eventstore.Start, func([]eventstore.RecordedEvent) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("tail returned %v, want the handler's error", err)
	}
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	n := 0
	err := s.Tail(short, eventstore.Start, func(b []eventstore.RecordedEvent) error { n += len(b); return nil })
	if !errors.Is(err, context.DeadlineExceeded) || n != 2 {
		t.Fatalf("tail returned %v after %d events, want DeadlineExceeded after 2", err, n)
	}
}

func ids(rs []eventstore.RecordedEvent) []uuid.UUID {
	out := make([]uuid.UUID, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}
