package commands

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
)

// streamCache keeps the decoded events of recently loaded streams, keyed by event log and stream,
// so that a load reads only the events appended since the previous one instead of the stream's
// whole history (and, for a sealed stream, decrypts only those). It never decides anything: every
// decision is still appended at the exact version it was taken on, so a cache that lags the log
// costs a retry, never a wrong write. It holds at most max streams, evicting an arbitrary one
// when full. It is safe for concurrent use; loads of one stream are serialised.
type streamCache struct {
	mu      sync.Mutex
	max     int
	entries map[streamKey]*cachedStream
}

type streamKey struct {
	log    EventLog
	stream eventstore.StreamID
}

// newStreamCache returns an empty cache of at most max streams.
func newStreamCache(max int) *streamCache {
	return &streamCache{max: max, entries: map[streamKey]*cachedStream{}}
}

// cachedStream is a stream's decoded events up to version.
type cachedStream struct {
	mu      sync.Mutex
	events  []domain.Event
	version uint64
	exists  bool
	// lastSealed is the newest sealed record read, opened again on every load from the cache: a
	// subject whose key was shredded since fails the load with domain.ErrErased instead of being
	// served from memory.
	lastSealed *eventstore.RecordedEvent
}

// logComparable reports whether d.Log can be a map key (its dynamic type is comparable): logs
// that cannot are neither cached nor combined.
func logComparable(d Deps) bool {
	t := reflect.TypeOf(d.Log)
	return t != nil && t.Comparable()
}

// load returns stream's events and head, reading from the log only what was appended since the
// last load. sealed says whether the stream's events may be sealed; a sealed event in a stream that
// must be plaintext is an error. The returned events are shared and must not be modified. A
// failed load drops the stream from the cache.
func (sc *streamCache) load(ctx context.Context, d Deps, stream eventstore.StreamID, decode domain.Decoder, sealed bool) (Loaded, error) {
	if !logComparable(d) {
		return (&cachedStream{}).refresh(ctx, d, stream, decode, sealed)
	}
	key := streamKey{log: d.Log, stream: stream}
	sc.mu.Lock()
	e, found := sc.entries[key]
	if !found {
		if len(sc.entries) >= sc.max {
			for k := range sc.entries {
				delete(sc.entries, k)
				break
			}
		}
		e = &cachedStream{}
		sc.entries[key] = e
	}
	sc.mu.Unlock()
	l, err := e.refresh(ctx, d, stream, decode, sealed)
	if err != nil {
		sc.mu.Lock()
		if sc.entries[key] == e {
			delete(sc.entries, key)
		}
		sc.mu.Unlock()
	}
	return l, err
}

// refresh brings e up to the head of stream and returns its events. Sealed payloads are opened
// with d.Sealer; the newest sealed record already held is opened again first, to prove its
// subject's key still exists (a shredded subject fails with domain.ErrErased, as a full read
// would).
func (e *cachedStream) refresh(ctx context.Context, d Deps, stream eventstore.StreamID, decode domain.Decoder, sealed bool) (Loaded, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if r := e.lastSealed; r != nil {
		if _, err := d.Sealer.Open(ctx, *r); err != nil {
			return Loaded{}, fmt.Errorf("load %s@%d: %w", stream, r.Version, err)
		}
	}
	for {
		from := uint64(0)
		if e.exists {
			from = e.version + 1
		}
		recs, err := d.Log.ReadStream(ctx, stream, from, readBatch)
		if errors.Is(err, eventstore.ErrStreamNotFound) {
			break
		}
		if err != nil {
			return Loaded{}, fmt.Errorf("load %s: %w", stream, err)
		}
		for i := range recs {
			r := &recs[i]
			payload := r.Payload
			if r.Subject != uuid.Nil {
				if !sealed {
					return Loaded{}, fmt.Errorf("load %s@%d: %s events are never sealed", stream, r.Version, stream)
				}
				if payload, err = d.Sealer.Open(ctx, *r); err != nil {
					return Loaded{}, fmt.Errorf("load %s@%d: %w", stream, r.Version, err)
				}
				sealedCopy := *r // not a pointer into recs, which would keep the whole batch alive
				e.lastSealed = &sealedCopy
			}
			ev, err := decode(r.Type, r.SchemaVersion, payload)
			if err != nil {
				return Loaded{}, fmt.Errorf("load %s@%d: %w", stream, r.Version, err)
			}
			e.events = append(e.events, ev)
			e.version, e.exists = r.Version, true
		}
		if len(recs) < readBatch {
			break
		}
	}
	return Loaded{Events: e.events[:len(e.events):len(e.events)], Version: e.version, Exists: e.exists}, nil
}
