package keyring

import (
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/domain"
)

// Errors of the keyring. Test with errors.Is; an *Error carries the operation and the subject id.
var (
	// ErrErased: the subject was shredded; their key no longer exists and none will be minted again.
	// Errors matching it also match domain.ErrErased and have domain.KindErased.
	ErrErased = errors.New("subject erased")
	// ErrDecrypt: a ciphertext does not open under the subject's key with the given associated data:
	// it was tampered with, moved to another event, stream, type, subject or field, or its subject
	// has no keyset at all.
	ErrDecrypt = errors.New("ciphertext does not open")
	// ErrMasterMismatch: the configured master key is not the one this database's keysets were
	// wrapped with (a wrong keyset file, passphrase or KMS key).
	ErrMasterMismatch = errors.New("master key does not match this database")
	// ErrConflict: a keyset changed between read and write (a concurrent rotation); retry.
	ErrConflict = errors.New("keyset changed concurrently")
	// ErrNoKeyset: storage holds no keyset for the subject (and no tombstone). Storage
	// implementations return it; Keyring callers see ErrDecrypt on Open instead.
	ErrNoKeyset = errors.New("no keyset")
)

// Error is a keyring failure about one subject. Its message holds the operation, the subject id and
// the reason, never plaintext or key material. errors.Is(err, Err) holds for its sentinel Err, and
// an erased subject's Error also matches domain.ErrErased.
type Error struct {
	Op      string
	Subject uuid.UUID
	Err     error
}

func (e *Error) Error() string {
	return fmt.Sprintf("keyring: %s subject %s: %v", e.Op, e.Subject, e.Err)
}

// Unwrap returns the sentinel, and for an erased subject a domain error of kind KindErased with the
// stable code "subject_erased".
func (e *Error) Unwrap() []error {
	if e.Err == ErrErased {
		return []error{e.Err, &domain.Error{
			Kind:    domain.KindErased,
			Code:    "subject_erased",
			Message: "subject " + e.Subject.String() + " was erased",
		}}
	}
	return []error{e.Err}
}

func erased(op string, subject uuid.UUID) error {
	return &Error{Op: op, Subject: subject, Err: ErrErased}
}

func undecryptable(op string, subject uuid.UUID) error {
	return &Error{Op: op, Subject: subject, Err: ErrDecrypt}
}
