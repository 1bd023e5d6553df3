package keyring

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/tink-crypto/tink-go/v2/aead/subtle"
	"golang.org/x/crypto/argon2"
)

// MinPassphraseBytes is the shortest passphrase a passphrase master accepts.
const MinPassphraseBytes = 16

// Argon2 are the cost parameters of argon2id for a new passphrase.
type Argon2 struct {
	Time    uint32
	Memory  uint32 // KiB
	Threads uint8
}

// DefaultArgon2 is RFC 9106's second recommended option: t=3, m=64 MiB, p=4.
var DefaultArgon2 = Argon2{Time: 3, Memory: 64 * 1024, Threads: 4}

func (a Argon2) withDefaults() Argon2 {
	if a.Time == 0 {
		a.Time = DefaultArgon2.Time
	}
	if a.Memory == 0 {
		a.Memory = DefaultArgon2.Memory
	}
	if a.Threads == 0 {
		a.Threads = DefaultArgon2.Threads
	}
	return a
}

func (a Argon2) validate() error {
	if a.Memory != 0 && a.Memory < 8*uint32(max(a.Threads, 1)) {
		return errors.New("keyring: Argon2.Memory must be at least 8 KiB per thread")
	}
	return nil
}

// openPassphraseMaster derives the master key from pass with argon2id. It tries the salt and
// parameters of every passphrase stored in the database and uses the one whose check value opens;
// when none does (the first start, or a new passphrase for a rotation) it stores a new random salt
// with cost. A mistyped passphrase therefore looks like a new one here, and New refuses it: a
// database whose keysets some master already wrapped accepts no keyring without one of its masters.
func openPassphraseMaster(ctx context.Context, s Storage, pass string, cost Argon2) (*Master, error) {
	if len(pass) < MinPassphraseBytes {
		return nil, fmt.Errorf("keyring: master passphrase is shorter than %d bytes", MinPassphraseBytes)
	}
	kdfs, err := s.KDFs(ctx)
	if err != nil {
		return nil, err
	}
	for _, k := range kdfs {
		m, err := deriveMaster(pass, k)
		if err != nil {
			return nil, err
		}
		check, ok, err := s.MasterCheck(ctx, k.ID)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if pt, err := m.aead.Decrypt(check, masterCheckAD(k.ID)); err == nil && bytes.Equal(pt, masterCheckPlaintext) {
			return m, nil
		}
	}
	cost = cost.withDefaults()
	k := KDF{Salt: make([]byte, 16), Time: cost.Time, Memory: cost.Memory, Threads: cost.Threads}
	if _, err := rand.Read(k.Salt); err != nil {
		return nil, fmt.Errorf("keyring: passphrase salt: %w", err)
	}
	k.ID = "argon2id:" + hex.EncodeToString(k.Salt[:8])
	if err := s.PutKDF(ctx, k); err != nil {
		return nil, err
	}
	return deriveMaster(pass, k)
}

// deriveMaster derives a 256-bit AES-GCM master key from pass under k.
func deriveMaster(pass string, k KDF) (*Master, error) {
	key := argon2.IDKey([]byte(pass), k.Salt, k.Time, k.Memory, k.Threads, 32)
	a, err := subtle.NewAESGCM(key)
	clear(key)
	if err != nil {
		return nil, fmt.Errorf("keyring: passphrase master: %w", err)
	}
	return NewMaster(k.ID, a, false)
}
