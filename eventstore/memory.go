package eventstore

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Memory is an in-memory Store for unit tests: the same contract, validation and hash chain as the
// PostgreSQL store, with nothing persisted. Tail is woken by a channel closed on every append.
// The zero value is not usable; call NewMemory. It is safe for concurrent use.
type Memory struct {
	mu      sync.RWMutex
	all     []RecordedEvent
	streams map[StreamID][]int // indexes into all, in version order
	ids     map[uuid.UUID]int  // index into all
	changed chan struct{}      // closed and replaced on every append
	now     func() time.Time
}

// NewMemory returns an empty in-memory store that stamps RecordedAt with the wall clock.
func NewMemory() *Memory {
	return &Memory{
		streams: map[StreamID][]int{},
		ids:     map[uuid.UUID]int{},
		changed: make(chan struct{}),
		now:     time.Now,
	}
}

// Append implements Store.
func (m *Memory) Append(ctx context.Context, stream StreamID, expected ExpectedVersion, events ...EventData) (AppendResult, error) {
	if err := ValidateAppend(stream, events); err != nil {
		return AppendResult{}, fmt.Errorf("append %s: %w", stream, err)
	}
	if err := ctx.Err(); err != nil {
		return AppendResult{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if res, done, err := m.replayed(stream, events); done {
		return res, err
	}
	idx := m.streams[stream]
	exists := len(idx) > 0
	var version uint64
	prev := GenesisHash
	if exists {
		last := m.all[idx[len(idx)-1]]
		version, prev = last.Version, last.Hash
	}
	if !expected.Satisfied(exists, version) {
		return AppendResult{}, &WrongExpectedVersionError{Stream: stream, Expected: expected, Exists: exists, Actual: version}
	}
	next := uint64(0)
	if exists {
		next = version + 1
	}
	recordedAt := TruncateMicros(m.now())
	for i, e := range events {
		e.OccurredAt = TruncateMicros(e.OccurredAt)
		e.Payload = append([]byte(nil), e.Payload...)
		seq := uint64(len(m.all)) + 1
		r := RecordedEvent{
			EventData:  e,
			StreamID:   stream,
			Version:    next + uint64(i),
			Position:   NewPosition(seq, seq),
			RecordedAt: recordedAt,
			PrevHash:   prev,
		}
		r.Hash = ChainHash(prev, Canonical(stream, r.Version, recordedAt, e))
		prev = r.Hash
		m.ids[e.ID] = len(m.all)
		m.streams[stream] = append(m.streams[stream], len(m.all))
		m.all = append(m.all, r)
	}
	close(m.changed)
	m.changed = make(chan struct{})
	last := m.all[len(m.all)-1]
	return AppendResult{Version: last.Version, Position: last.Position}, nil
}

// replayed decides an append some of whose event ids are already in the log, with ReplayResult.
// done is false when every id is new. m.mu must be held.
func (m *Memory) replayed(stream StreamID, events []EventData) (res AppendResult, done bool, err error) {
	stored := make([]StoredID, len(events))
	for i, e := range events {
		if j, ok := m.ids[e.ID]; ok {
			r := m.all[j]
			stored[i] = StoredID{Stream: r.StreamID, Version: r.Version, Position: r.Position}
			done = true
		}
	}
	if !done {
		return AppendResult{}, false, nil
	}
	res, err = ReplayResult(stream, events, stored)
	return res, true, err
}

// ReadStream implements Store.
func (m *Memory) ReadStream(ctx context.Context, stream StreamID, from uint64, limit int) ([]RecordedEvent, error) {
	if err := stream.Validate(); err != nil {
		return nil, fmt.Errorf("read %s: %w", stream, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	idx := m.streams[stream]
	if len(idx) == 0 {
		return nil, fmt.Errorf("read %s: %w", stream, ErrStreamNotFound)
	}
	out := []RecordedEvent{}
	for v := from; v < uint64(len(idx)) && len(out) < limit; v++ {
		out = append(out, clone(m.all[idx[v]]))
	}
	return out, nil
}

// ReadAll implements Store.
func (m *Memory) ReadAll(ctx context.Context, from Position, limit int) ([]RecordedEvent, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	out, _ := m.after(from, limit)
	return out, nil
}

// after returns up to limit events after from and the channel closed by the next append.
// m.mu must be held.
func (m *Memory) after(from Position, limit int) ([]RecordedEvent, <-chan struct{}) {
	_, seq := from.Parts()
	out := []RecordedEvent{}
	for i := seq; i < uint64(len(m.all)) && len(out) < limit; i++ {
		out = append(out, clone(m.all[i]))
	}
	return out, m.changed
}

// tailBatch is the most events Memory.Tail hands over at once.
const tailBatch = 256

// Tail implements Store.
func (m *Memory) Tail(ctx context.Context, from Position, handle func([]RecordedEvent) error) error {
	for {
		m.mu.RLock()
		batch, changed := m.after(from, tailBatch)
		m.mu.RUnlock()
		if len(batch) > 0 {
			if err := handle(batch); err != nil {
				return err
			}
			from = batch[len(batch)-1].Position
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		}
	}
}

// Verify recomputes every stream's hash chain, as the PostgreSQL store's Verify does.
func (m *Memory) Verify(ctx context.Context) (VerifyReport, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var v ChainVerifier
	for _, idx := range m.streams {
		for _, i := range idx {
			v.Add(m.all[i])
		}
	}
	return v.Report(), ctx.Err()
}

// StreamHeads returns the last event of every stream, in stream id order.
func (m *Memory) StreamHeads(ctx context.Context) ([]StreamHead, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	heads := make([]StreamHead, 0, len(m.streams))
	for s, idx := range m.streams {
		r := m.all[idx[len(idx)-1]]
		heads = append(heads, StreamHead{Stream: s, Version: r.Version, EventID: r.ID, Hash: r.Hash})
	}
	SortHeads(heads)
	return heads, ctx.Err()
}

func clone(r RecordedEvent) RecordedEvent {
	r.Payload = append([]byte(nil), r.Payload...)
	return r
}
