package keyring

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/prf"

	"github.com/caseledger/caseledger/domain"
)

// TokenSize is the length in bytes of a blind-index token.
const TokenSize = 32

// indexKeysetName names the practice-wide blind-index keyset in storage.
const indexKeysetName = "blind-index"

// indexKey holds the unwrapped blind-index PRF once loaded. It never expires: it is not a subject
// key and is never shredded.
type indexKey struct {
	mu  sync.Mutex
	set atomic.Pointer[prf.Set]
}

// Token returns the blind-index token of a normalised value for a purpose (such as "client-name",
// "user-email"): HMAC-SHA-256 under the practice-wide index key, over the purpose and the value.
// Equal values give equal tokens within one purpose, and tokens of different purposes are
// unlinkable. The index key is created on first use. Normalise values first (NormaliseName,
// NormaliseEmail, NormaliseDateOfBirth) so that spellings that should match do. purpose must be 1
// to 100 bytes of [a-z0-9_.-]; a bad purpose is a domain.ErrInvalid error.
func (k *Keyring) Token(ctx context.Context, purpose, value string) ([]byte, error) {
	if !validPurpose(purpose) {
		return nil, domain.Invalid("purpose", "must be 1 to 100 bytes of [a-z0-9_.-]")
	}
	set, err := k.indexPRF(ctx)
	if err != nil {
		return nil, err
	}
	t, err := set.ComputePrimaryPRF(tokenInput(purpose, value), TokenSize)
	if err != nil {
		return nil, fmt.Errorf("keyring: token: %w", err)
	}
	return t, nil
}

func validPurpose(p string) bool {
	if len(p) == 0 || len(p) > 100 {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// indexPRF returns the blind-index PRF set, loading or creating the practice keyset once.
func (k *Keyring) indexPRF(ctx context.Context) (*prf.Set, error) {
	if set := k.index.set.Load(); set != nil {
		return set, nil
	}
	k.index.mu.Lock()
	defer k.index.mu.Unlock()
	if set := k.index.set.Load(); set != nil {
		return set, nil
	}
	ad := practiceKeysetAD(indexKeysetName)
	w, err := k.storage.LoadPracticeKeyset(ctx, indexKeysetName)
	if errors.Is(err, ErrNoKeyset) {
		h, herr := keyset.NewHandle(prf.HMACSHA256PRFKeyTemplate())
		if herr != nil {
			return nil, fmt.Errorf("keyring: new index keyset: %w", herr)
		}
		if w, err = k.wrap(h, ad); err == nil {
			w.Name = indexKeysetName
			w, err = k.storage.CreatePracticeKeyset(ctx, w)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("keyring: index keyset: %w", err)
	}
	h, err := k.unwrap(w, ad)
	if err != nil {
		return nil, fmt.Errorf("keyring: index keyset: %w", err)
	}
	set, err := prf.NewPRFSet(h)
	if err != nil {
		return nil, fmt.Errorf("keyring: index keyset: %w", err)
	}
	k.index.set.Store(set)
	return set, nil
}
