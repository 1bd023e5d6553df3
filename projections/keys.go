package projections

import (
	"context"
	"encoding/binary"
	"errors"
	"strings"
	"unicode"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
)

// Keys is what projections need from the keyring (*keyring.Keyring satisfies it): opening sealed
// event payloads, sealing and opening read-model field values under a data subject's key, and
// keyed blind-index tokens. Open and OpenValue fail with an error matching domain.ErrErased once
// the subject's key was shredded.
type Keys interface {
	Open(ctx context.Context, e eventstore.RecordedEvent) ([]byte, error)
	SealValue(ctx context.Context, subject uuid.UUID, plaintext, ad []byte) ([]byte, error)
	OpenValue(ctx context.Context, subject uuid.UUID, ciphertext, ad []byte) ([]byte, error)
	Token(ctx context.Context, purpose, value string) ([]byte, error)
}

// fieldAD is the associated data binding a sealed read-model value to its table, row and column,
// so a ciphertext copied to another row or column does not open:
//
//	u16be len(table) || table || row (16) || u16be len(column) || column
func fieldAD(table string, row uuid.UUID, column string) []byte {
	b := make([]byte, 0, 4+len(table)+16+len(column))
	b = binary.BigEndian.AppendUint16(b, uint16(len(table)))
	b = append(b, table...)
	b = append(b, row[:]...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(column)))
	return append(b, column...)
}

// openEvent returns the plaintext payload of a sealed event (or the payload itself when it is not
// sealed). erased is true, with a nil error, when the subject's key was shredded: the event's
// personal data no longer exists and projects to nothing.
func openEvent(ctx context.Context, keys Keys, e eventstore.RecordedEvent) (payload []byte, erased bool, err error) {
	if e.Subject == uuid.Nil {
		return e.Payload, false, nil
	}
	p, err := keys.Open(ctx, e)
	if errors.Is(err, domain.ErrErased) {
		return nil, true, nil
	}
	return p, false, err
}

// Blind-index kinds of client lookups: the purpose column of rm_client_tokens. The keyring purpose
// is "client-" followed by the kind, so client tokens are unlinkable to any other index.
const (
	tokenName  = "name"
	tokenEmail = "email"
	tokenDOB   = "dob"
)

// clientToken returns the blind-index token of value for a client lookup of the given kind.
func clientToken(ctx context.Context, keys Keys, kind, value string) ([]byte, error) {
	return keys.Token(ctx, "client-"+kind, value)
}

// normalisedWords returns the lower-cased letter-and-digit words of s: the unit name and note
// searches match.
func normalisedWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// normaliseEmail is the form an email is indexed and searched in.
func normaliseEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func toUUID(id domain.ID) uuid.UUID { return uuid.UUID(id) }

// token returns keys' blind-index token of value for purpose, computed once per batch: words
// repeat across the notes of a batch. The memo lives as long as the batch's queue.
func (t Tx) token(ctx context.Context, keys Keys, purpose, value string) ([]byte, error) {
	k := purpose + "\x00" + value
	if tok, ok := t.q.tokens[k]; ok {
		return tok, nil
	}
	tok, err := keys.Token(ctx, purpose, value)
	if err != nil {
		return nil, err
	}
	if t.q.tokens == nil {
		t.q.tokens = map[string][]byte{}
	}
	t.q.tokens[k] = tok
	return tok, nil
}
