package keyring_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/keyring"
)

func TestRotateMasterWithoutDowntime(t *testing.T) {
	t.Parallel()
	pg := newPG(t)
	ctx := context.Background()
	oldM, newM := newMaster(t), newMaster(t)
	before := pg.keyring(t, oldM, nil)
	var recs []eventstore.RecordedEvent
	for i := 0; i < 30; i++ {
		s := newID(t)
		recs = append(recs, sealed(t, before, eventstore.StreamID("client-"+s.String()), s, secret))
	}
	tok, err := before.Token(ctx, "client-name", "zebulon quaxworth")
	if err != nil {
		t.Fatal(err)
	}

	// Processes restart with the new master and the old one as previous; one keeps reading while
	// another rotates.
	reader := pg.keyring(t, newM, nil, oldM)
	rotator := pg.keyring(t, newM, nil, oldM)
	stop := make(chan struct{})
	var reads atomic.Int64
	var readErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := reader.Open(ctx, recs[i%len(recs)]); err != nil {
				readErr = err
				return
			}
			reads.Add(1)
		}
	}()
	res, err := rotator.RotateMaster(ctx)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if readErr != nil {
		t.Fatalf("a reader failed during the rotation: %v", readErr)
	}
	if reads.Load() == 0 {
		t.Fatal("the reader read nothing during the rotation")
	}
	if res.Rewrapped != len(recs)+1 { // every subject and the blind-index keyset
		t.Fatalf("RotateMaster = %+v, want %d rewrapped", res, len(recs)+1)
	}
	var left int
	if err := pg.admin.QueryRow(ctx, `SELECT (SELECT count(*) FROM keyring_subject_keys WHERE master_id <> $1)
		+ (SELECT count(*) FROM keyring_practice_keys WHERE master_id <> $1)`, newM.ID()).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Fatalf("%d keysets still wrapped by the old master", left)
	}
	// Running it again finds nothing to do.
	if again, err := rotator.RotateMaster(ctx); err != nil || again.Rewrapped != 0 {
		t.Fatalf("second RotateMaster = %+v, %v", again, err)
	}
	// The old master is retired: a keyring with only the new one reads everything.
	after := pg.keyring(t, newM, nil)
	for _, r := range recs {
		if got, err := after.Open(ctx, r); err != nil || string(got) != secret {
			t.Fatalf("Open after rotation = %q, %v", got, err)
		}
	}
	if tok2, err := after.Token(ctx, "client-name", "zebulon quaxworth"); err != nil || string(tok2) != string(tok) {
		t.Fatalf("token changed across master rotation: %v", err)
	}
	// And a keyring with only the old master can no longer unwrap anything.
	stale := pg.keyring(t, oldM, nil)
	if _, err := stale.Open(ctx, recs[0]); !errors.Is(err, keyring.ErrMasterMismatch) {
		t.Fatalf("Open with the retired master only = %v, want ErrMasterMismatch", err)
	}
}

func TestRotateSubjectKeepsOldCiphertextReadable(t *testing.T) {
	t.Parallel()
	pg := newPG(t)
	ctx := context.Background()
	m := newMaster(t)
	a := pg.keyring(t, m, nil)
	b := pg.keyring(t, m, nil)
	subject := newID(t)
	stream := eventstore.StreamID("client-" + subject.String())
	old := sealed(t, a, stream, subject, secret)
	oldValue, err := a.SealValue(ctx, subject, []byte("v"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Open(ctx, old); err != nil { // b caches the one-key keyset
		t.Fatal(err)
	}
	primary, err := a.RotateSubject(ctx, subject)
	if err != nil {
		t.Fatal(err)
	}
	if primary == old.KeyID {
		t.Fatal("rotation kept the primary key")
	}
	fresh := sealed(t, a, stream, subject, secret)
	if fresh.KeyID != primary {
		t.Fatalf("new seal uses key %d, want the new primary %d", fresh.KeyID, primary)
	}
	for name, k := range map[string]*keyring.Keyring{"rotator": a, "other process": b} {
		for _, r := range []eventstore.RecordedEvent{old, fresh} {
			if got, err := k.Open(ctx, r); err != nil || string(got) != secret {
				t.Fatalf("%s: Open of key %d after rotation = %q, %v", name, r.KeyID, got, err)
			}
		}
		if got, err := k.OpenValue(ctx, subject, oldValue, nil); err != nil || string(got) != "v" {
			t.Fatalf("%s: OpenValue after rotation = %q, %v", name, got, err)
		}
	}
	// Shredding destroys both keys.
	log := eventstore.NewMemory()
	c := pg.keyring(t, m, log)
	res, err := c.Shred(ctx, subject, shredRequest(t, subject))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.KeyIDs) != 2 || res.KeyIDs[0] != primary || res.KeyIDs[1] != old.KeyID {
		t.Fatalf("shred destroyed keys %v, want [%d %d]", res.KeyIDs, primary, old.KeyID)
	}
	if _, err := c.RotateSubject(ctx, subject); !errors.Is(err, keyring.ErrErased) {
		t.Fatalf("RotateSubject after shred = %v, want ErrErased", err)
	}
}
