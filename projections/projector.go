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
// generation column, and Rebuild deletes a retired generation's rows from them.
//
// Apply applies one event by queueing statements on tx that write only rows of tx.Generation. It
// is called in log order, never concurrently for one projector, inside the transaction that also
// advances the checkpoint. If it returns an error, or a statement it queued fails, the events before
// it are kept and the projector stops at it. Apply returns nil for events it does not project.
type Projector interface {
	Name() string
	Tables() []string
	Apply(ctx context.Context, tx Tx, e eventstore.RecordedEvent) error
}

// Tx is the transaction a Projector applies an event in: the generation it writes, and Seq, the
// number of events this generation applied before this one (the same in every rebuild, so it can
// number rows deterministically).
//
// Statements are queued, not run at once: the engine sends a batch's statements to PostgreSQL
// pipelined, in the order they were queued, and attributes a failing statement to the event that
// queued it. A projector therefore never reads inside Apply; a statement sees the effects of every
// statement queued before it.
type Tx struct {
	Generation int32
	Seq        int64
	q          *queue
}

// Exec queues a statement.
func (t Tx) Exec(sql string, args ...any) { t.q.add(false, sql, args) }

// Insert queues a row of values for table's columns (a comma-separated list). Rows inserted one
// after another into the same table and columns, with no other statement between them, are sent
// as multi-row INSERTs; a failure is then attributed to the first row's event.
func (t Tx) Insert(table, columns string, values ...any) { t.q.insert(table, columns, values) }

// ExecOne queues a statement that must change exactly one row; otherwise the event that queued it
// fails (an update of a row that should exist but does not).
func (t Tx) ExecOne(sql string, args ...any) { t.q.add(true, sql, args) }

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
