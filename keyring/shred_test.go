package keyring_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/keyring"
)

func shredRequest(tb testing.TB, subject uuid.UUID) keyring.ShredRequest {
	tb.Helper()
	return keyring.ShredRequest{
		RequestID: newID(tb),
		Stream:    eventstore.StreamID("client-" + subject.String()),
		Actor:     eventstore.Actor{UserID: newID(tb), Role: string(domain.RoleDPO)},
	}
}

func TestShredInOneProcessEvictsEverywhere(t *testing.T) {
	t.Parallel()
	pg := newPG(t)
	m := newMaster(t)
	log := eventstore.NewMemory()
	a := pg.keyring(t, m, log)
	b := pg.keyring(t, m, log)
	ctx := context.Background()
	subject := newID(t)
	stream := eventstore.StreamID("client-" + subject.String())
	r := sealed(t, a, stream, subject, secret)
	value, err := a.SealValue(ctx, subject, []byte("Zebulon"), []byte("clients/name"))
	if err != nil {
		t.Fatal(err)
	}
	// b holds the key in its cache before the shred.
	if _, err := b.Open(ctx, r); err != nil {
		t.Fatal(err)
	}
	req := shredRequest(t, subject)
	res, err := a.Shred(ctx, subject, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.KeyIDs) != 1 || res.KeyIDs[0] != r.KeyID || res.AlreadyErased {
		t.Fatalf("Shred result %+v, want key %d destroyed", res, r.KeyID)
	}
	if !res.Vacuumed || res.VacuumErr != nil {
		t.Fatalf("key table not vacuumed: %v", res.VacuumErr)
	}
	// Without waiting in a, and within the notification delay in b.
	for name, k := range map[string]*keyring.Keyring{"shredder": a, "other process": b} {
		eventually(t, func() error {
			if _, err := k.Open(ctx, r); !errors.Is(err, domain.ErrErased) {
				return fmt.Errorf("%s: Open after shred = %v, want ErrErased", name, err)
			}
			if _, err := k.OpenValue(ctx, subject, value, []byte("clients/name")); !errors.Is(err, keyring.ErrErased) {
				return fmt.Errorf("%s: OpenValue after shred = %v, want ErrErased", name, err)
			}
			return nil
		})
	}
	// No key is ever minted again, in any process, even one that never saw the subject.
	c := pg.keyring(t, m, log)
	for _, k := range []*keyring.Keyring{a, b, c} {
		e := eventstore.EventData{ID: newID(t), Type: "T", Subject: subject, Payload: []byte("{}")}
		if err := k.Seal(ctx, stream, &e); !errors.Is(err, keyring.ErrErased) {
			t.Fatalf("Seal after shred = %v, want ErrErased", err)
		}
	}
	var keys, tombs int
	if err := pg.admin.QueryRow(ctx, `SELECT (SELECT count(*) FROM keyring_subject_keys WHERE subject_id = $1),
		(SELECT count(*) FROM keyring_tombstones WHERE subject_id = $1)`, subject).Scan(&keys, &tombs); err != nil {
		t.Fatal(err)
	}
	if keys != 0 || tombs != 1 {
		t.Fatalf("after shred: %d keyset rows, %d tombstones; want 0 and 1", keys, tombs)
	}
}

func TestShredAppendsSubjectErasedOnceAndIsIdempotent(t *testing.T) {
	t.Parallel()
	log := eventstore.NewMemory()
	k := newKeyring(t, nil, nil, log)
	ctx := context.Background()
	subject := newID(t)
	r := sealed(t, k, "client-"+eventstore.StreamID(subject.String()), subject, secret)
	req := shredRequest(t, subject)
	first, err := k.Shred(ctx, subject, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := k.Shred(ctx, subject, shredRequest(t, subject)) // a second request changes nothing
	if err != nil {
		t.Fatal(err)
	}
	if !again.AlreadyErased || again.RequestID != req.RequestID || again.EventID != first.EventID {
		t.Fatalf("second Shred = %+v, want the first shred's record", again)
	}
	recs, err := log.ReadStream(ctx, req.Stream, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 {
		t.Fatalf("stream holds %d events, want one SubjectErased", len(recs))
	}
	e := recs[0]
	if e.Type != keyring.SubjectErasedType || e.Subject != uuid.Nil || e.KeyID != 0 || e.Actor != req.Actor || e.ID != first.EventID {
		t.Fatalf("SubjectErased envelope %+v", e.EventData)
	}
	var got keyring.SubjectErased
	if err := json.Unmarshal(e.Payload, &got); err != nil {
		t.Fatal(err)
	}
	want := keyring.SubjectErased{SubjectID: subject, RequestID: req.RequestID, KeyIDs: []uint32{r.KeyID},
		ErasedAt: first.ErasedAt, ActorID: req.Actor.UserID, Role: req.Actor.Role}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("SubjectErased = %+v, want %+v", got, want)
	}
}

func TestShredRejectsBadRequests(t *testing.T) {
	t.Parallel()
	log := eventstore.NewMemory()
	k := newKeyring(t, nil, nil, log)
	subject := newID(t)
	_ = sealed(t, k, "client-x", subject, secret)
	tests := []struct {
		name    string
		subject uuid.UUID
		mutate  func(*keyring.ShredRequest)
	}{
		{"no subject", uuid.Nil, func(*keyring.ShredRequest) {}},
		{"no request id", subject, func(r *keyring.ShredRequest) { r.RequestID = uuid.Nil }},
		{"bad stream", subject, func(r *keyring.ShredRequest) { r.Stream = "Client Name" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := shredRequest(t, subject)
			tc.mutate(&req)
			if _, err := k.Shred(context.Background(), tc.subject, req); !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("Shred = %v, want ErrInvalid", err)
			}
		})
	}
	// Nothing was destroyed.
	_ = sealed(t, k, "client-x", subject, secret)
	t.Run("no event log", func(t *testing.T) {
		k := newKeyring(t, nil, nil, nil)
		if _, err := k.Shred(context.Background(), subject, shredRequest(t, subject)); err == nil {
			t.Fatal("Shred without an event log succeeded")
		}
	})
}

// TestListenerReconnectDropsTheCache cuts a keyring's notification connection and shreds while it
// is down: the notification is lost, and the keyring must still stop opening the subject once it
// reconnects, because a reconnect drops every cached key.
func TestListenerReconnectDropsTheCache(t *testing.T) {
	t.Parallel()
	pg := newPG(t)
	m := newMaster(t)
	log := eventstore.NewMemory()
	shredder := pg.keyring(t, m, log)
	ctx := context.Background()
	subject := newID(t)
	r := sealed(t, shredder, eventstore.StreamID("client-"+subject.String()), subject, secret)
	reader := pg.keyring(t, m, nil)
	if _, err := reader.Open(ctx, r); err != nil {
		t.Fatal(err)
	}
	var before []int32
	rows, err := pg.admin.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN caseledger_keyring'`)
	if err != nil {
		t.Fatal(err)
	}
	if before, err = pgx.CollectRows(rows, pgx.RowTo[int32]); err != nil || len(before) != 2 {
		t.Fatalf("listeners: %v, %v; want two", before, err)
	}
	// Cut both listeners, then shred at once, while they are down.
	if _, err := pg.admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) pid`, before); err != nil {
		t.Fatal(err)
	}
	if _, err := shredder.Shred(ctx, subject, shredRequest(t, subject)); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() error {
		if _, err := reader.Open(ctx, r); !errors.Is(err, keyring.ErrErased) {
			return fmt.Errorf("Open after a shred missed while disconnected = %v, want ErrErased", err)
		}
		return nil
	})
}

// TestShredRacingFirstUseLeavesNoKey shreds subjects while other processes mint their first keys:
// whatever the interleaving, no keyset row may exist after the shred.
func TestShredRacingFirstUseLeavesNoKey(t *testing.T) {
	t.Parallel()
	pg := newPG(t)
	m := newMaster(t)
	log := eventstore.NewMemory()
	writers := []*keyring.Keyring{pg.keyring(t, m, nil), pg.keyring(t, m, nil)}
	shredder := pg.keyring(t, m, log)
	ctx := context.Background()
	subjects := make([]uuid.UUID, 20)
	for i := range subjects {
		subjects[i] = newID(t)
	}
	var wg sync.WaitGroup
	for w, k := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, s := range subjects {
				_, err := k.SealValue(ctx, s, []byte("x"), nil)
				if err != nil && !errors.Is(err, keyring.ErrErased) {
					t.Errorf("writer %d: %v", w, err)
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, s := range subjects {
			if _, err := shredder.Shred(ctx, s, shredRequest(t, s)); err != nil {
				t.Error(err)
			}
		}
	}()
	wg.Wait()
	var keys, tombs int
	if err := pg.admin.QueryRow(ctx, `SELECT (SELECT count(*) FROM keyring_subject_keys WHERE subject_id = ANY($1)),
		(SELECT count(*) FROM keyring_tombstones WHERE subject_id = ANY($1))`, subjects).Scan(&keys, &tombs); err != nil {
		t.Fatal(err)
	}
	if keys != 0 || tombs != len(subjects) {
		t.Fatalf("after racing shreds: %d keyset rows, %d tombstones; want 0 and %d", keys, tombs, len(subjects))
	}
	for _, k := range writers {
		for _, s := range subjects {
			if _, err := k.SealValue(ctx, s, []byte("x"), nil); !errors.Is(err, keyring.ErrErased) {
				t.Fatalf("SealValue after shred = %v, want ErrErased", err)
			}
		}
	}
}
