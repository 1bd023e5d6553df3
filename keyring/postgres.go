package keyring

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// notifyChannel is the PostgreSQL channel on which keyring_shred and ReplaceKeyset announce a
// changed subject (payload: the subject id).
const notifyChannel = "caseledger_keyring"

// PostgresStorage keeps keysets in the keyring tables of migrations/0010_keyring.sql. Its pool must
// act as caseledger_app (or the owner). It is safe for concurrent use.
type PostgresStorage struct {
	pool *pgxpool.Pool
	// retry is how long Watch waits before reconnecting after losing its connection.
	retry time.Duration
}

// NewPostgresStorage returns a PostgresStorage on pool. The tables must exist (migrations.Apply).
func NewPostgresStorage(pool *pgxpool.Pool) *PostgresStorage {
	return &PostgresStorage{pool: pool, retry: time.Second}
}

func keyIDs(ids []int64) []uint32 {
	out := make([]uint32, len(ids))
	for i, id := range ids {
		out[i] = uint32(id)
	}
	return out
}

func keyIDs64(ids []uint32) []int64 {
	out := make([]int64, len(ids))
	for i, id := range ids {
		out[i] = int64(id)
	}
	return out
}

// LoadKeyset implements Storage, reading keyset and tombstone in one round trip.
func (p *PostgresStorage) LoadKeyset(ctx context.Context, subject uuid.UUID) (Wrapped, error) {
	var (
		w       = Wrapped{Subject: subject}
		wrapped []byte
		master  *string
		ids     []int64
		rev     *int64
		erasedT bool
	)
	err := p.pool.QueryRow(ctx, `
		SELECT k.wrapped, k.master_id, k.key_ids, k.revision, t.subject_id IS NOT NULL
		FROM (SELECT $1::uuid AS id) s
		LEFT JOIN keyring_subject_keys k ON k.subject_id = s.id
		LEFT JOIN keyring_tombstones t ON t.subject_id = s.id`, subject).Scan(&wrapped, &master, &ids, &rev, &erasedT)
	if err != nil {
		return Wrapped{}, fmt.Errorf("keyring: load keyset %s: %w", subject, err)
	}
	if erasedT {
		return Wrapped{}, erased("load", subject)
	}
	if master == nil {
		return Wrapped{}, ErrNoKeyset
	}
	w.Ciphertext, w.MasterID, w.KeyIDs, w.Revision = wrapped, *master, keyIDs(ids), *rev
	return w, nil
}

// CreateKeyset implements Storage through keyring_create, which serialises with keyring_shred.
func (p *PostgresStorage) CreateKeyset(ctx context.Context, w Wrapped) (Wrapped, error) {
	var (
		status int
		out    = Wrapped{Subject: w.Subject}
		master *string
		ids    []int64
		rev    *int64
	)
	err := p.pool.QueryRow(ctx, `SELECT o_status, o_wrapped, o_master, o_key_ids, o_revision FROM keyring_create($1, $2, $3, $4)`,
		w.Subject, w.Ciphertext, w.MasterID, keyIDs64(w.KeyIDs)).Scan(&status, &out.Ciphertext, &master, &ids, &rev)
	if err != nil {
		return Wrapped{}, fmt.Errorf("keyring: create keyset %s: %w", w.Subject, err)
	}
	if status == 1 {
		return Wrapped{}, erased("create", w.Subject)
	}
	if master == nil || rev == nil {
		return Wrapped{}, fmt.Errorf("keyring: create keyset %s: no row stored", w.Subject)
	}
	out.MasterID, out.KeyIDs, out.Revision = *master, keyIDs(ids), *rev
	return out, nil
}

// ReplaceKeyset implements Storage; the change is announced on commit.
func (p *PostgresStorage) ReplaceKeyset(ctx context.Context, w Wrapped) (Wrapped, error) {
	var rev int64
	err := p.pool.QueryRow(ctx, `
		WITH u AS (
			UPDATE keyring_subject_keys
			SET wrapped = $3, master_id = $4, key_ids = $5, revision = nextval('keyring_revision'), updated_at = now()
			WHERE subject_id = $1 AND revision = $2
			RETURNING revision)
		SELECT u.revision FROM u, pg_notify($6, $1::text)`,
		w.Subject, w.Revision, w.Ciphertext, w.MasterID, keyIDs64(w.KeyIDs), notifyChannel).Scan(&rev)
	if errors.Is(err, pgx.ErrNoRows) {
		if _, lerr := p.LoadKeyset(ctx, w.Subject); errors.Is(lerr, ErrErased) {
			return Wrapped{}, erased("replace", w.Subject)
		}
		return Wrapped{}, ErrConflict
	}
	if err != nil {
		return Wrapped{}, fmt.Errorf("keyring: replace keyset %s: %w", w.Subject, err)
	}
	w.Revision = rev
	return w, nil
}

// ShredKeyset implements Storage through keyring_shred.
func (p *PostgresStorage) ShredKeyset(ctx context.Context, subject, requestID uuid.UUID, at time.Time) (Tombstone, error) {
	t := Tombstone{Subject: subject}
	var ids []int64
	err := p.pool.QueryRow(ctx, `SELECT o_request, o_key_ids, o_erased_at, o_existed FROM keyring_shred($1, $2, $3)`,
		subject, requestID, at).Scan(&t.RequestID, &ids, &t.ErasedAt, &t.Existed)
	if err != nil {
		return Tombstone{}, fmt.Errorf("keyring: shred %s: %w", subject, err)
	}
	t.KeyIDs = keyIDs(ids)
	return t, nil
}

// ListKeysets implements Storage.
func (p *PostgresStorage) ListKeysets(ctx context.Context, notMaster string, after uuid.UUID, limit int) ([]Wrapped, error) {
	rows, err := p.pool.Query(ctx, `
		SELECT subject_id, wrapped, master_id, key_ids, revision FROM keyring_subject_keys
		WHERE subject_id > $1 AND ($2 = '' OR master_id <> $2)
		ORDER BY subject_id LIMIT $3`, after, notMaster, limit)
	if err != nil {
		return nil, fmt.Errorf("keyring: list keysets: %w", err)
	}
	return collectWrapped(rows)
}

func collectWrapped(rows pgx.Rows) ([]Wrapped, error) {
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Wrapped, error) {
		var w Wrapped
		var ids []int64
		err := r.Scan(&w.Subject, &w.Ciphertext, &w.MasterID, &ids, &w.Revision)
		w.KeyIDs = keyIDs(ids)
		return w, err
	})
	if err != nil {
		return nil, fmt.Errorf("keyring: list keysets: %w", err)
	}
	return out, nil
}

func collectPractice(rows pgx.Rows) ([]Wrapped, error) {
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Wrapped, error) {
		var w Wrapped
		var ids []int64
		err := r.Scan(&w.Name, &w.Ciphertext, &w.MasterID, &ids, &w.Revision)
		w.KeyIDs = keyIDs(ids)
		return w, err
	})
	if err != nil {
		return nil, fmt.Errorf("keyring: practice keysets: %w", err)
	}
	return out, nil
}

// LoadPracticeKeyset implements Storage.
func (p *PostgresStorage) LoadPracticeKeyset(ctx context.Context, name string) (Wrapped, error) {
	rows, err := p.pool.Query(ctx, `SELECT name, wrapped, master_id, key_ids, revision FROM keyring_practice_keys WHERE name = $1`, name)
	if err != nil {
		return Wrapped{}, fmt.Errorf("keyring: practice keyset %s: %w", name, err)
	}
	ws, err := collectPractice(rows)
	if err != nil {
		return Wrapped{}, err
	}
	if len(ws) == 0 {
		return Wrapped{}, ErrNoKeyset
	}
	return ws[0], nil
}

// CreatePracticeKeyset implements Storage.
func (p *PostgresStorage) CreatePracticeKeyset(ctx context.Context, w Wrapped) (Wrapped, error) {
	_, err := p.pool.Exec(ctx, `INSERT INTO keyring_practice_keys (name, wrapped, master_id, key_ids) VALUES ($1, $2, $3, $4)
		ON CONFLICT (name) DO NOTHING`, w.Name, w.Ciphertext, w.MasterID, keyIDs64(w.KeyIDs))
	if err != nil {
		return Wrapped{}, fmt.Errorf("keyring: create practice keyset %s: %w", w.Name, err)
	}
	return p.LoadPracticeKeyset(ctx, w.Name)
}

// ReplacePracticeKeyset implements Storage.
func (p *PostgresStorage) ReplacePracticeKeyset(ctx context.Context, w Wrapped) (Wrapped, error) {
	err := p.pool.QueryRow(ctx, `UPDATE keyring_practice_keys
		SET wrapped = $3, master_id = $4, key_ids = $5, revision = nextval('keyring_revision'), updated_at = now()
		WHERE name = $1 AND revision = $2 RETURNING revision`,
		w.Name, w.Revision, w.Ciphertext, w.MasterID, keyIDs64(w.KeyIDs)).Scan(&w.Revision)
	if errors.Is(err, pgx.ErrNoRows) {
		return Wrapped{}, ErrConflict
	}
	if err != nil {
		return Wrapped{}, fmt.Errorf("keyring: replace practice keyset %s: %w", w.Name, err)
	}
	return w, nil
}

// ListPracticeKeysets implements Storage.
func (p *PostgresStorage) ListPracticeKeysets(ctx context.Context, notMaster string) ([]Wrapped, error) {
	rows, err := p.pool.Query(ctx, `SELECT name, wrapped, master_id, key_ids, revision FROM keyring_practice_keys
		WHERE $1 = '' OR master_id <> $1 ORDER BY name`, notMaster)
	if err != nil {
		return nil, fmt.Errorf("keyring: practice keysets: %w", err)
	}
	return collectPractice(rows)
}

// MasterIDs implements Storage.
func (p *PostgresStorage) MasterIDs(ctx context.Context) ([]string, error) {
	rows, err := p.pool.Query(ctx, `SELECT master_id FROM keyring_masters ORDER BY master_id`)
	if err != nil {
		return nil, fmt.Errorf("keyring: master ids: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("keyring: master ids: %w", err)
	}
	return ids, nil
}

// MasterCheck implements Storage.
func (p *PostgresStorage) MasterCheck(ctx context.Context, id string) ([]byte, bool, error) {
	var check []byte
	err := p.pool.QueryRow(ctx, `SELECT check_value FROM keyring_masters WHERE master_id = $1`, id).Scan(&check)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("keyring: master check: %w", err)
	}
	return check, true, nil
}

// PutMasterCheck implements Storage.
func (p *PostgresStorage) PutMasterCheck(ctx context.Context, id string, check []byte) ([]byte, error) {
	if _, err := p.pool.Exec(ctx, `INSERT INTO keyring_masters (master_id, check_value) VALUES ($1, $2)
		ON CONFLICT (master_id) DO NOTHING`, id, check); err != nil {
		return nil, fmt.Errorf("keyring: store master check: %w", err)
	}
	stored, _, err := p.MasterCheck(ctx, id)
	return stored, err
}

// KDFs implements Storage.
func (p *PostgresStorage) KDFs(ctx context.Context) ([]KDF, error) {
	rows, err := p.pool.Query(ctx, `SELECT master_id, salt, time_cost, memory_kib, threads FROM keyring_kdf ORDER BY created_at, master_id`)
	if err != nil {
		return nil, fmt.Errorf("keyring: kdf parameters: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (KDF, error) {
		var k KDF
		var t, m int32
		var th int16
		err := r.Scan(&k.ID, &k.Salt, &t, &m, &th)
		k.Time, k.Memory, k.Threads = uint32(t), uint32(m), uint8(th)
		return k, err
	})
	if err != nil {
		return nil, fmt.Errorf("keyring: kdf parameters: %w", err)
	}
	return out, nil
}

// PutKDF implements Storage.
func (p *PostgresStorage) PutKDF(ctx context.Context, k KDF) error {
	if _, err := p.pool.Exec(ctx, `INSERT INTO keyring_kdf (master_id, salt, time_cost, memory_kib, threads) VALUES ($1, $2, $3, $4, $5)`,
		k.ID, k.Salt, int32(k.Time), int32(k.Memory), int16(k.Threads)); err != nil {
		return fmt.Errorf("keyring: store kdf parameters: %w", err)
	}
	return nil
}

// vacuumLockTimeout bounds how long Vacuum waits for the key table's exclusive lock, and
// vacuumHorizonWait how long it waits for older snapshots to end.
const (
	vacuumLockTimeout = "5s"
	vacuumHorizonWait = 30 * time.Second
)

// Vacuum rewrites the subject key table with VACUUM FULL, so that the bytes of keysets deleted
// before the call leave the table's files now. A plain VACUUM is not enough: it marks a dead row's
// space free but may leave its bytes in the page until another row overwrites them.
//
// A dead row survives any vacuum while a transaction that might still see it is open: a snapshot
// in this database older than the delete, or a transaction holding an id older than the delete
// anywhere on the server (every new snapshot's horizon stops at it, VACUUM's own included).
// Vacuum therefore first waits, up to 30 seconds, until every such transaction that was running at
// the call has ended (listeners reading the shred's notification hold one for a moment); if one is
// still open then, it vacuums anyway and reports the sessions (pid 0: a transaction in another
// database), and the keyset's row may survive until the next VACUUM FULL.
//
// VACUUM FULL holds an exclusive lock on the key table while it copies the live rows (key loads on
// a cache miss wait for it; the table is small), and Vacuum waits at most 5 seconds for that lock.
// It needs the table's owner (caseledger_keyring, of which caseledger_app is a member).
func (p *PostgresStorage) Vacuum(ctx context.Context) error {
	conn, err := p.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("keyring: vacuum key table: %w", err)
	}
	defer conn.Release()
	blockers, err := waitForOlderSnapshots(ctx, conn.Conn())
	if err != nil {
		return fmt.Errorf("keyring: vacuum key table: %w", err)
	}
	if _, err := conn.Exec(ctx, "SET lock_timeout = '"+vacuumLockTimeout+"'"); err != nil {
		return fmt.Errorf("keyring: vacuum key table: %w", err)
	}
	_, err = conn.Exec(ctx, `VACUUM (FULL) keyring_subject_keys`)
	if _, rerr := conn.Exec(context.WithoutCancel(ctx), `RESET lock_timeout`); rerr != nil {
		conn.Conn().Close(context.WithoutCancel(ctx)) // never hand back a session with the timeout set
	}
	if err != nil {
		return fmt.Errorf("keyring: vacuum key table: %w", err)
	}
	if len(blockers) > 0 {
		return fmt.Errorf("keyring: vacuum key table: sessions %v held snapshots older than the shred; its dead row may survive until the next VACUUM FULL keyring_subject_keys", blockers)
	}
	return nil
}

// waitForOlderSnapshots waits until no other session of this database holds a snapshot or a
// transaction id older than the next transaction id at the time of the call, and no transaction
// anywhere on the server holds such an id; it returns the pids of the sessions still holding one
// after vacuumHorizonWait (0 for a transaction in another database).
func waitForOlderSnapshots(ctx context.Context, conn *pgx.Conn) ([]int32, error) {
	var horizon string
	if err := conn.QueryRow(ctx, `SELECT pg_snapshot_xmax(pg_current_snapshot())::text`).Scan(&horizon); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(vacuumHorizonWait)
	for {
		rows, err := conn.Query(ctx, `
			SELECT pid FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid()
			  AND (age(backend_xmin) > age(($1::xid8::text::numeric % 4294967296)::text::xid)
			    OR age(backend_xid) > age(($1::xid8::text::numeric % 4294967296)::text::xid))
			UNION ALL
			SELECT 0 WHERE pg_snapshot_xmin(pg_current_snapshot()) < $1::xid8`, horizon)
		if err != nil {
			return nil, err
		}
		pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
		if err != nil || len(pids) == 0 || time.Now().After(deadline) {
			return pids, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// Watch implements Storage with LISTEN on a connection of its own (not taken from the pool). If the
// first connection fails, Watch returns its error. After a lost connection it reconnects, pausing
// between attempts, and calls w.Reset once listening again.
func (p *PostgresStorage) Watch(ctx context.Context, w Watcher) error {
	listened := false
	for {
		err := p.listen(ctx, w, &listened)
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case !listened:
			return fmt.Errorf("keyring: listen on %s: %w", notifyChannel, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(p.retry):
		}
	}
}

// listen listens until the connection fails, setting *listened once LISTEN took effect.
func (p *PostgresStorage) listen(ctx context.Context, w Watcher, listened *bool) error {
	conn, err := pgx.ConnectConfig(ctx, p.pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
		return err
	}
	*listened = true
	w.Reset()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if id, perr := uuid.Parse(n.Payload); perr == nil {
			w.Changed(id)
		} else {
			w.Reset()
		}
	}
}
