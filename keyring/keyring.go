package keyring

import (
	"context"
	"errors"
	"fmt"
	"github.com/tink-crypto/tink-go/v2/tink"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"golang.org/x/sync/singleflight"

	"github.com/caseledger/caseledger/eventstore"
)

// Defaults for Config fields left zero.
const (
	DefaultCacheSize = 50_000
	DefaultCacheTTL  = 15 * time.Minute
)

// EventAppender is where Shred appends the SubjectErased event: the event store (eventstore.Store
// satisfies it).
type EventAppender interface {
	Append(ctx context.Context, stream eventstore.StreamID, expected eventstore.ExpectedVersion, events ...eventstore.EventData) (eventstore.AppendResult, error)
}

// Config configures a Keyring.
type Config struct {
	// Storage keeps the wrapped keysets. Required.
	Storage Storage
	// Master wraps new and rotated keysets. Required.
	Master *Master
	// Previous are masters that may still wrap some keysets while RotateMaster runs or after it
	// was interrupted; keysets are unwrapped with whichever master wrapped them.
	Previous []*Master
	// Events receives the SubjectErased events of Shred. Shred fails when it is nil.
	Events EventAppender
	// CacheSize bounds the number of unwrapped subject keys held in memory (default
	// DefaultCacheSize); CacheTTL bounds how long one is held (default DefaultCacheTTL).
	CacheSize int
	CacheTTL  time.Duration
	// Now tells the time (default time.Now).
	Now func() time.Time
}

// Validate reports every problem with c at once.
func (c Config) Validate() error {
	var errs []error
	if c.Storage == nil {
		errs = append(errs, errors.New("keyring: Storage is required"))
	}
	if c.Master == nil {
		errs = append(errs, errors.New("keyring: Master is required"))
	}
	for i, p := range c.Previous {
		if p == nil {
			errs = append(errs, fmt.Errorf("keyring: Previous[%d] is nil", i))
		} else if c.Master != nil && p.id == c.Master.id {
			errs = append(errs, fmt.Errorf("keyring: Previous[%d] is the current master %s", i, p.id))
		}
	}
	if c.CacheSize < 0 {
		errs = append(errs, errors.New("keyring: CacheSize must not be negative"))
	}
	if c.CacheTTL < 0 {
		errs = append(errs, errors.New("keyring: CacheTTL must not be negative"))
	}
	return errors.Join(errs...)
}

// Keyring seals and opens personal data under per-subject keys, and shreds them. It satisfies
// commands.Sealer. It is safe for concurrent use; Close stops its change listener.
type Keyring struct {
	storage Storage
	master  *Master
	masters map[string]*Master
	events  EventAppender
	now     func() time.Time
	cache   *cache
	loads   singleflight.Group
	index   indexKey

	stop    context.CancelFunc
	stopped chan struct{}
}

// New returns a Keyring for cfg. It checks every configured master against the check value stored
// for it (ErrMasterMismatch when the key is wrong for this database) and starts listening for
// shreds and rotations in other processes; it returns once listening. Call Close when done.
func New(ctx context.Context, cfg Config) (*Keyring, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.CacheSize == 0 {
		cfg.CacheSize = DefaultCacheSize
	}
	if cfg.CacheTTL == 0 {
		cfg.CacheTTL = DefaultCacheTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	k := &Keyring{
		storage: cfg.Storage,
		master:  cfg.Master,
		masters: map[string]*Master{cfg.Master.id: cfg.Master},
		events:  cfg.Events,
		now:     cfg.Now,
		cache:   newCache(cfg.CacheSize, cfg.CacheTTL, cfg.Now),
		stopped: make(chan struct{}),
	}
	if err := checkMastersKnown(ctx, cfg); err != nil {
		return nil, err
	}
	for _, m := range append([]*Master{cfg.Master}, cfg.Previous...) {
		if err := m.verify(ctx, cfg.Storage); err != nil {
			return nil, err
		}
		k.masters[m.id] = m
	}
	if err := k.listen(ctx); err != nil {
		return nil, err
	}
	return k, nil
}

// checkMastersKnown refuses a configuration none of whose masters the storage has seen, when it
// has seen some: a regenerated key file, a mistyped passphrase or another KMS key would otherwise
// start a second, disjoint set of keysets beside ones it cannot open.
func checkMastersKnown(ctx context.Context, cfg Config) error {
	known, err := cfg.Storage.MasterIDs(ctx)
	if err != nil {
		return err
	}
	if len(known) == 0 {
		return nil
	}
	for _, m := range append([]*Master{cfg.Master}, cfg.Previous...) {
		if slices.Contains(known, m.id) {
			return nil
		}
	}
	return fmt.Errorf("keyring: none of the configured masters (%s) is one this database's keysets were wrapped with (%s): %w",
		masterIDs(cfg), strings.Join(known, ", "), ErrMasterMismatch)
}

func masterIDs(cfg Config) string {
	ids := []string{cfg.Master.id}
	for _, p := range cfg.Previous {
		ids = append(ids, p.id)
	}
	return strings.Join(ids, ", ")
}

// listen runs Storage.Watch until Close and waits for it to start listening.
func (k *Keyring) listen(ctx context.Context) error {
	wctx, stop := context.WithCancel(context.Background())
	k.stop = stop
	ready := make(chan struct{})
	w := &cacheWatcher{cache: k.cache, ready: ready}
	errc := make(chan error, 1)
	go func() {
		defer close(k.stopped)
		errc <- k.storage.Watch(wctx, w)
	}()
	select {
	case <-ready:
		return nil
	case err := <-errc:
		stop()
		return fmt.Errorf("keyring: listen for key changes: %w", err)
	case <-ctx.Done():
		stop()
		<-k.stopped
		return fmt.Errorf("keyring: listen for key changes: %w", ctx.Err())
	}
}

// Close stops listening for key changes and drops every cached key. The Keyring must not be used
// afterwards.
func (k *Keyring) Close() {
	k.stop()
	<-k.stopped
	k.cache.reset()
}

// Master returns the master that wraps new keysets.
func (k *Keyring) Master() *Master { return k.master }

// MasterAEADs returns every configured master (the current one and Config.Previous) by id, for
// other keys wrapped by the master key (checkpoint signing keys). The map is a fresh copy.
func (k *Keyring) MasterAEADs() map[string]tink.AEAD {
	out := make(map[string]tink.AEAD, len(k.masters))
	for id, m := range k.masters {
		out[id] = m.aead
	}
	return out
}

// cacheWatcher evicts what Storage.Watch reports and closes ready on the first Reset.
type cacheWatcher struct {
	cache *cache
	ready chan struct{}
	once  sync.Once
}

func (w *cacheWatcher) Changed(subject uuid.UUID) { w.cache.evict(subject) }

func (w *cacheWatcher) Reset() {
	w.cache.reset()
	w.once.Do(func() { close(w.ready) })
}
