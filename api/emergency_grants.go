package api

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/identity"
)

// emergencyGrants is the PostgreSQL commands.EmergencyGrants: the emergency_access table, ids and
// times only. Safe for concurrent use.
type emergencyGrants struct{ pool *pgxpool.Pool }

// Record inserts the grant.
func (g emergencyGrants) Record(ctx context.Context, e identity.EmergencyAccessGranted) error {
	_, err := g.pool.Exec(ctx, `INSERT INTO emergency_access (grant_id, therapist_id, client_id, granted_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		uuid.UUID(e.GrantID), uuid.UUID(e.TherapistID), uuid.UUID(e.ClientID), e.At, e.Until)
	if err != nil {
		return fmt.Errorf("record emergency grant %s: %w", e.GrantID, err)
	}
	return nil
}

// Active reports whether therapist holds a grant on client live at now.
func (g emergencyGrants) Active(ctx context.Context, therapist, client domain.ID, now time.Time) (bool, error) {
	_, ok, err := g.ActiveGrant(ctx, therapist, client, now)
	return ok, err
}

// ActiveGrant returns the grant therapist holds on client live at now (the latest granted, when
// several are), and false when there is none.
func (g emergencyGrants) ActiveGrant(ctx context.Context, therapist, client domain.ID, now time.Time) (domain.ID, bool, error) {
	var id uuid.UUID
	err := g.pool.QueryRow(ctx, `SELECT grant_id FROM emergency_access
		WHERE therapist_id = $1 AND client_id = $2 AND granted_at <= $3 AND expires_at > $3
		ORDER BY granted_at DESC LIMIT 1`,
		uuid.UUID(therapist), uuid.UUID(client), now).Scan(&id)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return domain.ID{}, false, nil
	case err != nil:
		return domain.ID{}, false, fmt.Errorf("check emergency grant: %w", err)
	}
	return domain.ID(id), true, nil
}

// grantRow is one line of the DPO's list.
type grantRow struct {
	GrantID     domain.ID  `json:"grant_id"`
	TherapistID domain.ID  `json:"therapist_id"`
	ClientID    domain.ID  `json:"client_id"`
	GrantedAt   time.Time  `json:"granted_at"`
	ExpiresAt   time.Time  `json:"expires_at"`
	ReviewedAt  *time.Time `json:"reviewed_at,omitempty"`
	ReviewedBy  *domain.ID `json:"reviewed_by,omitempty"`
	Reason      string     `json:"reason,omitempty"`
}

// list returns grants made in [from, to), newest first; unreviewed only when pending.
func (g emergencyGrants) list(ctx context.Context, from, to time.Time, pending bool) ([]grantRow, error) {
	rows, err := g.pool.Query(ctx, `SELECT grant_id, therapist_id, client_id, granted_at, expires_at, reviewed_at, reviewed_by
		FROM emergency_access WHERE granted_at >= $1 AND granted_at < $2 AND (NOT $3 OR reviewed_at IS NULL)
		ORDER BY granted_at DESC LIMIT 1000`, from, to, pending)
	if err != nil {
		return nil, fmt.Errorf("list emergency grants: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (grantRow, error) {
		var out grantRow
		var gid, tid, cid uuid.UUID
		var by *uuid.UUID
		if err := r.Scan(&gid, &tid, &cid, &out.GrantedAt, &out.ExpiresAt, &out.ReviewedAt, &by); err != nil {
			return grantRow{}, err
		}
		out.GrantID, out.TherapistID, out.ClientID = domain.ID(gid), domain.ID(tid), domain.ID(cid)
		if by != nil {
			id := domain.ID(*by)
			out.ReviewedBy = &id
		}
		return out, nil
	})
}

// review marks a grant reviewed by the DPO; a missing or already reviewed grant is not found.
func (g emergencyGrants) review(ctx context.Context, grant, by domain.ID, at time.Time) error {
	tag, err := g.pool.Exec(ctx, `UPDATE emergency_access SET reviewed_at = $3, reviewed_by = $2 WHERE grant_id = $1 AND reviewed_at IS NULL`,
		uuid.UUID(grant), uuid.UUID(by), at)
	if err != nil {
		return fmt.Errorf("review emergency grant %s: %w", grant, err)
	}
	if tag.RowsAffected() == 0 {
		return domain.NotFound("emergency_grant", grant)
	}
	return nil
}
