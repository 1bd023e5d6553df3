package keyring_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/keyring"
)

// TestErasedSubjectStorageLevel shreds through the storage directly (as another process would) and
// checks that every keyring sharing it refuses the subject with a typed erased error.
func TestErasedSubjectStorageLevel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := keyring.NewMemoryStorage()
	m := newMaster(t)
	a := newKeyring(t, s, m, nil)
	b := newKeyring(t, s, m, nil)
	subject := newID(t)
	stream := eventstore.StreamID("client-" + subject.String())
	r := sealed(t, a, stream, subject, secret)
	value, err := a.SealValue(ctx, subject, []byte("Zebulon"), []byte("ad"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Open(ctx, r); err != nil { // b caches the key
		t.Fatal(err)
	}
	if _, err := s.ShredKeyset(ctx, subject, newID(t), time.Now()); err != nil {
		t.Fatal(err)
	}
	for name, k := range map[string]*keyring.Keyring{"a": a, "b": b} {
		t.Run(name, func(t *testing.T) {
			checks := map[string]error{}
			_, checks["Open"] = k.Open(ctx, r)
			_, checks["OpenValue"] = k.OpenValue(ctx, subject, value, []byte("ad"))
			_, checks["SealValue"] = k.SealValue(ctx, subject, []byte("x"), nil)
			e := eventstore.EventData{ID: newID(t), Type: "T", Subject: subject, Payload: []byte("{}")}
			checks["Seal"] = k.Seal(ctx, stream, &e)
			for op, err := range checks {
				if !errors.Is(err, keyring.ErrErased) || !errors.Is(err, domain.ErrErased) {
					t.Errorf("%s = %v, want ErrErased and domain.ErrErased", op, err)
				}
				if domain.KindOf(err) != domain.KindErased {
					t.Errorf("%s: kind %q, want %q", op, domain.KindOf(err), domain.KindErased)
				}
			}
			if string(e.Payload) != "{}" || e.KeyID != 0 {
				t.Error("a refused Seal changed the event")
			}
		})
	}
}
