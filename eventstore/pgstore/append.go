package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/caseledger/caseledger/eventstore"
)

// maxRaceRetries bounds how often an Any or StreamExists append retries after losing a race for
// the next version to a concurrent append.
const maxRaceRetries = 100

// appendBatchSQL appends two or more events through event_log_append (migrations/0003).
const appendBatchSQL = `SELECT o_status, o_version, o_tx, o_position FROM event_log_append(
	$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`

// appendOneSQL appends one event in one plain statement, which PostgreSQL plans once per
// connection (pgx prepares it) instead of running plpgsql: it reads the stream's head, checks the
// expected version exactly as event_log_append does ($2: 0 any, 1 no stream, 2 stream exists,
// 3 exactly $3), chains the hash sha256(prev || head || int8 version || meta || payload) and
// inserts the row. It returns event_log_append's columns: status 0 with the new version, or 1 with
// the head's version (NULL for no stream) and nothing written. A concurrent append of the same
// version fails on event_log_stream_version_key (23505), as with the function.
const appendOneSQL = `WITH head AS (
	SELECT e.version, e.hash FROM event_log e WHERE e.stream_id = $1 ORDER BY e.version DESC LIMIT 1
), h AS (
	SELECT (SELECT version FROM head) AS version,
	       coalesce((SELECT hash FROM head),
	                '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea) AS hash
), ins AS (
	INSERT INTO event_log (tx_order, stream_id, version, event_id, event_type, schema_version,
	                       occurred_at, recorded_at, actor_id, actor_role, subject_id, key_id,
	                       correlation_id, causation_id, payload, prev_hash, hash)
	SELECT pg_current_xact_id()::text::bigint + x.xid_offset, $1, coalesce(h.version + 1, 0),
	       $5, $6, $7, $8, $4, $9, $10, $11, $12, $13, $14, $15, h.hash,
	       sha256(h.hash || $16::bytea || int8send(coalesce(h.version + 1, 0)) || $17::bytea || $15::bytea)
	  FROM h, event_log_xid x
	 WHERE CASE $2::integer WHEN 0 THEN true
	                        WHEN 1 THEN h.version IS NULL
	                        WHEN 2 THEN h.version IS NOT NULL
	                        ELSE h.version = $3::bigint END
	RETURNING version, tx_order, position)
SELECT CASE WHEN ins.position IS NULL THEN 1 ELSE 0 END, coalesce(ins.version, h.version),
       ins.tx_order, ins.position
  FROM h LEFT JOIN ins ON true`

// Append implements eventstore.Store in one round trip (one statement, one transaction): a single
// event through appendOneSQL, a batch through event_log_append.
func (s *Store) Append(ctx context.Context, stream eventstore.StreamID, expected eventstore.ExpectedVersion, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	if err := eventstore.ValidateAppend(stream, events); err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("append %s: %w", stream, err)
	}
	sql, args := appendStatement(stream, expected, eventstore.TruncateMicros(s.cfg.Now()), events)
	for attempt := 0; ; attempt++ {
		var (
			status                int32
			version, tx, position *int64
		)
		err := s.pool.QueryRow(ctx, sql, args...).Scan(&status, &version, &tx, &position)
		if err == nil && status == 0 {
			s.appended()
			return eventstore.AppendResult{Version: uint64(*version), Position: eventstore.NewPosition(uint64(*tx), uint64(*position))}, nil
		}
		var pgErr *pgconn.PgError
		raced := errors.As(err, &pgErr) && pgErr.Code == "23505"
		if err != nil && !raced {
			return eventstore.AppendResult{}, fmt.Errorf("append %s: %w", stream, err)
		}
		// The expected version failed, or an id or version was taken concurrently: first see
		// whether this is a retry of an append that already succeeded.
		if res, done, err := s.replayed(ctx, stream, events); done || err != nil {
			return res, err
		}
		// A race lost to a transaction that then rolled back, or lost for the next version under
		// Any or StreamExists, is worth another try.
		retry := pgErr != nil && (pgErr.ConstraintName == "event_log_event_id_key" || expected.IsAny() || expected.IsStreamExists())
		if raced && retry && attempt < maxRaceRetries {
			continue
		}
		if raced {
			if version, err = s.head(ctx, stream); err != nil {
				return eventstore.AppendResult{}, err
			}
		}
		werr := &eventstore.WrongExpectedVersionError{Stream: stream, Expected: expected, Exists: version != nil}
		if version != nil {
			werr.Actual = uint64(*version)
		}
		return eventstore.AppendResult{}, werr
	}
}

// appendArgs lays the batch out as the column arrays event_log_append takes, with the canonical
// encoding split around the version, which only the database knows for Any and StreamExists, and
// without the payload, which travels once, in its own column.
func appendArgs(stream eventstore.StreamID, expected eventstore.ExpectedVersion, recordedAt time.Time, events []eventstore.EventData) []any {
	n := len(events)
	// Flat arrays of pgtype values encode without reflection and without formatting UUIDs as text.
	var (
		metas    = make(pgtype.FlatArray[[]byte], n)
		ids      = make(pgtype.FlatArray[pgtype.UUID], n)
		types    = make(pgtype.FlatArray[string], n)
		schemas  = make(pgtype.FlatArray[int32], n)
		occurred = make(pgtype.FlatArray[time.Time], n)
		actors   = make(pgtype.FlatArray[pgtype.UUID], n)
		roles    = make(pgtype.FlatArray[string], n)
		subjects = make(pgtype.FlatArray[pgtype.UUID], n)
		keys     = make(pgtype.FlatArray[int64], n)
		corrs    = make(pgtype.FlatArray[pgtype.UUID], n)
		causes   = make(pgtype.FlatArray[pgtype.UUID], n)
		payloads = make(pgtype.FlatArray[[]byte], n)
	)
	for i, e := range events {
		e.OccurredAt = eventstore.TruncateMicros(e.OccurredAt)
		if e.Payload == nil {
			e.Payload = []byte{}
		}
		metas[i] = eventstore.CanonicalMeta(recordedAt, e)
		ids[i], types[i], schemas[i], occurred[i] = pgUUID(e.ID), e.Type, int32(e.SchemaVersion), e.OccurredAt
		actors[i], roles[i], subjects[i], keys[i] = pgUUID(e.Actor.UserID), e.Actor.Role, pgUUID(e.Subject), int64(e.KeyID)
		corrs[i], causes[i], payloads[i] = pgUUID(e.CorrelationID), pgUUID(e.CausationID), e.Payload
	}
	kind, version := expectedArgs(expected)
	return []any{string(stream), kind, version, recordedAt, eventstore.CanonicalHead(stream), metas,
		ids, types, schemas, occurred, actors, roles, subjects, keys, corrs, causes, payloads}
}

// appendStatement returns the statement and arguments that append events, which must be valid
// and non-empty, recorded at recordedAt: appendOneSQL for one event, event_log_append otherwise.
func appendStatement(stream eventstore.StreamID, expected eventstore.ExpectedVersion, recordedAt time.Time, events []eventstore.EventData) (string, []any) {
	if len(events) == 1 {
		return appendOneSQL, appendOneArgs(stream, expected, recordedAt, events[0])
	}
	return appendBatchSQL, appendArgs(stream, expected, recordedAt, events)
}

// appendOneArgs lays one event out as appendOneSQL's parameters, in the order $1..$17.
func appendOneArgs(stream eventstore.StreamID, expected eventstore.ExpectedVersion, recordedAt time.Time, e eventstore.EventData) []any {
	e.OccurredAt = eventstore.TruncateMicros(e.OccurredAt)
	if e.Payload == nil {
		e.Payload = []byte{}
	}
	kind, version := expectedArgs(expected)
	return []any{string(stream), kind, version, recordedAt, pgUUID(e.ID), e.Type, int32(e.SchemaVersion),
		e.OccurredAt, pgUUID(e.Actor.UserID), e.Actor.Role, pgUUID(e.Subject), int64(e.KeyID),
		pgUUID(e.CorrelationID), pgUUID(e.CausationID), e.Payload, eventstore.CanonicalHead(stream),
		eventstore.CanonicalMeta(recordedAt, e)}
}

func pgUUID(id uuid.UUID) pgtype.UUID { return pgtype.UUID{Bytes: id, Valid: true} }

// expectedArgs encodes expected as event_log_append's p_kind and p_expected.
func expectedArgs(expected eventstore.ExpectedVersion) (int32, int64) {
	switch {
	case expected.IsNoStream():
		return 1, 0
	case expected.IsStreamExists():
		return 2, 0
	}
	if v, ok := expected.ExactVersion(); ok {
		return 3, int64(v)
	}
	return 0, 0
}

// replayed looks up the batch's event ids. When some are in the log, done is true and the result
// is eventstore.ReplayResult's: the original result of a retried append, or ErrDuplicateEvent.
func (s *Store) replayed(ctx context.Context, stream eventstore.StreamID, events []eventstore.EventData) (eventstore.AppendResult, bool, error) {
	ids := make([]uuid.UUID, len(events))
	for i, e := range events {
		ids[i] = e.ID
	}
	rows, err := s.pool.Query(ctx, `SELECT event_id, stream_id, version, tx_order, position FROM event_log WHERE event_id = ANY($1)`, ids)
	if err != nil {
		return eventstore.AppendResult{}, false, fmt.Errorf("append %s: look up event ids: %w", stream, err)
	}
	found := map[uuid.UUID]eventstore.StoredID{}
	for rows.Next() {
		var (
			id                    uuid.UUID
			sid                   string
			version, tx, position int64
		)
		if err := rows.Scan(&id, &sid, &version, &tx, &position); err != nil {
			rows.Close()
			return eventstore.AppendResult{}, false, fmt.Errorf("append %s: look up event ids: %w", stream, err)
		}
		found[id] = eventstore.StoredID{Stream: eventstore.StreamID(sid), Version: uint64(version), Position: eventstore.NewPosition(uint64(tx), uint64(position))}
	}
	if err := rows.Err(); err != nil {
		return eventstore.AppendResult{}, false, fmt.Errorf("append %s: look up event ids: %w", stream, err)
	}
	if len(found) == 0 {
		return eventstore.AppendResult{}, false, nil
	}
	stored := make([]eventstore.StoredID, len(events))
	for i, e := range events {
		stored[i] = found[e.ID]
	}
	res, err := eventstore.ReplayResult(stream, events, stored)
	return res, true, err
}

// head returns the version of stream's last event, or nil when it has none.
func (s *Store) head(ctx context.Context, stream eventstore.StreamID) (*int64, error) {
	var v *int64
	err := s.pool.QueryRow(ctx, `SELECT max(version) FROM event_log WHERE stream_id = $1`, string(stream)).Scan(&v)
	if err != nil {
		return nil, fmt.Errorf("append %s: read head: %w", stream, err)
	}
	return v, nil
}
