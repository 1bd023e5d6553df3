package migrations_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/caseledger/caseledger/migrations"
	"github.com/caseledger/caseledger/migrations/pgtest"
)

// TestReadModelsUpgradeInPlace applies the migrations of the release before 0040 and 0041, fills
// active generations of the audit, practice reports, notes and clients read models as that
// release did, then upgrades, and checks that the data is converted, not lost: notes and clients
// keep their search tokens as the 64-bit form the projectors now write (the notes' searchable
// through the rebuilt GIN index),
// and the audit trail and practice session subjects keep their uniqueness through the unique
// indexes that replace their primary keys.
func TestReadModelsUpgradeInPlace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.NewEmptyDatabase(t)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	later := map[string]bool{"0040_rebuild_keys_after_fill.sql": true, "0041_search_tokens_bigint.sql": true}
	if _, err := migrations.ApplyAllBut(ctx, conn, later); err != nil {
		t.Fatal(err)
	}
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := conn.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", strings.Fields(sql)[0], err)
		}
	}
	exec(`INSERT INTO projection_checkpoints (name, generation, active, position)
		VALUES ('audit', 1, true, '0/0'), ('practice_reports', 1, true, '0/0'), ('notes', 1, true, '0/0'),
		       ('clients', 1, true, '0/0')`)
	// Three 32-byte tokens as the earlier release stored them, in byte order; the last two share
	// their first 8 bytes, so they become one token.
	token := func(prefix uint64, rest byte) []byte {
		b := binary.BigEndian.AppendUint64(nil, prefix)
		for len(b) < 32 {
			b = append(b, rest)
		}
		return b
	}
	old := [][]byte{token(0x0102030405060708, 1), token(0xfffefdfcfbfaf9f8, 1), token(0xfffefdfcfbfaf9f8, 2)}
	note, someone := uuid.New(), uuid.New()
	exec(`INSERT INTO rm_notes (generation, note_id, client_id, therapist_id, author_id, kind, template_id, status,
		version, body_sealed, drafted_at, updated_at, search_tokens)
		VALUES (1, $1, $2, $2, $2, 'progress', $2, 'draft', 1, '\x00', now(), now(), $3)`, note, someone, old)
	exec(`INSERT INTO rm_client_tokens (generation, client_id, therapist_id, purpose, token)
		VALUES (1, $1, $1, 'name', $2), (1, $1, $1, 'email', $3)`, someone, old[0], old[1])
	exec(`INSERT INTO rm_audit_trail (generation, seq, event_id, stream_id, event_type, occurred_at, recorded_at,
		actor_id, actor_role, subject_id) VALUES (1, 1, $1, 'client-x', 'ClientRegistered', now(), now(), $1, 'therapist', $1)`, someone)
	exec(`INSERT INTO rm_practice_session_subjects (generation, appointment_id, client_id) VALUES (1, $1, $1)`, someone)

	if applied, err := migrations.Apply(ctx, conn); err != nil || len(applied) != len(later) {
		t.Fatalf("upgrade applied %v: %v", applied, err)
	}

	var tokens []int64
	if err := conn.QueryRow(ctx, `SELECT search_tokens FROM rm_notes WHERE note_id = $1`, note).Scan(&tokens); err != nil {
		t.Fatal(err)
	}
	// The projector's form of a token: its first 8 bytes, big-endian, signed; distinct, ascending.
	want := []int64{int64(binary.BigEndian.Uint64(old[1])), int64(binary.BigEndian.Uint64(old[0]))}
	if !slices.Equal(tokens, want) {
		t.Errorf("converted tokens %v; want %v", tokens, want)
	}
	var clientTokens []int64
	if err := conn.QueryRow(ctx, `SELECT array_agg(token ORDER BY purpose DESC) FROM rm_client_tokens
		WHERE client_id = $1`, someone).Scan(&clientTokens); err != nil {
		t.Fatal(err)
	}
	if wantClient := []int64{want[1], want[0]}; !slices.Equal(clientTokens, wantClient) {
		t.Errorf("converted client tokens (name, email) %v; want %v", clientTokens, wantClient)
	}
	exec(`SET enable_seqscan = off`)
	var found int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM rm_notes WHERE search_tokens @> $1::bigint[]`, want[:1]).Scan(&found); err != nil || found != 1 {
		t.Errorf("search by a converted token found %d notes: %v", found, err)
	}
	var plans []string
	rows, err := conn.Query(ctx, `EXPLAIN SELECT * FROM rm_notes WHERE search_tokens @> '{1}'::bigint[]`)
	if err == nil {
		plans, err = pgx.CollectRows(rows, pgx.RowTo[string])
	}
	if err != nil || !strings.Contains(strings.Join(plans, "\n"), "rm_notes_g1_search") {
		t.Errorf("search does not use the rebuilt GIN index: %v %v", plans, err)
	}

	indexes := map[string]string{}
	rows, err = conn.Query(ctx, `SELECT c.relname, am.amname || CASE WHEN x.indisunique THEN ' unique' ELSE '' END
		FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid JOIN pg_am am ON am.oid = c.relam
		WHERE x.indrelid IN ('rm_audit_trail_g1'::regclass, 'rm_practice_session_subjects_g1'::regclass)`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name, kind string
		if err := rows.Scan(&name, &kind); err != nil {
			t.Fatal(err)
		}
		indexes[name] = kind
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	wantIndexes := map[string]string{
		"rm_audit_trail_g1_seq": "btree unique", "rm_audit_trail_g1_time": "btree",
		"rm_audit_trail_g1_subject": "btree", "rm_audit_trail_g1_actor": "btree", "rm_audit_trail_g1_erasure": "btree",
		"rm_practice_session_subjects_g1_appointment": "btree unique", "rm_practice_session_subjects_g1_client": "btree",
	}
	if fmt.Sprint(indexes) != fmt.Sprint(wantIndexes) {
		t.Errorf("indexes after the upgrade\n%v\nwant\n%v", indexes, wantIndexes)
	}
	for _, insert := range []string{
		`INSERT INTO rm_audit_trail (generation, seq, event_id, stream_id, event_type, occurred_at, recorded_at,
			actor_id, actor_role) VALUES (1, 1, $1, 'client-x', 'ClientRegistered', now(), now(), $1, 'therapist')`,
		`INSERT INTO rm_practice_session_subjects (generation, appointment_id, client_id) VALUES (1, $1, $1)`,
	} {
		_, err := conn.Exec(ctx, insert, someone)
		if pgErr := (*pgconn.PgError)(nil); !errors.As(err, &pgErr) || pgErr.Code != "23505" {
			t.Errorf("a duplicate key after the upgrade: %v; want unique_violation", err)
		}
	}
}
