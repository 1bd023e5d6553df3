package projections

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"strings"
	"unicode"
	"unicode/utf8"

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
func openEvent(ctx context.Context, keys Keys, e *eventstore.RecordedEvent) (payload []byte, erased bool, err error) {
	if e.Subject == uuid.Nil {
		return e.Payload, false, nil
	}
	p, err := keys.Open(ctx, *e)
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

// clientToken returns the search token of value for a client lookup of the given kind, as
// rm_client_tokens.token holds it (searchToken).
func clientToken(ctx context.Context, keys Keys, kind, value string) (int64, error) {
	return searchToken(ctx, keys, "client-"+kind, value)
}

// normalisedWords returns the lower-cased letter-and-digit words of s: the unit name and note
// searches match.
func normalisedWords(s string) []string {
	var out []string
	for w := range wordsOf(s) {
		out = append(out, string(w))
	}
	return out
}

// wordsOf yields the normalised words of s: each maximal run of runes that are letters or digits
// once lower-cased, lower-cased (what strings.FieldsFunc over strings.ToLower(s) gives, in one
// pass and without allocating). A word is valid only until the next is yielded.
func wordsOf(s string) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		var buf [64]byte
		w := buf[:0]
		for i := 0; i < len(s); {
			if c := s[i]; c < utf8.RuneSelf { // ASCII, most text: no table lookups
				i++
				switch {
				case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
					w = append(w, c)
					continue
				case 'A' <= c && c <= 'Z':
					w = append(w, c+'a'-'A')
					continue
				}
			} else {
				r, n := utf8.DecodeRuneInString(s[i:])
				i += n
				if r = unicode.ToLower(r); unicode.IsLetter(r) || unicode.IsDigit(r) {
					w = utf8.AppendRune(w, r)
					continue
				}
			}
			if len(w) > 0 && !yield(w) {
				return
			}
			w = w[:0]
		}
		if len(w) > 0 {
			yield(w)
		}
	}
}

// normaliseEmail is the form an email is indexed and searched in.
func normaliseEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func toUUID(id domain.ID) uuid.UUID { return uuid.UUID(id) }

// wordToken returns the search token of a note word (noteWordToken), computed once per batch:
// words repeat across the notes of a batch. The memo lives as long as the batch's queue.
func (t Tx) wordToken(ctx context.Context, keys Keys, word []byte) (int64, error) {
	if tok, ok := t.q.wordTokens[string(word)]; ok {
		return tok, nil
	}
	w := string(word)
	tok, err := noteWordToken(ctx, keys, w)
	if err != nil {
		return 0, err
	}
	if t.q.wordTokens == nil {
		t.q.wordTokens = map[string]int64{}
	}
	t.q.wordTokens[w] = tok
	return tok, nil
}

// noteWordToken is the search token of a normalised note word, as rm_notes.search_tokens holds
// it (searchToken).
func noteWordToken(ctx context.Context, keys Keys, word string) (int64, error) {
	return searchToken(ctx, keys, noteWordPurpose, word)
}

// searchToken is the form in which the read models hold a blind-index token: the first 8 bytes,
// big-endian and signed, of keys' token of value for purpose
// (migrations/0041_search_tokens_bigint.sql says why 64 bits are enough).
func searchToken(ctx context.Context, keys Keys, purpose, value string) (int64, error) {
	tok, err := keys.Token(ctx, purpose, value)
	if err != nil {
		return 0, err
	}
	if len(tok) < 8 {
		return 0, fmt.Errorf("projections: blind-index token of %d bytes, want at least 8", len(tok))
	}
	return int64(binary.BigEndian.Uint64(tok)), nil
}
