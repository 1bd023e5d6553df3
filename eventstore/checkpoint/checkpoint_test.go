package checkpoint_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/tink-crypto/tink-go/v2/tink"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/checkpoint"
	"github.com/caseledger/caseledger/eventstore/pgstore"
	"github.com/caseledger/caseledger/keyring"
	"github.com/caseledger/caseledger/migrations"
	"github.com/caseledger/caseledger/migrations/pgtest"
)

// fixture is a migrated database with a PostgreSQL log of a few streams and a Checkpointer.
type fixture struct {
	dsn     string
	admin   *pgxpool.Pool
	app     *pgxpool.Pool
	store   *pgstore.Store
	master  tink.AEAD
	cp      *checkpoint.Checkpointer
	streams []eventstore.StreamID
}

// newMaster returns a fresh random master AEAD (the keyring's in-memory AES-256-GCM master).
func newMaster(tb testing.TB) tink.AEAD {
	tb.Helper()
	m, err := keyring.NewRandomMaster()
	if err != nil {
		tb.Fatal(err)
	}
	return m.AEAD()
}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	ctx := context.Background()
	f := &fixture{dsn: pgtest.NewDatabase(tb), master: newMaster(tb)}
	f.admin = pgtest.Pool(tb, f.dsn, "")
	f.app = pgtest.Pool(tb, f.dsn, migrations.RoleApp)
	var err error
	if f.store, err = pgstore.New(ctx, f.app, pgstore.Config{}); err != nil {
		tb.Fatal(err)
	}
	for i := range 3 {
		s := eventstore.StreamID(fmt.Sprintf("client-%s", uuid.New()))
		f.streams = append(f.streams, s)
		for v := range 4 {
			appendEvent(tb, f.store, s, fmt.Sprintf(`{"n":%d,"stream":%d}`, v, i))
		}
	}
	if f.cp, err = checkpoint.New(ctx, checkpoint.Config{Pool: f.app, Log: f.store, Master: f.master, MasterID: "test"}); err != nil {
		tb.Fatal(err)
	}
	return f
}

func appendEvent(tb testing.TB, s eventstore.Store, stream eventstore.StreamID, payload string) {
	tb.Helper()
	id, _ := uuid.NewV7()
	_, err := s.Append(context.Background(), stream, eventstore.Any(), eventstore.EventData{
		ID: id, Type: "TestHappened", SchemaVersion: 1, OccurredAt: time.Now(), CorrelationID: id,
		Actor: eventstore.Actor{UserID: uuid.New(), Role: "therapist"}, Payload: []byte(payload)})
	if err != nil {
		tb.Fatal(err)
	}
}

// exported signs a checkpoint, exports it and reads the file back as an auditor would.
func (f *fixture) exported(tb testing.TB) checkpoint.File {
	tb.Helper()
	ctx := context.Background()
	if _, err := f.cp.Sign(ctx); err != nil {
		tb.Fatal(err)
	}
	file, err := checkpoint.Export(ctx, f.app, time.Time{}, time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	if err := file.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	back, err := checkpoint.ReadFile(&buf)
	if err != nil {
		tb.Fatalf("read exported file: %v", err)
	}
	return back
}

// superuser runs sql as the admin with the log's append-only triggers disabled, as an attacker
// with superuser rights would.
func (f *fixture) superuser(tb testing.TB, sql string, args ...any) {
	tb.Helper()
	ctx := context.Background()
	err := pgx.BeginFunc(ctx, f.admin, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `ALTER TABLE event_log DISABLE TRIGGER USER`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, sql, args...); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `ALTER TABLE event_log ENABLE TRIGGER USER`)
		return err
	})
	if err != nil {
		tb.Fatalf("tamper: %v", err)
	}
}

// rewrite changes the payload of stream's event at version and recomputes every later hash, so
// that the chain verifies again.
func (f *fixture) rewrite(tb testing.TB, stream eventstore.StreamID, version uint64, payload string) {
	tb.Helper()
	recs, err := f.store.ReadStream(context.Background(), stream, 0, 1000)
	if err != nil {
		tb.Fatal(err)
	}
	prev := eventstore.GenesisHash
	for _, r := range recs {
		if r.Version == version {
			r.Payload = []byte(payload)
		}
		r.PrevHash = prev
		r.Hash = eventstore.ChainHash(prev, eventstore.Canonical(r.StreamID, r.Version, r.RecordedAt, r.EventData))
		prev = r.Hash
		if r.Version >= version {
			f.superuser(tb, `UPDATE event_log SET payload = $1, prev_hash = $2, hash = $3 WHERE stream_id = $4 AND version = $5`,
				r.Payload, r.PrevHash[:], r.Hash[:], string(stream), int64(r.Version))
		}
	}
}

func TestVerifyAgainst(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		// tamper changes the log after the checkpoint was exported; victim is the stream index.
		tamper      func(tb testing.TB, f *fixture, victim eventstore.StreamID)
		chainOK     bool // what plain pgstore.Verify says afterwards
		againstOK   bool
		wantVersion uint64
	}{
		{"untouched log, with events appended since", func(tb testing.TB, f *fixture, victim eventstore.StreamID) {
			appendEvent(tb, f.store, victim, `{"later":true}`)
		}, true, true, 0},
		{"altered row", func(tb testing.TB, f *fixture, victim eventstore.StreamID) {
			f.superuser(tb, `UPDATE event_log SET payload = '{"n":99}' WHERE stream_id = $1 AND version = 1`, string(victim))
		}, false, false, 1},
		{"deleted row in the middle", func(tb testing.TB, f *fixture, victim eventstore.StreamID) {
			f.superuser(tb, `DELETE FROM event_log WHERE stream_id = $1 AND version = 2`, string(victim))
		}, false, false, 2},
		{"deleted newest row: the chain alone cannot tell", func(tb testing.TB, f *fixture, victim eventstore.StreamID) {
			f.superuser(tb, `DELETE FROM event_log WHERE stream_id = $1 AND version = 3`, string(victim))
		}, true, false, 3},
		{"consistent rewrite with recomputed hashes", func(tb testing.TB, f *fixture, victim eventstore.StreamID) {
			f.rewrite(tb, victim, 1, `{"n":1,"rewritten":true}`)
		}, true, false, 3}, // found at the signed head, the first version a checkpoint pins
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			f := newFixture(t)
			file := f.exported(t)
			victim := f.streams[1]
			c.tamper(t, f, victim)

			plain, err := pgstore.Verify(ctx, f.admin)
			if err != nil {
				t.Fatal(err)
			}
			if plain.OK != c.chainOK {
				t.Fatalf("plain verify OK = %v, want %v (%+v)", plain.OK, c.chainOK, plain.FirstBreak)
			}
			rep, err := checkpoint.VerifyAgainst(ctx, f.store, file)
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK != c.againstOK {
				t.Fatalf("verify against OK = %v, want %v: %+v", rep.OK, c.againstOK, rep.Mismatches)
			}
			if rep.Streams != 3 {
				t.Errorf("checked %d streams, want 3 (the checkpoint stream is covered by the next checkpoint)", rep.Streams)
			}
			if c.againstOK {
				return
			}
			if len(rep.Mismatches) != 1 || rep.Mismatches[0].Stream != victim || rep.Mismatches[0].Version != c.wantVersion {
				t.Fatalf("mismatches = %+v, want one naming %s at version %d", rep.Mismatches, victim, c.wantVersion)
			}
		})
	}
}

func TestCheckpointIsAnnouncedAndKeyPersists(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	cp, err := f.cp.Sign(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cp.Heads) != 3 {
		t.Fatalf("signed %d heads, want 3", len(cp.Heads))
	}
	recs, err := f.store.ReadStream(ctx, checkpoint.Stream, 0, 10)
	if err != nil || len(recs) != 1 || recs[0].Type != checkpoint.EventType || recs[0].ID != cp.ID {
		t.Fatalf("checkpoint stream: %v %+v", err, recs)
	}
	var ev checkpoint.CheckpointSigned
	if err := json.Unmarshal(recs[0].Payload, &ev); err != nil || ev.Digest != cp.Digest || !bytes.Equal(ev.Signature, cp.Signature) {
		t.Fatalf("event payload %s: %v", recs[0].Payload, err)
	}
	// The next checkpoint covers the first one's event.
	cp2, err := f.cp.Sign(ctx)
	if err != nil || len(cp2.Heads) != 4 {
		t.Fatalf("second checkpoint: %v, %d heads", err, len(cp2.Heads))
	}

	again, err := checkpoint.New(ctx, checkpoint.Config{Pool: f.app, Log: f.store, Master: f.master, MasterID: "test"})
	if err != nil || again.KeyID() != f.cp.KeyID() || !bytes.Equal(again.PublicKey(), f.cp.PublicKey()) {
		t.Fatalf("reopened checkpointer: %v, key %s want %s", err, again.KeyID(), f.cp.KeyID())
	}
	if _, err := checkpoint.New(ctx, checkpoint.Config{Pool: f.app, Log: f.store, Master: newMaster(t), MasterID: "test"}); err == nil {
		t.Fatal("a wrong key under the same master id unwrapped the signing key")
	}
}

func TestMasterRotationRetiresTheSigningKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	if _, err := f.cp.Sign(ctx); err != nil {
		t.Fatal(err)
	}
	rotated, err := checkpoint.New(ctx, checkpoint.Config{Pool: f.app, Log: f.store, Master: newMaster(t), MasterID: "new-master"})
	if err != nil {
		t.Fatal(err)
	}
	if rotated.KeyID() == f.cp.KeyID() {
		t.Fatal("a key wrapped by the previous master is still active")
	}
	if _, err := rotated.Sign(ctx); err != nil {
		t.Fatal(err)
	}
	recs, err := f.store.ReadStream(ctx, checkpoint.Stream, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var rot checkpoint.CheckpointKeyRotated
	if len(recs) != 3 || recs[1].Type != checkpoint.KeyRotatedType || json.Unmarshal(recs[1].Payload, &rot) != nil ||
		rot.RetiredKeyID != f.cp.KeyID() || rot.KeyID != rotated.KeyID() {
		t.Fatalf("checkpoint stream after rotation: %+v", recs)
	}
	file := f.exported(t) // both keys exported; every checkpoint verifies under its own key
	if len(file.Keys) != 2 || len(file.Checkpoints) != 3 {
		t.Fatalf("export after rotation: %d keys, %d checkpoints", len(file.Keys), len(file.Checkpoints))
	}
	rep, err := checkpoint.VerifyAgainst(ctx, f.store, file)
	if err != nil || !rep.OK {
		t.Fatalf("verify after rotation: %v %+v", err, rep.Mismatches)
	}
}

func TestRollingMasterRotationKeepsTheSigningKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	next := newMaster(t)
	// Step 1 of a rolling rotation: old master current, new one known as previous.
	step1, err := checkpoint.New(ctx, checkpoint.Config{Pool: f.app, Log: f.store, Master: f.master, MasterID: "test",
		Previous: map[string]tink.AEAD{"new-master": next}})
	if err != nil || step1.KeyID() != f.cp.KeyID() {
		t.Fatalf("step 1: %v, key %s want %s", err, step1.KeyID(), f.cp.KeyID())
	}
	// Step 2: new master current, old one previous: the key it wrapped is still used, not retired.
	step2, err := checkpoint.New(ctx, checkpoint.Config{Pool: f.app, Log: f.store, Master: next, MasterID: "new-master",
		Previous: map[string]tink.AEAD{"test": f.master}})
	if err != nil || step2.KeyID() != f.cp.KeyID() {
		t.Fatalf("step 2: %v, key %s want the unretired %s", err, step2.KeyID(), f.cp.KeyID())
	}
	if _, err := step2.Sign(ctx); err != nil {
		t.Fatal(err)
	}
	// Step 4: the old master is gone: now the key is retired and replaced.
	done, err := checkpoint.New(ctx, checkpoint.Config{Pool: f.app, Log: f.store, Master: next, MasterID: "new-master"})
	if err != nil || done.KeyID() == f.cp.KeyID() {
		t.Fatalf("after the rotation: %v, key %s still the old one", err, done.KeyID())
	}
}

func TestReadFileRejectsTampering(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	file := f.exported(t)
	cases := []struct {
		name   string
		change func(file *checkpoint.File)
		want   string
	}{
		{"head hash changed", func(file *checkpoint.File) { file.Checkpoints[0].Heads[0].Hash[0] ^= 1 }, "digest"},
		{"head hash and digest recomputed", func(file *checkpoint.File) {
			cp := &file.Checkpoints[0]
			cp.Heads[0].Version++
			enc := checkpoint.EncodeHeads(cp.Heads)
			cp.Digest = sha(enc)
		}, "signature"},
		{"signature changed", func(file *checkpoint.File) { file.Checkpoints[0].Signature[5] ^= 1 }, "signature"},
		{"signing time changed", func(file *checkpoint.File) {
			file.Checkpoints[0].SignedAt = file.Checkpoints[0].SignedAt.Add(time.Hour)
		}, "signature"},
		{"public key swapped", func(file *checkpoint.File) { file.Keys[0].PublicKey[0] ^= 1 }, "key 0"},
		{"unknown key", func(file *checkpoint.File) { file.Checkpoints[0].KeyID = strings.Repeat("0", 32) }, "does not hold"},
	}
	t.Run("data after the file", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		if err := file.Write(&buf); err != nil {
			t.Fatal(err)
		}
		if _, err := checkpoint.ReadFile(bytes.NewReader(buf.Bytes())); err != nil {
			t.Fatalf("the untouched file: %v", err)
		}
		for _, tail := range []string{"}", "]", "{}", "x"} {
			_, err := checkpoint.ReadFile(strings.NewReader(buf.String() + tail))
			if err == nil || !strings.Contains(err.Error(), "after the JSON value") {
				t.Errorf("with %q after it, ReadFile err = %v", tail, err)
			}
		}
	})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var copyBuf bytes.Buffer
			if err := file.Write(&copyBuf); err != nil {
				t.Fatal(err)
			}
			var mine checkpoint.File
			if err := json.Unmarshal(copyBuf.Bytes(), &mine); err != nil {
				t.Fatal(err)
			}
			c.change(&mine)
			var buf bytes.Buffer
			if err := mine.Write(&buf); err != nil {
				t.Fatal(err)
			}
			_, err := checkpoint.ReadFile(&buf)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("ReadFile err = %v, want one mentioning %q", err, c.want)
			}
		})
	}
}

func TestGrants(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	if _, err := f.cp.Sign(ctx); err != nil {
		t.Fatal(err)
	}
	reader := pgtest.Pool(t, f.dsn, migrations.RoleReader)
	cases := []struct {
		name string
		pool *pgxpool.Pool
		sql  string
	}{
		{"app cannot rewrite a checkpoint", f.app, `UPDATE checkpoints SET signature = signature`},
		{"app cannot delete a checkpoint", f.app, `DELETE FROM checkpoints`},
		{"app cannot delete a signing key", f.app, `DELETE FROM checkpoint_signing_keys`},
		{"app cannot replace a wrapped key", f.app, `UPDATE checkpoint_signing_keys SET wrapped_keyset = wrapped_keyset`},
		{"reader cannot read signing keys", reader, `SELECT count(*) FROM checkpoint_signing_keys`},
		{"reader cannot read checkpoints", reader, `SELECT count(*) FROM checkpoints`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if _, err := c.pool.Exec(ctx, c.sql); err == nil || !strings.Contains(err.Error(), "permission denied") {
				t.Fatalf("%s: err = %v, want permission denied", c.sql, err)
			}
		})
	}
}
