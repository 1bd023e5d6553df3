package projections

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/caseledger/caseledger/domain"
)

// readQuery is one statement of a read and what to do with each of its rows.
type readQuery struct {
	what string // what is read, for errors: "appointments"
	sql  string
	args []any
	row  func(pgx.Rows) error
}

// read runs queries, in order, in one read-only transaction acting as actor, and hands each row to
// its query's row function.
//
// The whole transaction travels to the server as one pipelined batch, so it costs one round trip:
//
//	BEGIN READ ONLY
//	SELECT set_config('caseledger.user_id', $1, true), set_config('caseledger.role', $2, true)
//	<queries>
//	COMMIT
//
// The settings are transaction-local and the queries run after them in the same transaction, so
// row-level security in the database sees the actor on every query and nothing of it survives the
// transaction. The server runs the COMMIT whatever the row functions do: the transaction is
// read-only, so there is nothing to undo. When a statement fails, the server skips the rest and
// leaves the transaction aborted; the pool then discards the connection rather than reuse it.
func (r *Reader) read(ctx context.Context, actor domain.Actor, queries ...readQuery) error {
	if actor.UserID.IsZero() {
		return domain.Invalid("actor", "user id is missing")
	}
	if !actor.Role.Valid() {
		return domain.Invalid("actor", "role is not a role")
	}
	b := &pgx.Batch{}
	b.Queue(`BEGIN READ ONLY`)
	b.Queue(`SELECT set_config('caseledger.user_id', $1, true), set_config('caseledger.role', $2, true)`,
		actor.UserID.String(), string(actor.Role))
	for _, q := range queries {
		b.Queue(q.sql, q.args...)
	}
	b.Queue(`COMMIT`)
	res := r.pool.SendBatch(ctx, b)
	if err := runRead(res, queries); err != nil {
		_ = res.Close()
		return err
	}
	if err := res.Close(); err != nil {
		return fmt.Errorf("projections: read as %s: %w", actor.UserID, err)
	}
	return nil
}

// runRead consumes the results of read's batch.
func runRead(res pgx.BatchResults, queries []readQuery) error {
	for _, step := range []string{"begin", "act as"} {
		if _, err := res.Exec(); err != nil {
			return fmt.Errorf("projections: %s: %w", step, err)
		}
	}
	for _, q := range queries {
		rows, err := res.Query()
		if err != nil {
			return fmt.Errorf("projections: query %s: %w", q.what, err)
		}
		for rows.Next() {
			if err := q.row(rows); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("projections: query %s: %w", q.what, err)
		}
	}
	if _, err := res.Exec(); err != nil {
		return fmt.Errorf("projections: commit: %w", err)
	}
	return nil
}
