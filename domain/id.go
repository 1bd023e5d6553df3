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

// ParseID parses the canonical 36-character form, hex digits in either case. It returns an
// ErrInvalid error otherwise.
func ParseID(s string) (ID, error) {
	id, ok := parseID(s)
	if !ok {
		return ID{}, Invalid("id", fmt.Sprintf("%q is not a UUID", truncate(s, 40)))
	}
	return id, nil
}

// parseID is ParseID without allocating: a replay of the log parses millions of ids.
func parseID[T ~string | ~[]byte](s T) (ID, bool) {
	var id ID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return id, false
	}
	for i, j := 0, 0; i < 36; {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			i++
			continue
		}
		hi, lo := hexDigit(s[i]), hexDigit(s[i+1])
		if hi > 15 || lo > 15 {
			return ID{}, false
		}
		id[j] = hi<<4 | lo
		i, j = i+2, j+1
	}
	return id, true
}

// hexDigit is the value of hex digit c, or 255 when c is not one.
func hexDigit(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10
	}
	return 255
}

// MarshalText and UnmarshalText make an ID travel in JSON as its string form.
func (id ID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }
func (id *ID) UnmarshalText(b []byte) error {
	p, ok := parseID(b)
	if !ok {
		return Invalid("id", fmt.Sprintf("%q is not a UUID", truncate(string(b), 40)))
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
