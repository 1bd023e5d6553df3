package pgstore

import (
	"context"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/caseledger/caseledger/eventstore"
)

// Store is the PostgreSQL event log. It is safe for concurrent use; it holds no connection of its
// own beyond those Tail borrows while it runs.
type Store struct {
	pool     *pgxpool.Pool
	cfg      Config
	notifier notifier

	mu      sync.Mutex
	changed chan struct{} // closed and replaced after every append by this Store
}

var _ eventstore.Store = (*Store)(nil)

// New opens the event log in pool's database, which must be migrated. The pool's role needs
// SELECT and INSERT on event_log and EXECUTE on its functions (caseledger_app has them).
//
// New realigns the transaction order (event_log_realign) first: after a logical restore into a
// new cluster, transaction ids restart below the stored ones, and without realignment new events
// would sort before old ones and tailing readers would skip them.
func New(ctx context.Context, pool *pgxpool.Pool, cfg Config) (*Store, error) {
	if pool == nil {
		return nil, fmt.Errorf("pgstore: nil pool")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if _, err := Realign(ctx, pool); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	return &Store{pool: pool, cfg: cfg, notifier: notifier{pool: pool, gap: cfg.NotifyInterval}, changed: make(chan struct{})}, nil
}

// Realign makes sure new events will sort after every stored one, raising the transaction id
// offset if the database was restored into a cluster whose transaction ids are lower than the
// stored ones, and returns the offset in force. It is cheap when nothing needs doing. New calls it;
// `caseledger migrate` may too.
func Realign(ctx context.Context, pool *pgxpool.Pool) (int64, error) {
	var offset int64
	if err := pool.QueryRow(ctx, `SELECT event_log_realign()`).Scan(&offset); err != nil {
		return 0, fmt.Errorf("pgstore: realign transaction order (is the database migrated?): %w", err)
	}
	return offset, nil
}

// appended wakes this process's tailers and schedules a notification for other processes.
func (s *Store) appended() {
	s.mu.Lock()
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
	s.notifier.signal()
}

// changes returns a channel closed by the next append through s.
func (s *Store) changes() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}
