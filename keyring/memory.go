package keyring

import (
	"bytes"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
)

// MemoryStorage is a Storage held in memory, for tests. Several Keyrings sharing one MemoryStorage
// behave like processes sharing one database: a shred through one evicts the key from all of them.
// The zero value is not usable; call NewMemoryStorage.
type MemoryStorage struct {
	mu         sync.Mutex
	keysets    map[uuid.UUID]Wrapped
	tombstones map[uuid.UUID]Tombstone
	practice   map[string]Wrapped
	checks     map[string][]byte
	kdfs       []KDF
	revision   int64
	watchers   map[Watcher]struct{}
}

// NewMemoryStorage returns an empty MemoryStorage.
func NewMemoryStorage() *MemoryStorage {
	return &MemoryStorage{
		keysets:    map[uuid.UUID]Wrapped{},
		tombstones: map[uuid.UUID]Tombstone{},
		practice:   map[string]Wrapped{},
		checks:     map[string][]byte{},
		watchers:   map[Watcher]struct{}{},
	}
}

func cloneWrapped(w Wrapped) Wrapped {
	w.Ciphertext = bytes.Clone(w.Ciphertext)
	w.KeyIDs = slices.Clone(w.KeyIDs)
	return w
}

// LoadKeyset implements Storage.
func (m *MemoryStorage) LoadKeyset(ctx context.Context, subject uuid.UUID) (Wrapped, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.tombstones[subject]; ok {
		return Wrapped{}, erased("load", subject)
	}
	w, ok := m.keysets[subject]
	if !ok {
		return Wrapped{}, ErrNoKeyset
	}
	return cloneWrapped(w), nil
}

// CreateKeyset implements Storage.
func (m *MemoryStorage) CreateKeyset(ctx context.Context, w Wrapped) (Wrapped, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.tombstones[w.Subject]; ok {
		return Wrapped{}, erased("create", w.Subject)
	}
	if old, ok := m.keysets[w.Subject]; ok {
		return cloneWrapped(old), nil
	}
	m.revision++
	w = cloneWrapped(w)
	w.Revision = m.revision
	m.keysets[w.Subject] = w
	return cloneWrapped(w), nil
}

// ReplaceKeyset implements Storage.
func (m *MemoryStorage) ReplaceKeyset(ctx context.Context, w Wrapped) (Wrapped, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.tombstones[w.Subject]; ok {
		return Wrapped{}, erased("replace", w.Subject)
	}
	old, ok := m.keysets[w.Subject]
	if !ok || old.Revision != w.Revision {
		return Wrapped{}, ErrConflict
	}
	m.revision++
	w = cloneWrapped(w)
	w.Revision = m.revision
	m.keysets[w.Subject] = w
	m.notify(w.Subject)
	return cloneWrapped(w), nil
}

// ShredKeyset implements Storage.
func (m *MemoryStorage) ShredKeyset(ctx context.Context, subject, requestID uuid.UUID, at time.Time) (Tombstone, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t, ok := m.tombstones[subject]; ok {
		t.KeyIDs = slices.Clone(t.KeyIDs)
		t.Existed = true
		return t, nil
	}
	t := Tombstone{Subject: subject, RequestID: requestID, ErasedAt: at}
	if w, ok := m.keysets[subject]; ok {
		t.KeyIDs = slices.Clone(w.KeyIDs)
		clear(w.Ciphertext)
		delete(m.keysets, subject)
	}
	m.tombstones[subject] = t
	m.notify(subject)
	t.KeyIDs = slices.Clone(t.KeyIDs)
	return t, nil
}

// ListKeysets implements Storage.
func (m *MemoryStorage) ListKeysets(ctx context.Context, notMaster string, after uuid.UUID, limit int) ([]Wrapped, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Wrapped
	for id, w := range m.keysets {
		if bytes.Compare(id[:], after[:]) > 0 && (notMaster == "" || w.MasterID != notMaster) {
			out = append(out, cloneWrapped(w))
		}
	}
	slices.SortFunc(out, func(a, b Wrapped) int { return bytes.Compare(a.Subject[:], b.Subject[:]) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// LoadPracticeKeyset implements Storage.
func (m *MemoryStorage) LoadPracticeKeyset(ctx context.Context, name string) (Wrapped, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	w, ok := m.practice[name]
	if !ok {
		return Wrapped{}, ErrNoKeyset
	}
	return cloneWrapped(w), nil
}

// CreatePracticeKeyset implements Storage.
func (m *MemoryStorage) CreatePracticeKeyset(ctx context.Context, w Wrapped) (Wrapped, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.practice[w.Name]; ok {
		return cloneWrapped(old), nil
	}
	m.revision++
	w = cloneWrapped(w)
	w.Revision = m.revision
	m.practice[w.Name] = w
	return cloneWrapped(w), nil
}

// ReplacePracticeKeyset implements Storage.
func (m *MemoryStorage) ReplacePracticeKeyset(ctx context.Context, w Wrapped) (Wrapped, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	old, ok := m.practice[w.Name]
	if !ok || old.Revision != w.Revision {
		return Wrapped{}, ErrConflict
	}
	m.revision++
	w = cloneWrapped(w)
	w.Revision = m.revision
	m.practice[w.Name] = w
	return cloneWrapped(w), nil
}

// ListPracticeKeysets implements Storage.
func (m *MemoryStorage) ListPracticeKeysets(ctx context.Context, notMaster string) ([]Wrapped, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Wrapped
	for _, w := range m.practice {
		if notMaster == "" || w.MasterID != notMaster {
			out = append(out, cloneWrapped(w))
		}
	}
	slices.SortFunc(out, func(a, b Wrapped) int { return cmpString(a.Name, b.Name) })
	return out, nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// MasterIDs implements Storage.
func (m *MemoryStorage) MasterIDs(ctx context.Context) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ids := make([]string, 0, len(m.checks))
	for id := range m.checks {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids, nil
}

// MasterCheck implements Storage.
func (m *MemoryStorage) MasterCheck(ctx context.Context, id string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.checks[id]
	return bytes.Clone(c), ok, nil
}

// PutMasterCheck implements Storage.
func (m *MemoryStorage) PutMasterCheck(ctx context.Context, id string, check []byte) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c, ok := m.checks[id]; ok {
		return bytes.Clone(c), nil
	}
	m.checks[id] = bytes.Clone(check)
	return bytes.Clone(check), nil
}

// KDFs implements Storage.
func (m *MemoryStorage) KDFs(ctx context.Context) ([]KDF, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := slices.Clone(m.kdfs)
	for i := range out {
		out[i].Salt = bytes.Clone(out[i].Salt)
	}
	return out, nil
}

// PutKDF implements Storage.
func (m *MemoryStorage) PutKDF(ctx context.Context, k KDF) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k.Salt = bytes.Clone(k.Salt)
	m.kdfs = append(m.kdfs, k)
	return nil
}

// Watch implements Storage. MemoryStorage tells watchers synchronously, before the change's call
// returns, so tests need not wait for another "process" to hear of a shred.
func (m *MemoryStorage) Watch(ctx context.Context, w Watcher) error {
	m.mu.Lock()
	m.watchers[w] = struct{}{}
	m.mu.Unlock()
	w.Reset()
	<-ctx.Done()
	m.mu.Lock()
	delete(m.watchers, w)
	m.mu.Unlock()
	return ctx.Err()
}

// notify tells every watcher that subject changed; m.mu is held.
func (m *MemoryStorage) notify(subject uuid.UUID) {
	for w := range m.watchers {
		w.Changed(subject)
	}
}
