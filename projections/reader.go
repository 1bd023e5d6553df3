package projections

import (
	"errors"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Reader answers read-model queries as a domain.Actor. Every method runs in a read-only
// transaction on a caseledger_reader pool that sets caseledger.user_id and caseledger.role for that
// transaction only, so the tables' row-level security policies decide what the actor sees: another
// therapist's record is simply not there (a NotFound error, never Forbidden). Sealed values are
// opened with the client's key and lists are sorted in the application.
//
// Reading clinical data is an event: callers (commands, api) append RecordAccessed before they
// return what Reader gave them. Reader itself never writes. It is safe for concurrent use.
type Reader struct {
	pool *pgxpool.Pool
	keys Keys
}

// NewReader returns a Reader on pool, which must act as caseledger_reader (migrations.ConnectAs),
// opening sealed values with keys.
func NewReader(pool *pgxpool.Pool, keys Keys) (*Reader, error) {
	if pool == nil || keys == nil {
		return nil, errors.New("projections: NewReader needs a pool and keys")
	}
	return &Reader{pool: pool, keys: keys}, nil
}
