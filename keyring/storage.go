package keyring

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Storage keeps wrapped keysets, tombstones and master-key metadata. It never sees an unwrapped key.
// PostgresStorage is the production implementation; MemoryStorage serves fast tests. Implementations
// are safe for concurrent use.
type Storage interface {
	// LoadKeyset returns the subject's wrapped keyset. It fails with an *Error matching ErrErased when
	// the subject has a tombstone, and with ErrNoKeyset when it has neither keyset nor tombstone.
	LoadKeyset(ctx context.Context, subject uuid.UUID) (Wrapped, error)
	// CreateKeyset stores w as the keyset of w.Subject and returns it with its revision. If the
	// subject already has a keyset (created concurrently) it returns that one instead and stores
	// nothing; if the subject has a tombstone it fails with an *Error matching ErrErased. Create and
	// Shred of one subject are serialised, so a keyset is never created after its subject's tombstone.
	CreateKeyset(ctx context.Context, w Wrapped) (Wrapped, error)
	// ReplaceKeyset replaces the keyset of w.Subject with w if its revision is still w.Revision, and
	// returns w with its new revision; ErrConflict if it changed, and an ErrErased error if the
	// subject was shredded meanwhile. Every process sharing the storage is told (Watch) to drop its
	// cached copy.
	ReplaceKeyset(ctx context.Context, w Wrapped) (Wrapped, error)
	// ShredKeyset deletes the subject's keyset and records a tombstone, atomically, and tells every
	// process sharing the storage (Watch) to drop the key. It returns the tombstone. Shredding an
	// already erased subject returns the existing tombstone with Existed set; shredding a subject
	// that never had a keyset records a tombstone with no key ids.
	ShredKeyset(ctx context.Context, subject, requestID uuid.UUID, at time.Time) (Tombstone, error)
	// ListKeysets returns up to limit subject keysets with subject ids greater than after, in subject
	// order, whose MasterID is not masterID (pass "" to list all).
	ListKeysets(ctx context.Context, notMaster string, after uuid.UUID, limit int) ([]Wrapped, error)

	// LoadPracticeKeyset returns the practice-wide keyset called name, ErrNoKeyset when none.
	LoadPracticeKeyset(ctx context.Context, name string) (Wrapped, error)
	// CreatePracticeKeyset stores w under w.Name unless one exists, and returns the stored one.
	CreatePracticeKeyset(ctx context.Context, w Wrapped) (Wrapped, error)
	// ReplacePracticeKeyset replaces the keyset w.Name if its revision is still w.Revision;
	// ErrConflict otherwise.
	ReplacePracticeKeyset(ctx context.Context, w Wrapped) (Wrapped, error)
	// ListPracticeKeysets returns every practice-wide keyset whose MasterID is not notMaster.
	ListPracticeKeysets(ctx context.Context, notMaster string) ([]Wrapped, error)

	// MasterIDs returns the ids of every master that has a check value stored.
	MasterIDs(ctx context.Context) ([]string, error)
	// MasterCheck returns the check value stored for master id, and false when there is none.
	MasterCheck(ctx context.Context, id string) ([]byte, bool, error)
	// PutMasterCheck stores the check value of master id unless one is stored already, and returns
	// the stored one.
	PutMasterCheck(ctx context.Context, id string, check []byte) ([]byte, error)
	// KDFs returns the stored passphrase derivation parameters, oldest first.
	KDFs(ctx context.Context) ([]KDF, error)
	// PutKDF stores the parameters of a new passphrase derivation.
	PutKDF(ctx context.Context, k KDF) error

	// Watch tells w about every keyset replaced or shredded through any process sharing the storage
	// until ctx is done, and returns ctx.Err() then. It calls w.Reset when it starts listening and
	// again whenever notifications may have been missed (a reconnect), so that w can drop everything
	// it cached.
	Watch(ctx context.Context, w Watcher) error
}

// Watcher receives the changes Storage.Watch reports. Its methods may be called concurrently and
// must not call back into the Storage.
type Watcher interface {
	// Changed reports that subject's keyset was replaced or shredded.
	Changed(subject uuid.UUID)
	// Reset reports that changes may have been missed: forget every cached key.
	Reset()
}

// Wrapped is a keyset as stored: Tink's encrypted keyset (binary EncryptedKeyset), wrapped by the
// master AEAD with MasterID, and the ids of the keys inside (not secret).
type Wrapped struct {
	// Subject is the data subject of a subject keyset; uuid.Nil for a practice-wide keyset.
	Subject uuid.UUID
	// Name names a practice-wide keyset; "" for a subject keyset.
	Name string
	// Ciphertext is the serialised tinkpb.EncryptedKeyset.
	Ciphertext []byte
	// MasterID identifies the master key that wrapped Ciphertext.
	MasterID string
	// KeyIDs are the Tink key ids in the keyset, primary first.
	KeyIDs []uint32
	// Revision increases with every replacement; storage assigns it.
	Revision int64
}

// Tombstone records that a subject was shredded. It holds ids and a time, never key material.
type Tombstone struct {
	Subject   uuid.UUID
	RequestID uuid.UUID
	// KeyIDs are the ids of the keys destroyed.
	KeyIDs   []uint32
	ErasedAt time.Time
	// Existed is set when the subject had been shredded before this call.
	Existed bool
}

// KDF holds the parameters of an argon2id passphrase derivation, stored so that every process and
// every restart derives the same master key. ID is the id of the master key it derives.
type KDF struct {
	ID      string
	Salt    []byte
	Time    uint32
	Memory  uint32 // KiB
	Threads uint8
}
