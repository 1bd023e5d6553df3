package pgstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/caseledger/caseledger/eventstore"
)

// Verify recomputes the hash chain of every stream in the database of pool, from one consistent
// snapshot, and returns a summary naming the first broken event. A broken chain is a report with
// OK false, not an error; the error is for failing to read the log. The pool's role needs SELECT
// on event_log. It reads the whole log once, streaming, in (stream, version) order.
func Verify(ctx context.Context, pool *pgxpool.Pool) (eventstore.VerifyReport, error) {
	var v eventstore.ChainVerifier
	err := pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+columns+` FROM event_log ORDER BY stream_id, version`, binaryResults)
		if err != nil {
			return err
		}
		defer rows.Close()
		var r eventstore.RecordedEvent
		var arena rowArena
		for rows.Next() {
			if err := arena.decodeRow(rows.RawValues(), &r); err != nil {
				return err
			}
			v.Add(r)
		}
		return rows.Err()
	})
	if err != nil {
		return eventstore.VerifyReport{}, fmt.Errorf("verify: %w", err)
	}
	return v.Report(), nil
}

// StreamHeads returns the last event of every stream in the database of pool, in stream id order:
// what a signed checkpoint covers. An empty log returns an empty slice.
func StreamHeads(ctx context.Context, pool *pgxpool.Pool) ([]eventstore.StreamHead, error) {
	rows, err := pool.Query(ctx, `SELECT DISTINCT ON (stream_id) stream_id, version, event_id, hash
		FROM event_log ORDER BY stream_id, version DESC`)
	if err != nil {
		return nil, fmt.Errorf("stream heads: %w", err)
	}
	heads := []eventstore.StreamHead{}
	for rows.Next() {
		var (
			h       eventstore.StreamHead
			stream  string
			version int64
			hash    []byte
		)
		if err := rows.Scan(&stream, &version, &h.EventID, &hash); err != nil {
			rows.Close()
			return nil, fmt.Errorf("stream heads: %w", err)
		}
		if len(hash) != len(h.Hash) {
			rows.Close()
			return nil, fmt.Errorf("stream heads: %s: hash of %d bytes", stream, len(hash))
		}
		h.Stream, h.Version = eventstore.StreamID(stream), uint64(version)
		copy(h.Hash[:], hash)
		heads = append(heads, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("stream heads: %w", err)
	}
	eventstore.SortHeads(heads) // byte order, whatever the database's collation
	return heads, nil
}

// Verify is the package function Verify on s's pool.
func (s *Store) Verify(ctx context.Context) (eventstore.VerifyReport, error) {
	return Verify(ctx, s.pool)
}

// StreamHeads is the package function StreamHeads on s's pool.
func (s *Store) StreamHeads(ctx context.Context) ([]eventstore.StreamHead, error) {
	return StreamHeads(ctx, s.pool)
}
