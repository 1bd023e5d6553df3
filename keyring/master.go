package keyring

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// masterCheckPlaintext is what a master key's check value encrypts. The check value lets a process
// tell at start-up that it was given the wrong master key, instead of failing on every keyset.
var masterCheckPlaintext = []byte("caseledger master key check")

// Master is a master AEAD, the key-encryption key that wraps every keyset, with a stable id that is
// stored beside each keyset it wrapped. The id is not secret. A Master is safe for concurrent use.
type Master struct {
	id          string
	aead        tink.AEAD
	development bool
}

// NewMaster returns a Master for a, identified by id (non-empty, not secret, at most 200 bytes).
// Providers built by OpenMaster are the usual source; NewMaster serves custom providers and tests.
func NewMaster(id string, a tink.AEAD, development bool) (*Master, error) {
	if id == "" || len(id) > 200 {
		return nil, errors.New("keyring: master id must be 1 to 200 bytes")
	}
	if a == nil {
		return nil, errors.New("keyring: master AEAD is nil")
	}
	return &Master{id: id, aead: a, development: development}, nil
}

// NewRandomMaster returns a Master with a fresh random AES-256-GCM key held only in memory: keysets
// it wraps are lost with the process. For tests and benchmarks.
func NewRandomMaster() (*Master, error) {
	h, err := keyset.NewHandle(aead.AES256GCMKeyTemplate())
	if err != nil {
		return nil, fmt.Errorf("keyring: random master: %w", err)
	}
	a, err := aead.New(h)
	if err != nil {
		return nil, fmt.Errorf("keyring: random master: %w", err)
	}
	return NewMaster(fmt.Sprintf("memory:%08x", h.KeysetInfo().GetPrimaryKeyId()), a, true)
}

// ID returns the master's id, stored with every keyset it wraps.
func (m *Master) ID() string { return m.id }

// Development reports whether the master is only fit for development: a local keyset file, a fake
// KMS or a random in-memory key. A server should log loudly when it runs with one.
func (m *Master) Development() bool { return m.development }

// verify checks m against the check value stored for its id, storing one if there is none yet. It
// fails with ErrMasterMismatch when the stored value does not open under m.
func (m *Master) verify(ctx context.Context, s Storage) error {
	ad := masterCheckAD(m.id)
	stored, ok, err := s.MasterCheck(ctx, m.id)
	if err != nil {
		return fmt.Errorf("keyring: master %s: %w", m.id, err)
	}
	if !ok {
		check, err := m.aead.Encrypt(masterCheckPlaintext, ad)
		if err != nil {
			return fmt.Errorf("keyring: master %s: %w", m.id, err)
		}
		if stored, err = s.PutMasterCheck(ctx, m.id, check); err != nil {
			return fmt.Errorf("keyring: master %s: %w", m.id, err)
		}
	}
	pt, err := m.aead.Decrypt(stored, ad)
	if err != nil || !bytes.Equal(pt, masterCheckPlaintext) {
		return fmt.Errorf("keyring: master %s: %w", m.id, ErrMasterMismatch)
	}
	return nil
}
