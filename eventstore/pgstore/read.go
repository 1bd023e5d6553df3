package pgstore

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/caseledger/caseledger/eventstore"
)

// columns is the select list every read decodes with decodeRow, in this order.
const columns = `tx_order, position, stream_id, version, event_id, event_type, schema_version,
	occurred_at, recorded_at, actor_id, actor_role, subject_id, key_id, correlation_id, causation_id,
	payload, prev_hash, hash`

const numColumns = 18

// binaryResults asks for every column in PostgreSQL's binary format, which decodeRow reads.
var binaryResults = pgx.QueryResultFormats{pgx.BinaryFormatCode}

// readAllSQL reads in global order and only below the visibility horizon: the oldest transaction
// still running when the statement's snapshot was taken, mapped into tx_order. An event of a
// transaction that commits later can then never be passed by a reader that already saw a later
// position. Transactions seen running in other databases of the server are left out of the
// horizon (they cannot write this log), so a long transaction elsewhere does not hold it back;
// a transaction that ended after the snapshot cannot be placed and is kept, which only delays.
const readAllSQL = `SELECT ` + columns + ` FROM event_log
	WHERE (tx_order, position) > ($1, $2)
	  AND tx_order < (SELECT xid_offset FROM event_log_xid) + (
	      SELECT coalesce(
	          (SELECT min(x::text::bigint) FROM pg_snapshot_xip(s.snap) AS x
	            WHERE x::text::bigint % 4294967296 NOT IN (
	                SELECT a.backend_xid::text::bigint FROM pg_stat_get_activity(NULL) AS a
	                 WHERE a.backend_xid IS NOT NULL
	                   AND a.datid <> (SELECT oid FROM pg_database WHERE datname = current_database()))),
	          pg_snapshot_xmax(s.snap)::text::bigint)
	        FROM (SELECT pg_current_snapshot() AS snap) AS s)
	ORDER BY tx_order, position
	LIMIT $3`

// readStreamSQL reads a stream in version order from $2. ReadStream starts one version early
// (from-1) when from > 0: the row at from-1 proves the stream exists when nothing follows it,
// without a second round trip.
const readStreamSQL = `SELECT ` + columns + ` FROM event_log
	WHERE stream_id = $1 AND version >= $2
	ORDER BY version
	LIMIT $3`

// streamPage and allPage are the capacities ReadStream and ReadAll start a non-empty result with:
// most streams are short, while a ReadAll that finds one event usually finds a full page. A
// ReadAll that fills allPage grows at once to its limit, up to allFull.
const (
	streamPage = 16
	allPage    = 1024
	allFull    = eventstore.MaxAppendEvents
)

const streamExistsSQL = `SELECT EXISTS (SELECT 1 FROM event_log WHERE stream_id = $1)`

// ReadStream implements eventstore.Store in one statement, without the global visibility horizon
// ReadAll needs and without a transaction: a stream is consistent on its own. Version N of a
// stream is only ever inserted by a statement that saw version N-1 committed (or wrote it itself),
// and the unique (stream_id, version) constraint refuses a second N, so N-1 commits no later than
// N and any snapshot that sees N sees every version below it: a reader sees a prefix of the stream.
// Hence an empty read from version 0 means the stream has no events. Reading from from > 0 starts
// at from-1, whose row (dropped) shows that the stream exists; only when even that row is missing
// does ReadStream ask whether the stream exists at all.
func (s *Store) ReadStream(ctx context.Context, stream eventstore.StreamID, from uint64, limit int) ([]eventstore.RecordedEvent, error) {
	if err := stream.Validate(); err != nil {
		return nil, fmt.Errorf("read %s: %w", stream, err)
	}
	out, known, exists := []eventstore.RecordedEvent{}, false, false
	if limit > 0 {
		start, n := from, int64(limit)
		if from > 0 {
			start, n = from-1, min(n, math.MaxInt64-1)+1
		}
		var err error
		if out, err = s.query(ctx, streamPage, 0, readStreamSQL, string(stream), clampInt64(start), n); err != nil {
			return nil, fmt.Errorf("read %s: %w", stream, err)
		}
		known, exists = len(out) > 0 || from == 0, len(out) > 0
		if exists && from > 0 && out[0].Version == from-1 {
			out = out[1:]
		}
	}
	if !known {
		if err := s.pool.QueryRow(ctx, streamExistsSQL, string(stream)).Scan(&exists); err != nil {
			return nil, fmt.Errorf("read %s: %w", stream, err)
		}
	}
	if !exists {
		return nil, fmt.Errorf("read %s: %w", stream, eventstore.ErrStreamNotFound)
	}
	return out, nil
}

// ReadAll implements eventstore.Store.
func (s *Store) ReadAll(ctx context.Context, from eventstore.Position, limit int) ([]eventstore.RecordedEvent, error) {
	if limit <= 0 {
		return []eventstore.RecordedEvent{}, ctx.Err()
	}
	tx, pos := from.Parts()
	out, err := s.query(ctx, min(limit, allPage), min(limit, allFull), readAllSQL, clampInt64(tx), clampInt64(pos), limit)
	if err != nil {
		return nil, fmt.Errorf("read all after %s: %w", from, err)
	}
	return out, nil
}

// query runs a select of columns and decodes every row. The result is never nil. Its capacity is
// first once a first row arrives and full (when larger) once first rows have, and it grows by
// doubling from there: an empty result allocates nothing, and a RecordedEvent is a few hundred
// bytes, so sizing by a limit of thousands that is rarely reached costs more than the read; but a
// ReadAll that fills its first page usually fills its limit (a rebuild reads 10,000 events at a
// time), and doubling up to it would allocate twice what it keeps.
func (s *Store) query(ctx context.Context, first, full int, sql string, args ...any) ([]eventstore.RecordedEvent, error) {
	rows, err := s.pool.Query(ctx, sql, append([]any{binaryResults}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []eventstore.RecordedEvent{}
	var arena rowArena
	for rows.Next() {
		switch {
		case cap(out) == 0:
			out = make([]eventstore.RecordedEvent, 0, first)
		case len(out) == cap(out) && cap(out) < full:
			out = append(make([]eventstore.RecordedEvent, 0, full), out...)
		}
		var r eventstore.RecordedEvent
		if err := arena.decodeRow(rows.RawValues(), &r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// pgEpochMicros is 2000-01-01T00:00:00Z, PostgreSQL's timestamp epoch, in Unix microseconds.
const pgEpochMicros = 946684800 * 1000000

// rowArena is where one query's decoded rows keep their variable-length values, so that a page
// of thousands of events costs a few allocations rather than several per event: payloads are
// carved out of shared chunks, and a stream id, event type or role equal to one already read is
// shared rather than copied again (a page holds few distinct types and roles, and a stream's
// events come together).
type rowArena struct {
	chunk   []byte
	strings map[string]string
	stream  eventstore.StreamID
}

// arenaChunk is the size of the chunks payloads are carved from; a larger payload gets its own.
const arenaChunk = 64 << 10

// bytes returns a copy of b that nothing else shares and that cannot grow into a neighbour.
func (a *rowArena) bytes(b []byte) []byte {
	if len(b) > arenaChunk/8 {
		return append(make([]byte, 0, len(b)), b...)
	}
	if len(a.chunk) < len(b) {
		a.chunk = make([]byte, arenaChunk)
	}
	out := a.chunk[:len(b):len(b)]
	copy(out, b)
	a.chunk = a.chunk[len(b):]
	return out
}

// intern returns b as a string, shared with every equal one this arena returned.
func (a *rowArena) intern(b []byte) string {
	if s, ok := a.strings[string(b)]; ok {
		return s
	}
	if a.strings == nil {
		a.strings = map[string]string{}
	}
	s := string(b)
	a.strings[s] = s
	return s
}

// streamID returns b as a stream id, shared with the previous row's when equal.
func (a *rowArena) streamID(b []byte) eventstore.StreamID {
	if string(a.stream) != string(b) {
		a.stream = eventstore.StreamID(b)
	}
	return a.stream
}

// decodeRow fills r from the binary values of one row of columns. Variable-length values are
// copied into a: raw values are only valid until the next row.
func (a *rowArena) decodeRow(raw [][]byte, r *eventstore.RecordedEvent) error {
	if len(raw) != numColumns {
		return fmt.Errorf("decode event: %d columns, want %d", len(raw), numColumns)
	}
	for i, v := range raw {
		if v == nil {
			return fmt.Errorf("decode event: column %d is NULL", i)
		}
	}
	var err error
	i64 := func(b []byte) int64 {
		if len(b) != 8 {
			err = fmt.Errorf("decode event: int8 of %d bytes", len(b))
			return 0
		}
		return int64(binary.BigEndian.Uint64(b))
	}
	id := func(b []byte) uuid.UUID {
		var u uuid.UUID
		if len(b) != 16 {
			err = fmt.Errorf("decode event: uuid of %d bytes", len(b))
			return u
		}
		copy(u[:], b)
		return u
	}
	ts := func(b []byte) time.Time { return time.UnixMicro(i64(b) + pgEpochMicros).UTC() }
	hash := func(b []byte) [32]byte {
		var h [32]byte
		if len(b) != 32 {
			err = fmt.Errorf("decode event: hash of %d bytes", len(b))
			return h
		}
		copy(h[:], b)
		return h
	}
	if len(raw[6]) != 4 {
		return fmt.Errorf("decode event: int4 of %d bytes", len(raw[6]))
	}
	r.Position = eventstore.NewPosition(uint64(i64(raw[0])), uint64(i64(raw[1])))
	r.StreamID = a.streamID(raw[2])
	r.Version = uint64(i64(raw[3]))
	r.ID = id(raw[4])
	r.Type = a.intern(raw[5])
	r.SchemaVersion = int(int32(binary.BigEndian.Uint32(raw[6])))
	r.OccurredAt = ts(raw[7])
	r.RecordedAt = ts(raw[8])
	r.Actor = eventstore.Actor{UserID: id(raw[9]), Role: a.intern(raw[10])}
	r.Subject = id(raw[11])
	r.KeyID = uint32(i64(raw[12]))
	r.CorrelationID = id(raw[13])
	r.CausationID = id(raw[14])
	r.Payload = a.bytes(raw[15])
	r.PrevHash = hash(raw[16])
	r.Hash = hash(raw[17])
	return err
}

func clampInt64(v uint64) int64 {
	if v > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(v)
}
