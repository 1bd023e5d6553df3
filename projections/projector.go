package projections

import (
	"context"
	"fmt"
	"regexp"

	"github.com/caseledger/caseledger/eventstore"
)

// A Projector maintains read-model tables from the events of the log.
//
// Name identifies the projector's checkpoint; it never changes once released, because a new name
// replays the whole log into an empty read model. Tables lists the tables it writes; each has a
// generation column, is partitioned by it, and is listed for the projector in projection_tables
// (migrations/0033_read_model_partitions.sql); retiring a generation drops its partitions.
//
// Apply applies one event by queueing statements on tx that write only rows of tx.Generation. It
// is called in log order, never concurrently for one projector, inside the transaction that also
// advances the checkpoint. If it returns an error, or a statement it queued fails, the events before
// it are kept and the projector stops at it. Apply returns nil for events it does not project.
// The event is the batch's own, shared with the other projectors: Apply reads it and never
// changes it, and may queue pointers to its fields as values (they stay valid until the batch is
// written), which spares boxing a copy of each.
type Projector interface {
	Name() string
	Tables() []string
	Apply(ctx context.Context, tx Tx, e *eventstore.RecordedEvent) error
}

// Tx is the transaction a Projector applies an event in: the generation it writes, and Seq, the
// number of events this generation applied before this one (the same in every rebuild, so it can
// number rows deterministically).
//
// Writes are queued, not run at once: the engine sends a batch's writes to PostgreSQL in the order
// they were queued, keyed writes folded per row (see RowTable), and attributes a failing write to
// the event that queued it. A projector therefore never reads the database inside Apply; a write
// sees the effects of every write queued before it.
type Tx struct {
	Generation int32
	Seq        int64
	q          *queue
	opened     *opened
}

// Exec queues a statement. It ends the current run of keyed writes: use it for what keys cannot
// express (writes to every row of a client, reads of other rows).
func (t Tx) Exec(sql string, args ...any) { t.q.add(false, sql, args) }

// ExecByClient queues, like Exec, a statement that finds its rows of table by client (client_id or
// subject_id). In an active generation an index serves it; a rebuilding generation is indexed only
// once filled, so a rebuild first builds table's client indexes (migration 0039) rather than
// scanning the rows filled so far for every such statement.
func (t Tx) ExecByClient(table, sql string, args ...any) {
	t.q.findsByClient(table)
	t.q.add(false, sql, args)
}

// ExecOne queues a statement that must change exactly one row; otherwise the event that queued it
// fails (an update of a row that should exist but does not).
func (t Tx) ExecOne(sql string, args ...any) { t.q.add(true, sql, args) }

// Put queues a new row of table with a value per column (generation excluded). Writing it fails
// if a row with its key exists.
func (t Tx) Put(table *RowTable, values ...any) error {
	return t.q.write(table, opInsert, values, nil)
}

// Upsert queues a row of table that is inserted, or replaces every non-key column of the row
// with its key.
func (t Tx) Upsert(table *RowTable, values ...any) error {
	return t.q.write(table, opUpsert, values, nil)
}

// Update queues new values for some non-key columns of the row of table with key; the row must
// exist when the write runs, or the event fails.
func (t Tx) Update(table *RowTable, key []any, set ...Set) error {
	if len(set) == 0 {
		return fmt.Errorf("projections: update of %s sets no column", table.name)
	}
	return t.q.write(table, opUpdate, key, set)
}

// Pending returns the values of the row of table with key when this batch put or upserted it and
// has not written it yet (nil, false otherwise: the row may still exist in the database; always
// for an insert-only table).
func (t Tx) Pending(table *RowTable, key ...any) ([]any, bool) {
	if t.q.seg == nil {
		return nil, false
	}
	return t.q.seg.pending(table, key)
}

var validName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// checkProjectors refuses an empty set, duplicate names and names the checkpoint table refuses.
func checkProjectors(ps []Projector) error {
	if len(ps) == 0 {
		return fmt.Errorf("projections: no projectors")
	}
	seen := map[string]bool{}
	for i, p := range ps {
		if p == nil {
			return fmt.Errorf("projections: projector %d is nil", i)
		}
		n := p.Name()
		if !validName.MatchString(n) {
			return fmt.Errorf("projections: projector name %q must match %s", n, validName)
		}
		if seen[n] {
			return fmt.Errorf("projections: projector %q registered twice", n)
		}
		seen[n] = true
	}
	return nil
}
