// Package checkpoint signs the heads of every stream of the event log and checks the log against
// signed checkpoints kept elsewhere.
//
// The hash chain of each stream (docs/ledger-format.md) catches an altered or removed event, but
// not a rewrite by someone who recomputes every later hash, nor the removal of a stream's newest
// events. A checkpoint closes that gap: it lists every stream's head (stream id, version, hash),
// is signed with an Ed25519 key (a Tink signature keyset wrapped by the master AEAD, stored in the
// checkpoint_signing_keys table), is stored in the checkpoints table, and is announced by a
// CheckpointSigned event in the "checkpoints" stream. Export writes checkpoints and the public key
// to a file an auditor keeps outside the database; VerifyAgainst later proves that the log still
// contains, at every checkpointed version, the event whose hash was signed.
//
// The signed bytes are specified in docs/audit.md so that an auditor can check a signature with any
// Ed25519 implementation (the file carries the raw 32-byte public key).
package checkpoint
