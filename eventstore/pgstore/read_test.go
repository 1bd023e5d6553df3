package pgstore_test

import (
	"errors"
	"math"
	"testing"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/eventstoretest"
)

// TestReadStreamEdges covers the limits ReadStream's one-statement read must get right on top of
// the conformance suite: a zero limit, the largest limit while reading one version early, and a
// missing stream read from past version 0.
func TestReadStreamEdges(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := testCtx(t)
	stream := eventstoretest.Stream("edges")
	evs := eventstoretest.Events(t, "Step", 5)
	if _, err := s.Append(ctx, stream, eventstore.NoStream(), evs...); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		stream  eventstore.StreamID
		from    uint64
		limit   int
		want    int
		missing bool
	}{
		{"zero limit", stream, 0, 0, 0, false},
		{"zero limit from the middle", stream, 3, 0, 0, false},
		{"negative limit", stream, 0, -1, 0, false},
		{"largest limit from the middle", stream, 1, math.MaxInt, 4, false},
		{"largest limit from the start", stream, 0, math.MaxInt, 5, false},
		{"just past the end", stream, 5, 10, 0, false},
		{"largest version", stream, math.MaxUint64, 10, 0, false},
		{"missing, zero limit", eventstoretest.Stream("none"), 0, 0, 0, true},
		{"missing, from 1", eventstoretest.Stream("none"), 1, 10, 0, true},
		{"missing, largest version", eventstoretest.Stream("none"), math.MaxUint64, 10, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ReadStream(ctx, tc.stream, tc.from, tc.limit)
			if tc.missing {
				if !errors.Is(err, eventstore.ErrStreamNotFound) {
					t.Fatalf("err = %v, want ErrStreamNotFound", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got == nil || len(got) != tc.want {
				t.Fatalf("got %d events (nil: %v), want %d", len(got), got == nil, tc.want)
			}
			for i, r := range got {
				if want := tc.from + uint64(i); r.Version != want || r.ID != evs[want].ID {
					t.Fatalf("event %d: version %d, want %d", i, r.Version, want)
				}
			}
		})
	}
}

// TestReadAllGrowsOnceToItsLimit checks the capacity of ReadAll's result, which a rebuild's memory
// depends on: a read that fills its first page of 1024 grows at once to its limit (at most 10,000)
// instead of doubling past what it keeps, and a short read stays small.
func TestReadAllGrowsOnceToItsLimit(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := testCtx(t)
	if _, err := s.Append(ctx, eventstoretest.Stream("many"), eventstore.NoStream(), eventstoretest.Events(t, "Step", 1500)...); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		limit, wantLen, wantCap int
	}{
		{10, 10, 10},
		{1024, 1024, 1024},
		{1500, 1500, 1500},
		{3000, 1500, 3000},
		{math.MaxInt, 1500, eventstore.MaxAppendEvents},
	}
	for _, tc := range tests {
		got, err := s.ReadAll(ctx, eventstore.Start, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != tc.wantLen || cap(got) != tc.wantCap {
			t.Errorf("ReadAll limit %d: %d events, capacity %d; want %d, capacity %d", tc.limit, len(got), cap(got), tc.wantLen, tc.wantCap)
		}
	}
}
