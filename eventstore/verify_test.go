package eventstore_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/eventstoretest"
)

// chains returns three streams of four events each, as the memory store recorded them.
func chains(tb testing.TB) [][]eventstore.RecordedEvent {
	tb.Helper()
	ctx := context.Background()
	m := eventstore.NewMemory()
	var out [][]eventstore.RecordedEvent
	for range 3 {
		stream := eventstoretest.Stream("client")
		if _, err := m.Append(ctx, stream, eventstore.NoStream(), eventstoretest.Events(tb, "NoteAuthored", 4)...); err != nil {
			tb.Fatal(err)
		}
		recs, err := m.ReadStream(ctx, stream, 0, 10)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, recs)
	}
	return out
}

// TestChainVerifier feeds the verifier every store uses with intact and broken chains: it names
// the first broken event and its reason, counts each broken stream once, and goes on checking the
// other streams.
func TestChainVerifier(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// breakChain changes streams (all three intact on entry) and returns them.
		breakChain  func(s [][]eventstore.RecordedEvent) [][]eventstore.RecordedEvent
		wantStream  int // index of the stream of the first break; -1 for none
		wantVersion uint64
		wantReason  string
		wantBroken  int
		wantEvents  int64
	}{
		{"intact", func(s [][]eventstore.RecordedEvent) [][]eventstore.RecordedEvent { return s }, -1, 0, "", 0, 12},
		{"payload altered", func(s [][]eventstore.RecordedEvent) [][]eventstore.RecordedEvent {
			s[1][2].Payload = []byte(`{"n":"forged"}`)
			return s
		}, 1, 2, "altered", 1, 12},
		{"actor role altered", func(s [][]eventstore.RecordedEvent) [][]eventstore.RecordedEvent {
			s[0][0].Actor.Role = "admin"
			return s
		}, 0, 0, "altered", 1, 12},
		{"subject altered", func(s [][]eventstore.RecordedEvent) [][]eventstore.RecordedEvent {
			s[2][3].Subject = s[1][3].Subject
			return s
		}, 2, 3, "altered", 1, 12},
		{"recorded at moved a microsecond", func(s [][]eventstore.RecordedEvent) [][]eventstore.RecordedEvent {
			s[1][1].RecordedAt = s[1][1].RecordedAt.Add(1000)
			return s
		}, 1, 1, "altered", 1, 12},
		{"altered with a recomputed hash", func(s [][]eventstore.RecordedEvent) [][]eventstore.RecordedEvent {
			e := &s[1][1]
			e.Payload = []byte(`{}`)
			e.Hash = eventstore.ChainHash(e.PrevHash, eventstore.Canonical(e.StreamID, e.Version, e.RecordedAt, e.EventData))
			return s
		}, 1, 2, "previous hash", 1, 12},
		{"middle event removed", func(s [][]eventstore.RecordedEvent) [][]eventstore.RecordedEvent {
			s[1] = slices.Delete(s[1], 1, 2)
			return s
		}, 1, 2, "gap", 1, 11},
		{"first event removed", func(s [][]eventstore.RecordedEvent) [][]eventstore.RecordedEvent {
			s[0] = s[0][1:]
			return s
		}, 0, 1, "start at version 0", 1, 11},
		{"two events swapped", func(s [][]eventstore.RecordedEvent) [][]eventstore.RecordedEvent {
			s[2][1], s[2][2] = s[2][2], s[2][1]
			return s
		}, 2, 2, "gap", 1, 12},
		{"events of another stream spliced in", func(s [][]eventstore.RecordedEvent) [][]eventstore.RecordedEvent {
			moved := s[0][2]
			moved.StreamID = s[1][2].StreamID
			s[1][2] = moved
			return s
		}, 1, 2, "previous hash", 1, 12},
		{"two streams broken", func(s [][]eventstore.RecordedEvent) [][]eventstore.RecordedEvent {
			s[0][3].Payload = nil
			s[2][0].Payload = nil
			return s
		}, 0, 3, "altered", 2, 12},
		{"newest events removed", func(s [][]eventstore.RecordedEvent) [][]eventstore.RecordedEvent {
			s[1] = s[1][:2] // a shorter chain is still a chain: only signed checkpoints detect this
			return s
		}, -1, 0, "", 0, 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			streams := tc.breakChain(chains(t))
			var v eventstore.ChainVerifier
			for _, s := range streams {
				for _, e := range s {
					v.Add(e)
				}
			}
			rep := v.Report()
			if rep.Streams != 3 || rep.Events != tc.wantEvents || rep.BrokenStreams != tc.wantBroken {
				t.Fatalf("report %+v, want 3 streams, %d events, %d broken", rep, tc.wantEvents, tc.wantBroken)
			}
			if tc.wantStream < 0 {
				if !rep.OK || rep.FirstBreak != nil {
					t.Fatalf("intact chains reported broken: %+v", rep.FirstBreak)
				}
				return
			}
			b := rep.FirstBreak
			if rep.OK || b == nil {
				t.Fatalf("the break went unnoticed: %+v", rep)
			}
			want := streams[tc.wantStream]
			id := want[slices.IndexFunc(want, func(e eventstore.RecordedEvent) bool { return e.Version == tc.wantVersion })].ID
			if b.Stream != want[0].StreamID || b.Version != tc.wantVersion || b.EventID != id || !strings.Contains(b.Reason, tc.wantReason) {
				t.Fatalf("first break %+v, want stream %d at version %d (%s), reason with %q", b, tc.wantStream, tc.wantVersion, id, tc.wantReason)
			}
		})
	}
}

// TestMemoryVerify checks the memory store's Verify on the log it built.
func TestMemoryVerify(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := eventstore.NewMemory()
	for range 3 {
		if _, err := m.Append(ctx, eventstoretest.Stream("client"), eventstore.Any(), eventstoretest.Events(t, "T", 5)...); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := m.Verify(ctx)
	if err != nil || !rep.OK || rep.Streams != 3 || rep.Events != 15 {
		t.Fatalf("Verify = %+v, %v; want 3 intact streams of 15 events", rep, err)
	}
}
