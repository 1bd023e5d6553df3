package keyring

import (
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// cacheShards is the number of independently locked parts of the cache; a power of two.
const cacheShards = 32

// subjectKey is an unwrapped subject keyset, ready to use: the AEAD primitive (which decrypts with
// any key of the keyset and encrypts with the primary) and the primary key id. An erased subject is
// cached too, as a tombstone, so that replaying an erased subject's events does not query storage
// for every event.
type subjectKey struct {
	aead    tink.AEAD
	primary uint32
	erased  bool
	loaded  time.Time
}

// cache holds unwrapped subject keys, bounded by size (entries) and age (ttl). Reads take a shard's
// read lock only. Every eviction bumps the shard's epoch, and a load that started before an eviction
// is not inserted after it, so a key evicted by a shred can never come back from a load in flight.
type cache struct {
	ttl      time.Duration
	perShard int
	now      func() time.Time
	shards   [cacheShards]cacheShard
}

type cacheShard struct {
	mu      sync.RWMutex
	epoch   uint64
	entries map[uuid.UUID]*subjectKey
}

func newCache(size int, ttl time.Duration, now func() time.Time) *cache {
	per := size / cacheShards
	if per < 1 {
		per = 1
	}
	c := &cache{ttl: ttl, perShard: per, now: now}
	for i := range c.shards {
		c.shards[i].entries = make(map[uuid.UUID]*subjectKey, per)
	}
	return c
}

func (c *cache) shard(subject uuid.UUID) *cacheShard {
	return &c.shards[(subject[15]^subject[7])&(cacheShards-1)]
}

// get returns the cached key of subject if it is younger than the ttl, and the shard's epoch to
// pass to put after a miss.
func (c *cache) get(subject uuid.UUID) (*subjectKey, uint64) {
	s := c.shard(subject)
	s.mu.RLock()
	k, epoch := s.entries[subject], s.epoch
	s.mu.RUnlock()
	if k != nil && c.now().Sub(k.loaded) < c.ttl {
		return k, epoch
	}
	return nil, epoch
}

// put caches k for subject unless the shard was evicted since epoch was read. When the shard is
// full it drops its oldest entry.
func (c *cache) put(subject uuid.UUID, k *subjectKey, epoch uint64) {
	s := c.shard(subject)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.epoch != epoch {
		return
	}
	if _, ok := s.entries[subject]; !ok && len(s.entries) >= c.perShard {
		var oldest uuid.UUID
		var at time.Time
		first := true
		for id, e := range s.entries {
			if first || e.loaded.Before(at) {
				oldest, at, first = id, e.loaded, false
			}
		}
		delete(s.entries, oldest)
	}
	s.entries[subject] = k
}

// evict drops subject's key, and makes loads in flight for its shard discard their result.
func (c *cache) evict(subject uuid.UUID) {
	s := c.shard(subject)
	s.mu.Lock()
	delete(s.entries, subject)
	s.epoch++
	s.mu.Unlock()
}

// reset drops every key; used when change notifications may have been missed.
func (c *cache) reset() {
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		clear(s.entries)
		s.epoch++
		s.mu.Unlock()
	}
}
