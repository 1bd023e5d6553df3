package keyring

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"golang.org/x/sync/singleflight"
)

// loadTimeout bounds one shared key load, which runs on after the caller that started it gives up.
const loadTimeout = 30 * time.Second

// subjectKey returns subject's unwrapped key, from the cache or from storage. With create, a subject
// without a keyset gets a new random one; without, it fails with ErrNoKeyset. An erased subject
// fails with an ErrErased error either way. Concurrent misses for one subject share one load, which
// does not fail because one of the callers gave up: each caller waits for it only as long as its
// own ctx allows.
func (k *Keyring) subjectKey(ctx context.Context, op string, subject uuid.UUID, create bool) (*subjectKey, error) {
	sk, _ := k.cache.get(subject)
	if sk == nil {
		var err error
		if sk, err = k.sharedLoad(ctx, op, subject, create); err != nil {
			return nil, err
		}
	}
	if sk.erased {
		return nil, erased(op, subject)
	}
	return sk, nil
}

// sharedLoad is subjectKey's cache miss: one load per subject however many callers miss at once,
// each waiting only as long as its own ctx allows. It is a function of its own so that a cache
// hit, thousands a second in a replay, allocates nothing.
func (k *Keyring) sharedLoad(ctx context.Context, op string, subject uuid.UUID, create bool) (*subjectKey, error) {
	flight := "o" + string(subject[:])
	if create {
		flight = "c" + string(subject[:])
	}
	ch := k.loads.DoChan(flight, func() (any, error) {
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), loadTimeout)
		defer cancel()
		return k.loadSubjectKey(lctx, subject, create)
	})
	var r singleflight.Result
	select {
	case <-ctx.Done():
		return nil, fmt.Errorf("keyring: %s subject %s: %w", op, subject, ctx.Err())
	case r = <-ch:
	}
	if r.Err != nil {
		var ke *Error
		if errors.As(r.Err, &ke) {
			return nil, &Error{Op: op, Subject: subject, Err: ke.Err}
		}
		return nil, r.Err
	}
	return r.Val.(*subjectKey), nil
}

// loadSubjectKey reads, and with create mints, subject's keyset, unwraps it and caches the result.
func (k *Keyring) loadSubjectKey(ctx context.Context, subject uuid.UUID, create bool) (*subjectKey, error) {
	_, epoch := k.cache.get(subject)
	w, err := k.storage.LoadKeyset(ctx, subject)
	switch {
	case errors.Is(err, ErrErased):
		sk := &subjectKey{erased: true, loaded: k.now()}
		k.cache.put(subject, sk, epoch)
		return sk, nil
	case errors.Is(err, ErrNoKeyset) && create:
		if w, err = k.mintKeyset(ctx, subject); errors.Is(err, ErrErased) {
			sk := &subjectKey{erased: true, loaded: k.now()}
			k.cache.put(subject, sk, epoch)
			return sk, nil
		}
	}
	if err != nil {
		return nil, err
	}
	h, err := k.unwrap(w, subjectKeysetAD(subject))
	if err != nil {
		return nil, err
	}
	sk, err := newSubjectKey(h, k.now())
	if err != nil {
		return nil, err
	}
	k.cache.put(subject, sk, epoch)
	return sk, nil
}

func newSubjectKey(h *keyset.Handle, now time.Time) (*subjectKey, error) {
	a, err := aead.New(h)
	if err != nil {
		return nil, fmt.Errorf("keyring: subject key primitive: %w", err)
	}
	return &subjectKey{aead: a, primary: h.KeysetInfo().GetPrimaryKeyId(), loaded: now}, nil
}

// mintKeyset creates a random AES-256-GCM keyset for subject, wraps it and stores it. If another
// process stored one first, that one is returned.
func (k *Keyring) mintKeyset(ctx context.Context, subject uuid.UUID) (Wrapped, error) {
	h, err := keyset.NewHandle(aead.AES256GCMKeyTemplate())
	if err != nil {
		return Wrapped{}, fmt.Errorf("keyring: new subject keyset: %w", err)
	}
	w, err := k.wrap(h, subjectKeysetAD(subject))
	if err != nil {
		return Wrapped{}, err
	}
	w.Subject = subject
	return k.storage.CreateKeyset(ctx, w)
}

// wrap encrypts h with the current master, binding ad.
func (k *Keyring) wrap(h *keyset.Handle, ad []byte) (Wrapped, error) {
	return wrapWith(k.master, h, ad)
}

func wrapWith(m *Master, h *keyset.Handle, ad []byte) (Wrapped, error) {
	var buf bytes.Buffer
	if err := h.WriteWithAssociatedData(keyset.NewBinaryWriter(&buf), m.aead, ad); err != nil {
		return Wrapped{}, fmt.Errorf("keyring: wrap keyset with master %s: %w", m.id, err)
	}
	info := h.KeysetInfo()
	ids := []uint32{info.GetPrimaryKeyId()}
	for _, ki := range info.GetKeyInfo() {
		if ki.GetKeyId() != info.GetPrimaryKeyId() {
			ids = append(ids, ki.GetKeyId())
		}
	}
	return Wrapped{Ciphertext: buf.Bytes(), MasterID: m.id, KeyIDs: ids}, nil
}

// unwrap decrypts w with the master that wrapped it. A master the keyring does not know fails with
// ErrMasterMismatch; a keyset that does not open (wrong ad: another subject's row) with ErrDecrypt.
func (k *Keyring) unwrap(w Wrapped, ad []byte) (*keyset.Handle, error) {
	m, ok := k.masters[w.MasterID]
	if !ok {
		return nil, &Error{Op: "unwrap", Subject: w.Subject, Err: fmt.Errorf("%w: keyset wrapped by unknown master %s", ErrMasterMismatch, w.MasterID)}
	}
	h, err := keyset.ReadWithAssociatedData(keyset.NewBinaryReader(bytes.NewReader(w.Ciphertext)), m.aead, ad)
	if err != nil {
		return nil, &Error{Op: "unwrap", Subject: w.Subject, Err: ErrDecrypt}
	}
	return h, nil
}
