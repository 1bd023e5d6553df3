package checkpoint

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
)

// magic opens the signed bytes of every checkpoint; it names the format version.
const magic = "CLCK1"

// Stream is the stream the CheckpointSigned events are appended to.
const Stream eventstore.StreamID = "checkpoints"

// Head is one stream's last event as a checkpoint covers it.
type Head struct {
	Stream  eventstore.StreamID `json:"stream"`
	Version uint64              `json:"version"`
	Hash    Hash                `json:"hash"`
}

// Hash is a SHA-256 hash that travels in JSON as lower-case hex.
type Hash [32]byte

// MarshalText renders h as hex.
func (h Hash) MarshalText() ([]byte, error) { return fmt.Appendf(nil, "%x", h[:]), nil }

// UnmarshalText parses 64 hex digits.
func (h *Hash) UnmarshalText(b []byte) error {
	var out Hash
	if len(b) != 2*len(out) {
		return fmt.Errorf("hash: want 64 hex digits, got %d characters", len(b))
	}
	if _, err := hex.Decode(out[:], b); err != nil {
		return fmt.Errorf("hash: not hex")
	}
	*h = out
	return nil
}

// Checkpoint is a signed statement of every stream's head at SignedAt.
type Checkpoint struct {
	ID       uuid.UUID `json:"id"`
	SignedAt time.Time `json:"signed_at"`
	KeyID    string    `json:"key_id"`
	// Heads is sorted by stream id (byte order), one per stream.
	Heads []Head `json:"heads"`
	// Digest is SHA-256 of EncodeHeads(Heads).
	Digest Hash `json:"digest"`
	// Signature is the raw 64-byte Ed25519 signature of SignedBytes.
	Signature []byte `json:"signature"`
}

// EncodeHeads returns the canonical encoding of heads, which must be sorted by stream id: for each
// head, uint16 big-endian length of the stream id, the stream id, uint64 big-endian version, and
// the 32-byte hash.
func EncodeHeads(heads []Head) []byte {
	b := make([]byte, 0, len(heads)*(2+60+8+32))
	for _, h := range heads {
		b = binary.BigEndian.AppendUint16(b, uint16(len(h.Stream)))
		b = append(b, h.Stream...)
		b = binary.BigEndian.AppendUint64(b, h.Version)
		b = append(b, h.Hash[:]...)
	}
	return b
}

// DecodeHeads parses the output of EncodeHeads. It returns an error for truncated or trailing
// bytes, and for heads out of order or repeated; it never panics.
func DecodeHeads(b []byte) ([]Head, error) {
	var heads []Head
	for len(b) > 0 {
		if len(b) < 2 {
			return nil, fmt.Errorf("heads: truncated")
		}
		n := int(binary.BigEndian.Uint16(b))
		if len(b) < 2+n+8+32 {
			return nil, fmt.Errorf("heads: truncated")
		}
		h := Head{Stream: eventstore.StreamID(b[2 : 2+n]), Version: binary.BigEndian.Uint64(b[2+n:])}
		copy(h.Hash[:], b[2+n+8:])
		if k := len(heads); k > 0 && heads[k-1].Stream >= h.Stream {
			return nil, fmt.Errorf("heads: not in stream order at %d", k)
		}
		heads = append(heads, h)
		b = b[2+n+8+32:]
	}
	return heads, nil
}

// SignedBytes returns the bytes the signature covers: "CLCK1", the 16-byte checkpoint id, the
// signing time as int64 big-endian microseconds since the Unix epoch, the number of heads as
// uint64 big-endian, and the 32-byte digest.
func (c Checkpoint) SignedBytes() []byte {
	b := make([]byte, 0, len(magic)+16+8+8+32)
	b = append(b, magic...)
	b = append(b, c.ID[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(eventstore.Micros(c.SignedAt)))
	b = binary.BigEndian.AppendUint64(b, uint64(len(c.Heads)))
	return append(b, c.Digest[:]...)
}

// headsFrom converts the log's stream heads into checkpoint heads sorted by stream id.
func headsFrom(in []eventstore.StreamHead) []Head {
	out := make([]Head, len(in))
	for i, h := range in {
		out[i] = Head{Stream: h.Stream, Version: h.Version, Hash: h.Hash}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Stream < out[j].Stream })
	return out
}

// digest returns SHA-256 of the canonical encoding of heads.
func digest(heads []Head) Hash { return sha256.Sum256(EncodeHeads(heads)) }
