package keyring

import "github.com/tink-crypto/tink-go/v2/tink"

// AEAD returns the master's AEAD primitive, for other key material that must be wrapped by the
// master key itself (the checkpoint signing keyset of eventstore/checkpoint). Callers bind what
// they wrap with their own associated data.
func (m *Master) AEAD() tink.AEAD { return m.aead }
