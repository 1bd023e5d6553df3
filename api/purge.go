package api

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/caseledger/caseledger/domain/identity"
)

// PurgeExpiredCredentials deletes the sessions that have expired under policy at now (idle past
// IdleTimeout, or older than SessionLifetime) and the bearer tokens past their expiry, and returns
// how many rows it removed. Expired credentials are refused anyway; purging keeps the tables small
// and drops what is no longer needed. pool acts as caseledger_app. The runtime calls it on a timer.
func PurgeExpiredCredentials(ctx context.Context, pool *pgxpool.Pool, policy identity.Policy, now time.Time) (int64, error) {
	s, err := pool.Exec(ctx, `DELETE FROM api_sessions WHERE last_seen_at <= $1 OR created_at <= $2`,
		now.Add(-policy.IdleTimeout), now.Add(-policy.SessionLifetime))
	if err != nil {
		return 0, fmt.Errorf("purge sessions: %w", err)
	}
	t, err := pool.Exec(ctx, `DELETE FROM api_tokens WHERE expires_at <= $1`, now)
	if err != nil {
		return s.RowsAffected(), fmt.Errorf("purge tokens: %w", err)
	}
	return s.RowsAffected() + t.RowsAffected(), nil
}
