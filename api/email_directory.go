package api

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
)

// NewUserDirectory returns the PostgreSQL commands.UserDirectory over pool (acting as
// caseledger_app), for callers outside the API that register users (bootstrap, demo seeding).
func NewUserDirectory(pool *pgxpool.Pool) commands.UserDirectory { return emailDirectory{pool: pool} }

// emailDirectory is the PostgreSQL commands.UserDirectory: the user_email_index table, keyed by
// blind-index tokens. It never sees an email address. Safe for concurrent use.
type emailDirectory struct{ pool *pgxpool.Pool }

// Claim inserts (token, user); a token held by another user gives KindConflict "email_taken".
func (d emailDirectory) Claim(ctx context.Context, token []byte, user domain.ID) error {
	_, err := d.pool.Exec(ctx, `INSERT INTO user_email_index (token, user_id) VALUES ($1, $2)`, token, uuid.UUID(user))
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		var holder uuid.UUID
		if qerr := d.pool.QueryRow(ctx, `SELECT user_id FROM user_email_index WHERE token = $1`, token).Scan(&holder); qerr == nil && holder == uuid.UUID(user) {
			return nil
		}
		return domain.Conflict("email_taken", "a user with this email already exists")
	}
	if err != nil {
		return fmt.Errorf("claim email token for user %s: %w", user, err)
	}
	return nil
}

// Release deletes the token if user holds it.
func (d emailDirectory) Release(ctx context.Context, token []byte, user domain.ID) error {
	if _, err := d.pool.Exec(ctx, `DELETE FROM user_email_index WHERE token = $1 AND user_id = $2`, token, uuid.UUID(user)); err != nil {
		return fmt.Errorf("release email token for user %s: %w", user, err)
	}
	return nil
}

// Lookup returns the user holding token, or a KindNotFound error.
func (d emailDirectory) Lookup(ctx context.Context, token []byte) (domain.ID, error) {
	var id uuid.UUID
	err := d.pool.QueryRow(ctx, `SELECT user_id FROM user_email_index WHERE token = $1`, token).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.ID{}, &domain.Error{Kind: domain.KindNotFound, Code: "user_not_found", Message: "no user has this email"}
	}
	if err != nil {
		return domain.ID{}, fmt.Errorf("look up email token: %w", err)
	}
	return domain.ID(id), nil
}

// UserIDs returns every user id in the directory.
func (d emailDirectory) UserIDs(ctx context.Context) ([]domain.ID, error) {
	rows, err := d.pool.Query(ctx, `SELECT user_id FROM user_email_index`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.ID, error) {
		var id uuid.UUID
		err := r.Scan(&id)
		return domain.ID(id), err
	})
}
