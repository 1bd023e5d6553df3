package projections

import (
	"context"
	"fmt"
	"regexp"

	"github.com/jackc/pgx/v5"

	"github.com/caseledger/caseledger/eventstore"
)

// A Projector maintains read-model tables from the events of the log.
//
// Name identifies the projector's checkpoint; it never changes once released, because a new name
// replays the whole log into an empty read model. Tables lists the tables it writes; each has a
// generation column, and Rebuild deletes a retired generation's rows from them.
//
// Apply applies one event inside tx, writing only rows of tx.Generation. It is called in log order,
// never concurrently for one projector, and inside the transaction that also advances the
// checkpoint: if it returns an error nothing of the batch is kept and the projector stops at that
// event. Apply returns nil for events it does not project.
type Projector interface {
	Name() string
	Tables() []string
	Apply(ctx context.Context, tx Tx, e eventstore.RecordedEvent) error
}

// Tx is the transaction a Projector applies an event in, with the generation it writes and Seq,
// the number of events this generation applied before e (the same in every rebuild, so it can
// number rows deterministically).
type Tx struct {
	pgx.Tx
	Generation int32
	Seq        int64
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
