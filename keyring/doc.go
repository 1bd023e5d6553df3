// Package keyring holds the per-data-subject encryption keys of Caseledger and destroys them on
// erasure (crypto-shredding).
//
// Every data subject (a client) gets a random AES-256-GCM Tink keyset the first time something is
// sealed for them. Keysets are never derived from another key, so deleting one destroys every copy of
// the subject's personal data that was encrypted with it: event payloads in the log and field values
// in read models alike.
//
// Keysets are stored wrapped (encrypted) by a master AEAD, with the subject's id in the associated
// data, in a table of their own outside the event log (Storage: PostgresStorage in production,
// MemoryStorage for fast tests). The master AEAD comes from a provider chosen by a configuration
// string (OpenMaster): a local Tink keyset file for development, a passphrase stretched with
// argon2id, or a KMS key (Google Cloud KMS, AWS KMS, HashiCorp Vault).
//
// A Keyring seals and opens event payloads (Seal, Open: it satisfies commands.Sealer) and read-model
// field values (SealValue, OpenValue). Unwrapped keysets are cached as ready Tink primitives, bounded
// by size and age, so the warm path does no parsing, no unwrapping and no I/O. Shred deletes a
// subject's keyset, records a tombstone so no key is ever minted for them again, evicts the key from
// the cache of every process sharing the database (PostgreSQL LISTEN/NOTIFY) and appends a PII-free
// SubjectErased event. RotateMaster re-wraps every keyset under a new master without downtime, and
// RotateSubject adds a new primary key to one subject's keyset.
//
// Token computes keyed blind-index tokens (a practice-wide Tink PRF keyset) so that read models can
// find a client by name, email or date of birth without storing them in plaintext.
//
// The byte layouts of every associated data and the copies of a wrapped keyset that can outlive its
// deletion are documented in docs/keyring.md.
package keyring
