package checkpoint

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/tink-crypto/tink-go/v2/tink"

	"github.com/caseledger/caseledger/eventstore"
)

// Log is the part of the event store a Checkpointer uses: the heads of every stream, and Append
// for the CheckpointSigned event. *pgstore.Store and *eventstore.Memory satisfy it.
type Log interface {
	StreamHeads(ctx context.Context) ([]eventstore.StreamHead, error)
	Append(ctx context.Context, stream eventstore.StreamID, expected eventstore.ExpectedVersion, events ...eventstore.EventData) (eventstore.AppendResult, error)
}

// Config configures a Checkpointer.
type Config struct {
	// Pool reaches the checkpoint tables as caseledger_app (SELECT and INSERT). Required.
	Pool *pgxpool.Pool
	// Log is the event log whose heads are signed. Required.
	Log Log
	// Master wraps the signing keyset (the keyring's master AEAD). Required.
	Master tink.AEAD
	// MasterID names Master; it is stored beside the wrapped keyset. When the active key was
	// wrapped by a master that is neither Master nor one of Previous (the master key was rotated
	// and the old one retired), New retires it, creates a new key under Master and records
	// CheckpointKeyRotated. Required.
	MasterID string
	// Previous holds the masters, by id, that may still wrap the active key during a master
	// rotation (CASELEDGER_PREVIOUS_MASTER_KEYS). A key wrapped by one of them is used as it is,
	// so servers restarted one at a time on different masters do not retire each other's keys.
	Previous map[string]tink.AEAD
	// Now tells the time; nil means time.Now.
	Now func() time.Time
}

// Validate reports every missing setting, joined.
func (c Config) Validate() error {
	var errs []error
	if c.Pool == nil {
		errs = append(errs, errors.New("checkpoint: Pool is required"))
	}
	if c.Log == nil {
		errs = append(errs, errors.New("checkpoint: Log is required"))
	}
	if c.Master == nil {
		errs = append(errs, errors.New("checkpoint: Master is required"))
	}
	if c.MasterID == "" {
		errs = append(errs, errors.New("checkpoint: MasterID is required"))
	}
	return errors.Join(errs...)
}

// CheckpointSigned is the payload of the event that announces a checkpoint in Stream. It holds
// ids, counts, the digest and the signature; the heads themselves are in the checkpoints table and
// in exported files. It is plaintext: no personal data.
type CheckpointSigned struct {
	CheckpointID uuid.UUID `json:"checkpoint_id"`
	SignedAt     time.Time `json:"signed_at"`
	KeyID        string    `json:"key_id"`
	Streams      int       `json:"streams"`
	Digest       Hash      `json:"digest"`
	Signature    []byte    `json:"signature"`
}

// EventType is the stable name of the CheckpointSigned event.
const EventType = "CheckpointSigned"

// Checkpointer signs the stream heads of the log. It is safe for concurrent use.
type Checkpointer struct {
	cfg Config
	key *signingKey
}

// New returns a Checkpointer, creating and storing the signing key on first use.
func New(ctx context.Context, cfg Config) (*Checkpointer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	k, retired, err := activeKey(ctx, cfg.Pool, cfg.Master, cfg.MasterID, cfg.Previous)
	if err != nil {
		return nil, err
	}
	c := &Checkpointer{cfg: cfg, key: k}
	if retired != "" {
		if err := c.announceRotation(ctx, retired); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// CheckpointKeyRotated is the payload of the event that records, in Stream, that the signing key
// wrapped by a previous master was retired and a new one created: auditors see when and why the
// key id of later checkpoints changes. The retired key's public half stays in exports.
type CheckpointKeyRotated struct {
	RetiredKeyID string    `json:"retired_key_id"`
	KeyID        string    `json:"key_id"`
	MasterID     string    `json:"master_id"`
	At           time.Time `json:"at"`
}

// KeyRotatedType is the stable name of the CheckpointKeyRotated event.
const KeyRotatedType = "CheckpointKeyRotated"

func (c *Checkpointer) announceRotation(ctx context.Context, retired string) error {
	at := eventstore.TruncateMicros(c.cfg.Now())
	payload, err := json.Marshal(CheckpointKeyRotated{RetiredKeyID: retired, KeyID: c.key.id, MasterID: c.cfg.MasterID, At: at})
	if err != nil {
		return fmt.Errorf("checkpoint: encode key rotation: %w", err)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return fmt.Errorf("checkpoint: id: %w", err)
	}
	ev := eventstore.EventData{ID: id, Type: KeyRotatedType, SchemaVersion: 1, OccurredAt: at,
		Actor: eventstore.Actor{Role: "system"}, CorrelationID: id, Payload: payload}
	if _, err := c.cfg.Log.Append(ctx, Stream, eventstore.Any(), ev); err != nil {
		return fmt.Errorf("checkpoint: record key rotation: %w", err)
	}
	return nil
}

// KeyID returns the id of the active signing key; PublicKey returns its raw 32 bytes.
func (c *Checkpointer) KeyID() string     { return c.key.id }
func (c *Checkpointer) PublicKey() []byte { return append([]byte(nil), c.key.public...) }

// Sign reads every stream's head, signs them, stores the checkpoint and appends a CheckpointSigned
// event to Stream. The checkpoint's own event is covered by the next checkpoint. It returns the
// checkpoint; on error nothing was signed, or the checkpoint was stored but not announced (the
// error says which).
func (c *Checkpointer) Sign(ctx context.Context) (Checkpoint, error) {
	raw, err := c.cfg.Log.StreamHeads(ctx)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint: %w", err)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint: id: %w", err)
	}
	cp := Checkpoint{ID: id, SignedAt: eventstore.TruncateMicros(c.cfg.Now()), KeyID: c.key.id, Heads: headsFrom(raw)}
	cp.Digest = digest(cp.Heads)
	if cp.Signature, err = c.key.signer.Sign(cp.SignedBytes()); err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint: sign: %w", err)
	}
	if _, err := c.cfg.Pool.Exec(ctx, `INSERT INTO checkpoints (checkpoint_id, signed_at, key_id, stream_count, digest, signature, heads)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, cp.ID, cp.SignedAt, cp.KeyID, len(cp.Heads), cp.Digest[:], cp.Signature, EncodeHeads(cp.Heads)); err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint: store: %w", err)
	}
	payload, err := json.Marshal(CheckpointSigned{CheckpointID: cp.ID, SignedAt: cp.SignedAt, KeyID: cp.KeyID,
		Streams: len(cp.Heads), Digest: cp.Digest, Signature: cp.Signature})
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint: encode event: %w", err)
	}
	ev := eventstore.EventData{ID: cp.ID, Type: EventType, SchemaVersion: 1, OccurredAt: cp.SignedAt,
		Actor: eventstore.Actor{Role: "system"}, CorrelationID: cp.ID, Payload: payload}
	if _, err := c.cfg.Log.Append(ctx, Stream, eventstore.Any(), ev); err != nil {
		return cp, fmt.Errorf("checkpoint %s stored but not announced in the log: %w", cp.ID, err)
	}
	return cp, nil
}

// Run signs a checkpoint every interval until ctx is done, then returns ctx.Err(). A failed
// signing is passed to report (which may be nil) and retried at the next tick; Run does not stop
// for it. serve calls Run in a goroutine.
func (c *Checkpointer) Run(ctx context.Context, interval time.Duration, report func(error)) error {
	if interval <= 0 {
		return fmt.Errorf("checkpoint: interval %s must be positive", interval)
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			if _, err := c.Sign(ctx); err != nil && report != nil && ctx.Err() == nil {
				report(err)
			}
		}
	}
}
