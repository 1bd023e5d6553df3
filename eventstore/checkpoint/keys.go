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

// activeKey returns the active signing key, creating, wrapping and storing one if there is none.
// Two processes creating one at once agree on the first stored.
func activeKey(ctx context.Context, pool *pgxpool.Pool, master tink.AEAD, masterID string) (*signingKey, error) {
	k, err := loadActiveKey(ctx, pool, master)
	if err == nil || !errors.Is(err, pgx.ErrNoRows) {
		return k, err
	}
	h, err := keyset.NewHandle(signature.ED25519KeyWithoutPrefixTemplate())
	if err != nil {
		return nil, fmt.Errorf("checkpoint: new signing key: %w", err)
	}
	public, err := publicKeyBytes(h)
	if err != nil {
		return nil, err
	}
	id := keyID(public)
	var wrapped bytes.Buffer
	if err := h.WriteWithAssociatedData(keyset.NewBinaryWriter(&wrapped), master, keyAD(id)); err != nil {
		return nil, fmt.Errorf("checkpoint: wrap signing key: %w", err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO checkpoint_signing_keys (key_id, public_key, wrapped_keyset, master_id)
		VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, id, public, wrapped.Bytes(), masterID); err != nil {
		return nil, fmt.Errorf("checkpoint: store signing key: %w", err)
	}
	return loadActiveKey(ctx, pool, master)
}

// loadActiveKey unwraps the active signing key; pgx.ErrNoRows when there is none.
func loadActiveKey(ctx context.Context, pool *pgxpool.Pool, master tink.AEAD) (*signingKey, error) {
	var (
		id              string
		public, wrapped []byte
	)
	err := pool.QueryRow(ctx, `SELECT key_id, public_key, wrapped_keyset FROM checkpoint_signing_keys WHERE active`).
		Scan(&id, &public, &wrapped)
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, err
		}
		return nil, fmt.Errorf("checkpoint: load signing key: %w", err)
	}
	h, err := keyset.ReadWithAssociatedData(keyset.NewBinaryReader(bytes.NewReader(wrapped)), master, keyAD(id))
	if err != nil {
		return nil, fmt.Errorf("checkpoint: unwrap signing key %s (wrong master key?): %w", id, err)
	}
	got, err := publicKeyBytes(h)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(got, public) || keyID(got) != id {
		return nil, fmt.Errorf("checkpoint: signing key %s does not match its stored public key", id)
	}
	s, err := signature.NewSigner(h)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: signer: %w", err)
	}
	return &signingKey{id: id, public: public, signer: s}, nil
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
