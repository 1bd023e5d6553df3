package keyring

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/keyset"
)

// rotateBatch is how many keysets RotateMaster reads per query.
const rotateBatch = 500

// conflictRetries is how often a rotation re-reads a keyset that changed under it.
const conflictRetries = 5

// RotateMasterResult counts what RotateMaster did.
type RotateMasterResult struct {
	// Rewrapped counts subject and practice keysets re-wrapped under the current master.
	Rewrapped int
	// Erased counts subjects shredded while the rotation ran (nothing to re-wrap).
	Erased int
}

// RotateMaster re-wraps every keyset not yet wrapped by the keyring's current master under it,
// unwrapping each with the master that wrapped it (Config.Previous must hold every such master).
// Each keyset is replaced on its own, in a short transaction guarded by its revision, so readers
// and writers keep working throughout, and an interrupted rotation is finished by running it again.
// Only the wrapping changes: the keys inside, and so every ciphertext, stay valid.
//
// Procedure without downtime, restarting processes one at a time: (1) restart every process with
// the old master as Config.Master and the new one in Config.Previous, so that all of them can unwrap
// keysets wrapped by either; (2) restart every process with the new master as Config.Master and the
// old one in Config.Previous; (3) run RotateMaster (`caseledger keys rotate-master`); (4) drop the
// old master from Previous and retire it. Without step 1, a process not yet restarted in step 2
// cannot open the keys that restarted processes mint under the new master. docs/keyring.md has
// the details.
func (k *Keyring) RotateMaster(ctx context.Context) (RotateMasterResult, error) {
	var res RotateMasterResult
	var after uuid.UUID
	for {
		batch, err := k.storage.ListKeysets(ctx, k.master.id, after, rotateBatch)
		if err != nil {
			return res, err
		}
		for _, w := range batch {
			after = w.Subject
			err := k.rewrapSubject(ctx, w)
			switch {
			case errors.Is(err, ErrErased):
				res.Erased++
			case err != nil:
				return res, err
			default:
				res.Rewrapped++
			}
		}
		if len(batch) < rotateBatch {
			break
		}
	}
	practice, err := k.storage.ListPracticeKeysets(ctx, k.master.id)
	if err != nil {
		return res, err
	}
	for _, w := range practice {
		if err := k.rewrapPractice(ctx, w); err != nil {
			return res, err
		}
		res.Rewrapped++
	}
	return res, nil
}

// rewrapSubject re-wraps one subject keyset under the current master, re-reading it if it changed.
func (k *Keyring) rewrapSubject(ctx context.Context, w Wrapped) error {
	for try := 0; ; try++ {
		if w.MasterID == k.master.id {
			return nil
		}
		ad := subjectKeysetAD(w.Subject)
		h, err := k.unwrap(w, ad)
		if err != nil {
			return err
		}
		nw, err := k.wrap(h, ad)
		if err != nil {
			return err
		}
		nw.Subject, nw.Revision = w.Subject, w.Revision
		_, err = k.storage.ReplaceKeyset(ctx, nw)
		if !errors.Is(err, ErrConflict) || try == conflictRetries {
			return err
		}
		if w, err = k.storage.LoadKeyset(ctx, w.Subject); err != nil {
			return err
		}
	}
}

func (k *Keyring) rewrapPractice(ctx context.Context, w Wrapped) error {
	ad := practiceKeysetAD(w.Name)
	h, err := k.unwrap(w, ad)
	if err != nil {
		return err
	}
	nw, err := k.wrap(h, ad)
	if err != nil {
		return err
	}
	nw.Name, nw.Revision = w.Name, w.Revision
	_, err = k.storage.ReplacePracticeKeyset(ctx, nw)
	return err
}

// RotateSubject adds a new random AES-256-GCM key to subject's keyset and makes it the primary: new
// seals use it, and everything sealed before still opens with the older keys, which stay in the
// keyset. Every process is told to reload the subject's key. It returns the new primary key id. An
// erased subject fails with an ErrErased error; a subject without a keyset with ErrNoKeyset.
func (k *Keyring) RotateSubject(ctx context.Context, subject uuid.UUID) (uint32, error) {
	for try := 0; ; try++ {
		w, err := k.storage.LoadKeyset(ctx, subject)
		if err != nil {
			return 0, err
		}
		ad := subjectKeysetAD(subject)
		h, err := k.unwrap(w, ad)
		if err != nil {
			return 0, err
		}
		m := keyset.NewManagerFromHandle(h)
		id, err := m.Add(aead.AES256GCMKeyTemplate())
		if err == nil {
			err = m.SetPrimary(id)
		}
		if err == nil {
			h, err = m.Handle()
		}
		if err != nil {
			return 0, fmt.Errorf("keyring: rotate subject %s: %w", subject, err)
		}
		nw, err := k.wrap(h, ad)
		if err != nil {
			return 0, err
		}
		nw.Subject, nw.Revision = subject, w.Revision
		_, err = k.storage.ReplaceKeyset(ctx, nw)
		if err == nil {
			k.cache.evict(subject)
			return id, nil
		}
		if !errors.Is(err, ErrConflict) || try == conflictRetries {
			return 0, err
		}
	}
}
