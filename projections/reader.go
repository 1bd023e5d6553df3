package projections

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/caseledger/caseledger/domain"
)

// Reader answers read-model queries as a domain.Actor. Every method opens a read-only transaction
// on a caseledger_reader pool and sets caseledger.user_id and caseledger.role for that transaction
// only, so the tables' row-level security policies decide what the actor sees: another therapist's
// record is simply not there (a NotFound error, never Forbidden). Sealed values are opened with the
// client's key and lists are sorted in the application.
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

// as runs fn in a read-only transaction acting as actor.
func (r *Reader) as(ctx context.Context, actor domain.Actor, fn func(pgx.Tx) error) error {
	if actor.UserID.IsZero() {
		return domain.Invalid("actor", "user id is missing")
	}
	if !actor.Role.Valid() {
		return domain.Invalid("actor", "role is not a role")
	}
	return pgx.BeginTxFunc(ctx, r.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT set_config('caseledger.user_id', $1, true),
			set_config('caseledger.role', $2, true)`, actor.UserID.String(), string(actor.Role)); err != nil {
			return fmt.Errorf("projections: act as %s: %w", actor.UserID, err)
		}
		return fn(tx)
	})
}
