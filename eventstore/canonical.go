package eventstore

import (
	"crypto/sha256"
	"encoding/binary"
	"time"
)

// canonicalMagic opens every canonical encoding; it names the format version so a later format
// can never produce the same bytes.
const canonicalMagic = "CLE1"

// GenesisHash is the previous hash of the first event (version 0) of every stream: 32 zero bytes.
var GenesisHash [32]byte

// Canonical returns the bytes the hash chain covers for the event e written at version of stream
// and recorded at recordedAt. It is the concatenation CanonicalHead(stream) || uint64 BE version ||
// CanonicalMeta(recordedAt, e) || e.Payload, specified byte for byte in docs/ledger-format.md. The global
// position is not covered: it changes when a database is restored elsewhere.
//
// Times are encoded as microseconds since the Unix epoch in UTC; finer digits are dropped, as
// PostgreSQL keeps microseconds.
func Canonical(stream StreamID, version uint64, recordedAt time.Time, e EventData) []byte {
	head := CanonicalHead(stream)
	meta := CanonicalMeta(recordedAt, e)
	b := make([]byte, 0, len(head)+8+len(meta)+len(e.Payload))
	b = append(b, head...)
	b = binary.BigEndian.AppendUint64(b, version)
	b = append(b, meta...)
	return append(b, e.Payload...)
}

// CanonicalHead returns the part of the canonical encoding before the version: the format magic and
// the stream id. Stores that assign the version inside the database (PostgreSQL) send the head and
// each event's meta, and let the database splice in the version and append the payload.
func CanonicalHead(stream StreamID) []byte {
	b := make([]byte, 0, len(canonicalMagic)+2+len(stream))
	b = append(b, canonicalMagic...)
	return appendString16(b, string(stream))
}

// CanonicalMeta returns the part of the canonical encoding between the version and the payload
// bytes: every other envelope field and the payload's length, in the order docs/ledger-format.md
// gives.
func CanonicalMeta(recordedAt time.Time, e EventData) []byte {
	b := make([]byte, 0, 16+2+len(e.Type)+4+8+8+16+2+len(e.Actor.Role)+16+4+16+16+4)
	b = append(b, e.ID[:]...)
	b = appendString16(b, e.Type)
	b = binary.BigEndian.AppendUint32(b, uint32(e.SchemaVersion))
	b = binary.BigEndian.AppendUint64(b, uint64(Micros(e.OccurredAt)))
	b = binary.BigEndian.AppendUint64(b, uint64(Micros(recordedAt)))
	b = append(b, e.Actor.UserID[:]...)
	b = appendString16(b, e.Actor.Role)
	b = append(b, e.Subject[:]...)
	b = binary.BigEndian.AppendUint32(b, e.KeyID)
	b = append(b, e.CorrelationID[:]...)
	b = append(b, e.CausationID[:]...)
	return binary.BigEndian.AppendUint32(b, uint32(len(e.Payload)))
}

// ChainHash returns SHA-256(prev || canonical), the hash of an event whose predecessor in its
// stream has hash prev (GenesisHash for version 0).
func ChainHash(prev [32]byte, canonical []byte) [32]byte {
	h := sha256.New()
	h.Write(prev[:])
	h.Write(canonical)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// Micros returns t as whole microseconds since the Unix epoch (negative before 1970), dropping
// any finer digits toward the past: the precision the log stores and hashes.
func Micros(t time.Time) int64 {
	return TruncateMicros(t).UnixMicro()
}

// TruncateMicros returns t in UTC at microsecond precision, rounded toward the past, as the log
// stores it.
func TruncateMicros(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

func appendString16(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
	return append(b, s...)
}
