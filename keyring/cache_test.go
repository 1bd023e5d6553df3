package keyring_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/keyring"
)

// countingStorage counts keyset loads: each is a cache miss.
type countingStorage struct {
	*keyring.MemoryStorage
	loads atomic.Int64
}

func (c *countingStorage) LoadKeyset(ctx context.Context, subject uuid.UUID) (keyring.Wrapped, error) {
	c.loads.Add(1)
	return c.MemoryStorage.LoadKeyset(ctx, subject)
}

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestCacheIsBoundedByAgeAndSize(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name string
		size int
		// run exercises a keyring that has just sealed one event for each of 200 subjects.
		run func(t *testing.T, k *keyring.Keyring, s *countingStorage, clock *fakeClock, recs []eventstore.RecordedEvent)
	}{
		{"warm opens do not touch storage", 10_000, func(t *testing.T, k *keyring.Keyring, s *countingStorage, _ *fakeClock, recs []eventstore.RecordedEvent) {
			before := s.loads.Load()
			for i := 0; i < 5; i++ {
				for _, r := range recs {
					if _, err := k.Open(ctx, r); err != nil {
						t.Fatal(err)
					}
				}
			}
			if n := s.loads.Load() - before; n != 0 {
				t.Fatalf("%d storage loads for warm opens, want 0", n)
			}
		}},
		{"entries expire after the ttl", 10_000, func(t *testing.T, k *keyring.Keyring, s *countingStorage, clock *fakeClock, recs []eventstore.RecordedEvent) {
			clock.Advance(time.Minute + time.Second)
			before := s.loads.Load()
			for _, r := range recs {
				if _, err := k.Open(ctx, r); err != nil {
					t.Fatal(err)
				}
			}
			if n := s.loads.Load() - before; n != int64(len(recs)) {
				t.Fatalf("%d storage loads after expiry, want %d", n, len(recs))
			}
		}},
		{"size is bounded", 64, func(t *testing.T, k *keyring.Keyring, s *countingStorage, clock *fakeClock, recs []eventstore.RecordedEvent) {
			before := s.loads.Load()
			for _, r := range recs {
				clock.Advance(time.Millisecond)
				if _, err := k.Open(ctx, r); err != nil {
					t.Fatal(err)
				}
			}
			// 200 subjects through a cache of 64: most must have been evicted and reloaded.
			if n := s.loads.Load() - before; n < int64(len(recs))-64 {
				t.Fatalf("%d storage loads for %d subjects in a cache of 64, want at least %d", n, len(recs), len(recs)-64)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := &countingStorage{MemoryStorage: keyring.NewMemoryStorage()}
			clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			k, err := keyring.New(ctx, keyring.Config{Storage: s, Master: newMaster(t), CacheSize: tc.size, CacheTTL: time.Minute, Now: clock.Now})
			if err != nil {
				t.Fatal(err)
			}
			defer k.Close()
			var recs []eventstore.RecordedEvent
			for i := 0; i < 200; i++ {
				subject := newID(t)
				recs = append(recs, sealed(t, k, "client-"+eventstore.StreamID(subject.String()), subject, secret))
			}
			tc.run(t, k, s, clock, recs)
		})
	}
}

func TestConcurrentOpensShareOneLoad(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := &countingStorage{MemoryStorage: keyring.NewMemoryStorage()}
	m := newMaster(t)
	writer := newKeyring(t, s, m, nil)
	subject := newID(t)
	r := sealed(t, writer, "client-x", subject, secret)
	reader := newKeyring(t, s, m, nil)
	before := s.loads.Load()
	var wg sync.WaitGroup
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := reader.Open(ctx, r); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := s.loads.Load() - before; n < 1 || n > 4 {
		t.Fatalf("%d storage loads for 32 concurrent cold opens of one subject, want about 1", n)
	}
}
