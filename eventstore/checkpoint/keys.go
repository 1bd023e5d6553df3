package checkpoint

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/signature"
	tinked25519 "github.com/tink-crypto/tink-go/v2/signature/ed25519"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// signingKey is the active checkpoint signing key, unwrapped.
type signingKey struct {
	id     string
	public []byte // raw 32-byte Ed25519 public key
	signer tink.Signer
}

// keyID returns the id of a public key: the hex of the first 16 bytes of its SHA-256.
func keyID(public []byte) string {
	sum := sha256.Sum256(public)
	return hex.EncodeToString(sum[:16])
}

// keyAD is the associated data that binds a wrapped signing keyset to its key id.
func keyAD(id string) []byte { return []byte("caseledger/checkpoint-key/v1:" + id) }

// storedKey is a row of checkpoint_signing_keys.
type storedKey struct {
	id, masterID    string
	public, wrapped []byte
}

// activeKey returns the active signing key, creating, wrapping and storing one if there is none.
// Two processes creating one at once agree on the first stored. An active key wrapped by one of
// the previous masters is used as it is (a rotation is under way). An active key wrapped by any
// other master (the old master was retired) is retired and replaced by a new key under the current
// master; retired is then the old key's id when this call retired it. A key wrapped
// by the current master that does not unwrap is an error: the key or the master is wrong.
func activeKey(ctx context.Context, pool *pgxpool.Pool, master tink.AEAD, masterID string, previous map[string]tink.AEAD) (k *signingKey, retired string, err error) {
	for range 4 {
		row, err := loadActiveRow(ctx, pool)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			if err := createKey(ctx, pool, master, masterID); err != nil {
				return nil, "", err
			}
		case err != nil:
			return nil, "", err
		case row.masterID != masterID && previous[row.masterID] != nil:
			k, err := unwrapKey(row, previous[row.masterID])
			return k, retired, err
		case row.masterID != masterID:
			tag, err := pool.Exec(ctx, `UPDATE checkpoint_signing_keys SET active = false WHERE key_id = $1 AND active`, row.id)
			if err != nil {
				return nil, "", fmt.Errorf("checkpoint: retire signing key %s: %w", row.id, err)
			}
			if tag.RowsAffected() == 1 {
				retired = row.id
			}
		default:
			k, err := unwrapKey(row, master)
			return k, retired, err
		}
	}
	return nil, "", fmt.Errorf("checkpoint: no active signing key after retrying")
}

// createKey generates an Ed25519 keyset, wraps it under master and stores it as the active key
// unless another process stored one first.
func createKey(ctx context.Context, pool *pgxpool.Pool, master tink.AEAD, masterID string) error {
	h, err := keyset.NewHandle(signature.ED25519KeyWithoutPrefixTemplate())
	if err != nil {
		return fmt.Errorf("checkpoint: new signing key: %w", err)
	}
	public, err := publicKeyBytes(h)
	if err != nil {
		return err
	}
	id := keyID(public)
	var wrapped bytes.Buffer
	if err := h.WriteWithAssociatedData(keyset.NewBinaryWriter(&wrapped), master, keyAD(id)); err != nil {
		return fmt.Errorf("checkpoint: wrap signing key: %w", err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO checkpoint_signing_keys (key_id, public_key, wrapped_keyset, master_id)
		VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, id, public, wrapped.Bytes(), masterID); err != nil {
		return fmt.Errorf("checkpoint: store signing key: %w", err)
	}
	return nil
}

// loadActiveRow reads the active key's row; pgx.ErrNoRows when there is none.
func loadActiveRow(ctx context.Context, pool *pgxpool.Pool) (storedKey, error) {
	var k storedKey
	err := pool.QueryRow(ctx, `SELECT key_id, master_id, public_key, wrapped_keyset FROM checkpoint_signing_keys WHERE active`).
		Scan(&k.id, &k.masterID, &k.public, &k.wrapped)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return storedKey{}, fmt.Errorf("checkpoint: load signing key: %w", err)
	}
	return k, err
}

// unwrapKey opens a stored key under master and checks it against its stored public key.
func unwrapKey(row storedKey, master tink.AEAD) (*signingKey, error) {
	h, err := keyset.ReadWithAssociatedData(keyset.NewBinaryReader(bytes.NewReader(row.wrapped)), master, keyAD(row.id))
	if err != nil {
		return nil, fmt.Errorf("checkpoint: unwrap signing key %s (wrong master key?): %w", row.id, err)
	}
	got, err := publicKeyBytes(h)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(got, row.public) || keyID(got) != row.id {
		return nil, fmt.Errorf("checkpoint: signing key %s does not match its stored public key", row.id)
	}
	s, err := signature.NewSigner(h)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: signer: %w", err)
	}
	return &signingKey{id: row.id, public: row.public, signer: s}, nil
}

// publicKeyBytes returns the raw Ed25519 public key of h's primary key.
func publicKeyBytes(h *keyset.Handle) ([]byte, error) {
	pub, err := h.Public()
	if err != nil {
		return nil, fmt.Errorf("checkpoint: public key: %w", err)
	}
	e, err := pub.Primary()
	if err != nil {
		return nil, fmt.Errorf("checkpoint: public key: %w", err)
	}
	k, ok := e.Key().(*tinked25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("checkpoint: signing key is %T, want Ed25519", e.Key())
	}
	return k.KeyBytes(), nil
}
