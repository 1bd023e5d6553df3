package checkpoint

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// FileFormat names the export file format and its version.
const FileFormat = "caseledger-checkpoints/1"

// maxFileBytes bounds an export file read by ReadFile (1 GiB).
const maxFileBytes = 1 << 30

// PublicKey is a checkpoint signing key as an auditor needs it.
type PublicKey struct {
	KeyID     string `json:"key_id"`
	Algorithm string `json:"algorithm"`
	// PublicKey is the raw 32-byte Ed25519 public key (base64 in JSON).
	PublicKey []byte `json:"public_key"`
}

// File is an export of signed checkpoints with the public keys that signed them: what an auditor
// keeps outside the database and later passes to VerifyAgainst.
type File struct {
	Format      string       `json:"format"`
	ExportedAt  time.Time    `json:"exported_at"`
	Keys        []PublicKey  `json:"keys"`
	Checkpoints []Checkpoint `json:"checkpoints"`
}

// Export reads every signing key and every checkpoint signed at or after since (the zero time for
// all), oldest first, from pool's database (as caseledger_app or the owner).
func Export(ctx context.Context, pool *pgxpool.Pool, since, now time.Time) (File, error) {
	f := File{Format: FileFormat, ExportedAt: now.UTC(), Keys: []PublicKey{}, Checkpoints: []Checkpoint{}}
	rows, err := pool.Query(ctx, `SELECT key_id, public_key FROM checkpoint_signing_keys ORDER BY created_at, key_id`)
	if err != nil {
		return File{}, fmt.Errorf("checkpoint export: %w", err)
	}
	for rows.Next() {
		k := PublicKey{Algorithm: "Ed25519"}
		if err := rows.Scan(&k.KeyID, &k.PublicKey); err != nil {
			rows.Close()
			return File{}, fmt.Errorf("checkpoint export: %w", err)
		}
		f.Keys = append(f.Keys, k)
	}
	if err := rows.Err(); err != nil {
		return File{}, fmt.Errorf("checkpoint export: %w", err)
	}
	rows, err = pool.Query(ctx, `SELECT checkpoint_id, signed_at, key_id, digest, signature, heads
		FROM checkpoints WHERE signed_at >= $1 ORDER BY signed_at, checkpoint_id`, since)
	if err != nil {
		return File{}, fmt.Errorf("checkpoint export: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			cp            Checkpoint
			dig, encHeads []byte
		)
		if err := rows.Scan(&cp.ID, &cp.SignedAt, &cp.KeyID, &dig, &cp.Signature, &encHeads); err != nil {
			return File{}, fmt.Errorf("checkpoint export: %w", err)
		}
		if cp.Heads, err = DecodeHeads(encHeads); err != nil {
			return File{}, fmt.Errorf("checkpoint export %s: %w", cp.ID, err)
		}
		cp.SignedAt = cp.SignedAt.UTC()
		copy(cp.Digest[:], dig)
		f.Checkpoints = append(f.Checkpoints, cp)
	}
	if err := rows.Err(); err != nil {
		return File{}, fmt.Errorf("checkpoint export: %w", err)
	}
	return f, nil
}

// Write writes f as indented JSON.
func (f File) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(f)
}

// ReadFile decodes and checks an export file: the format, known fields only, every key well
// formed, and every checkpoint's digest and signature valid under a key of the file. Any defect is
// an error naming the checkpoint; it never panics, whatever the bytes.
func ReadFile(r io.Reader) (File, error) {
	dec := json.NewDecoder(io.LimitReader(r, maxFileBytes))
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		return File{}, fmt.Errorf("checkpoint file: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return File{}, errors.New("checkpoint file: data after the JSON value")
	}
	if f.Format != FileFormat {
		return File{}, fmt.Errorf("checkpoint file: format %q, want %q", truncate(f.Format), FileFormat)
	}
	keys := map[string]ed25519.PublicKey{}
	for i, k := range f.Keys {
		if k.Algorithm != "Ed25519" || len(k.PublicKey) != ed25519.PublicKeySize || keyID(k.PublicKey) != k.KeyID {
			return File{}, fmt.Errorf("checkpoint file: key %d is not a well-formed Ed25519 key with its id", i)
		}
		keys[k.KeyID] = ed25519.PublicKey(k.PublicKey)
	}
	for i, cp := range f.Checkpoints {
		if err := checkSignature(cp, keys); err != nil {
			return File{}, fmt.Errorf("checkpoint file: checkpoint %d (%s): %w", i, cp.ID, err)
		}
	}
	return f, nil
}

// checkSignature verifies cp's heads order, digest and signature under keys.
func checkSignature(cp Checkpoint, keys map[string]ed25519.PublicKey) error {
	if cp.ID == uuid.Nil {
		return fmt.Errorf("no id")
	}
	for j := 1; j < len(cp.Heads); j++ {
		if cp.Heads[j-1].Stream >= cp.Heads[j].Stream {
			return fmt.Errorf("heads are not in stream order")
		}
	}
	if digest(cp.Heads) != cp.Digest {
		return fmt.Errorf("the heads do not match the digest")
	}
	pub, ok := keys[cp.KeyID]
	if !ok {
		return fmt.Errorf("signed by key %q, which the file does not hold", truncate(cp.KeyID))
	}
	if !ed25519.Verify(pub, cp.SignedBytes(), cp.Signature) {
		return fmt.Errorf("the signature is not valid")
	}
	return nil
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
