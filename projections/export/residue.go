package export

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/projections"
)

// Residue counts, in each of Tables, the rows in which any uuid column equals a subject: the
// read-model check of an erasure proof (commands.ReadModelProbe). Pool must see every row: a role
// that bypasses row-level security (the database owner or the login role of `caseledger erase`),
// since read models force it. Tables come from the projectors (projections.Projector.Tables), less
// the audit trail, which keeps PII-free facts by design.
type Residue struct {
	Pool   *pgxpool.Pool
	Tables []string
}

// SubjectRows implements commands.ReadModelProbe. A table that does not exist is an error.
func (r Residue) SubjectRows(ctx context.Context, subject domain.ID) (map[string]int64, error) {
	out := make(map[string]int64, len(r.Tables))
	for _, table := range r.Tables {
		rows, err := r.Pool.Query(ctx, `SELECT column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = $1 AND data_type = 'uuid' ORDER BY ordinal_position`, table)
		if err != nil {
			return nil, fmt.Errorf("residue %s: %w", table, err)
		}
		cols, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return nil, fmt.Errorf("residue %s: %w", table, err)
		}
		if len(cols) == 0 {
			var exists bool
			if err := r.Pool.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, table).Scan(&exists); err != nil || !exists {
				return nil, fmt.Errorf("residue: table %s does not exist", table)
			}
			out[table] = 0
			continue
		}
		where := ""
		for i, c := range cols {
			if i > 0 {
				where += " OR "
			}
			where += pgx.Identifier{c}.Sanitize() + " = $1"
		}
		var n int64
		if err := r.Pool.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{table}.Sanitize()+` WHERE `+where, [16]byte(subject)).Scan(&n); err != nil {
			return nil, fmt.Errorf("residue %s: %w", table, err)
		}
		out[table] = n
	}
	return out, nil
}

// ResidueTables returns the tables of ps an erasure must empty of a subject's rows: every
// projector's tables except the audit trail's.
func ResidueTables(ps []projections.Projector) []string {
	var out []string
	for _, p := range ps {
		if p.Name() == "audit" {
			continue
		}
		out = append(out, p.Tables()...)
	}
	return out
}
