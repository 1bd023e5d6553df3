package domain

import (
	"encoding/hex"
	"fmt"
)

// ID identifies an entity: a user, client, note, appointment, request. It has the layout of a UUID
// (github.com/google/uuid.UUID converts to it directly) and carries no personal data. The zero ID
// means "none".
type ID [16]byte

// IsZero reports whether id is the zero ID.
func (id ID) IsZero() bool { return id == ID{} }

// String renders id in the canonical 8-4-4-4-12 form.
func (id ID) String() string {
	var b [36]byte
	hex.Encode(b[0:8], id[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], id[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], id[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], id[8:10])
	b[23] = '-'
	hex.Encode(b[24:], id[10:])
	return string(b[:])
}

// ParseID parses the canonical 36-character form. It returns an ErrInvalid error otherwise.
func ParseID(s string) (ID, error) {
	var id ID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return ID{}, Invalid("id", fmt.Sprintf("%q is not a UUID", truncate(s, 40)))
	}
	hexs := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	if _, err := hex.Decode(id[:], []byte(hexs)); err != nil {
		return ID{}, Invalid("id", fmt.Sprintf("%q is not a UUID", truncate(s, 40)))
	}
	return id, nil
}

// MarshalText and UnmarshalText make an ID travel in JSON as its string form.
func (id ID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }
func (id *ID) UnmarshalText(b []byte) error {
	p, err := ParseID(string(b))
	if err != nil {
		return err
	}
	*id = p
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
