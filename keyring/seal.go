package keyring

import (
	"context"
	"errors"
	"sync"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
)

// Seal encrypts e.Payload in place under e.Subject's primary key, creating the subject's keyset on
// first use, and sets e.KeyID. The associated data binds e.ID, e.Subject, stream and e.Type, so the
// ciphertext opens only as that event. An event with no subject (uuid.Nil) is left as it is. Seal
// fails with an ErrErased error when the subject was shredded, and with a domain.ErrInvalid error
// when e is nil or has no id; e is unchanged on failure.
func (k *Keyring) Seal(ctx context.Context, stream eventstore.StreamID, e *eventstore.EventData) error {
	if e == nil {
		return domain.Invalid("event", "nil event")
	}
	if e.Subject == uuid.Nil {
		return nil
	}
	if e.ID == uuid.Nil {
		return domain.Invalid("event_id", "a sealed event needs an id")
	}
	sk, err := k.subjectKey(ctx, "seal", e.Subject, true)
	if err != nil {
		return err
	}
	ct, err := sk.aead.Encrypt(e.Payload, eventAD(e.ID, e.Subject, stream, e.Type))
	if err != nil {
		return &Error{Op: "seal", Subject: e.Subject, Err: err}
	}
	e.Payload, e.KeyID = ct, sk.primary
	return nil
}

// Open returns the plaintext payload of e. An event with no subject is plaintext and its payload is
// returned as it is. Open fails with an ErrErased error when the subject was shredded, and with an
// ErrDecrypt error when the payload does not open as this event (tampered, moved to another event,
// stream, type or subject, or the subject has no keyset). It never returns ciphertext as data.
func (k *Keyring) Open(ctx context.Context, e eventstore.RecordedEvent) ([]byte, error) {
	if e.Subject == uuid.Nil {
		return e.Payload, nil
	}
	bp := adBuffers.Get().(*[]byte)
	*bp = appendEventAD((*bp)[:0], e.ID, e.Subject, e.StreamID, e.Type)
	pt, err := k.open(ctx, "open", e.Subject, e.Payload, *bp)
	adBuffers.Put(bp)
	return pt, err
}

// adBuffers hold the associated data Open builds for each event it opens, which the AEAD only
// reads during the call: a replay opens every sealed event of the log.
var adBuffers = sync.Pool{New: func() any { return new([]byte) }}

// SealValue encrypts plaintext under subject's primary key, creating the subject's keyset on first
// use, binding associatedData (for read models: the table, row and column the value belongs to).
// The result opens only with OpenValue for the same subject and associated data. It fails with an
// ErrErased error when the subject was shredded and a domain.ErrInvalid error for a nil subject.
func (k *Keyring) SealValue(ctx context.Context, subject uuid.UUID, plaintext, associatedData []byte) ([]byte, error) {
	if subject == uuid.Nil {
		return nil, domain.Invalid("subject", "a sealed value needs a subject")
	}
	sk, err := k.subjectKey(ctx, "seal value", subject, true)
	if err != nil {
		return nil, err
	}
	ct, err := sk.aead.Encrypt(plaintext, valueAD(subject, associatedData))
	if err != nil {
		return nil, &Error{Op: "seal value", Subject: subject, Err: err}
	}
	return ct, nil
}

// OpenValue returns the plaintext of a SealValue ciphertext. It fails with an ErrErased error when
// the subject was shredded and an ErrDecrypt error when the ciphertext does not open under the
// subject's key with associatedData.
func (k *Keyring) OpenValue(ctx context.Context, subject uuid.UUID, ciphertext, associatedData []byte) ([]byte, error) {
	if subject == uuid.Nil {
		return nil, domain.Invalid("subject", "a sealed value needs a subject")
	}
	return k.open(ctx, "open value", subject, ciphertext, valueAD(subject, associatedData))
}

// open decrypts ct under subject's key. A failure with a cached key is retried once with a fresh
// one, in case another process rotated the subject's keyset since it was cached.
func (k *Keyring) open(ctx context.Context, op string, subject uuid.UUID, ct, ad []byte) ([]byte, error) {
	for attempt := 0; ; attempt++ {
		sk, err := k.subjectKey(ctx, op, subject, false)
		if err != nil {
			if errors.Is(err, ErrNoKeyset) {
				return nil, undecryptable(op, subject)
			}
			return nil, err
		}
		pt, err := sk.aead.Decrypt(ct, ad)
		if err == nil {
			return pt, nil
		}
		if attempt > 0 {
			return nil, undecryptable(op, subject)
		}
		k.cache.evict(subject)
	}
}
