package keyring

import (
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/caseledger/caseledger/domain"
)

// Normalisers turn a value into the canonical form whose Token is stored, so that spellings a
// person would call the same find each other. Their errors are domain.ErrInvalid errors that never
// repeat the value.

// NormaliseName folds a person's name for matching: Unicode compatibility decomposition with the
// diacritics dropped ("Zoë" and "Zoe" match), full case folding, apostrophes removed ("O'Brien",
// "O’Brien" and "OBrien" match), hyphens, dots, commas and underscores as spaces, and runs of
// white space collapsed to one space, trimmed. It never fails; an empty result means nothing to
// index.
func NormaliseName(s string) string {
	folded := cases.Fold().String(norm.NFKD.String(s))
	var b strings.Builder
	b.Grow(len(folded))
	space := false
	for _, r := range folded {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == '\'' || r == '’' || r == '‘' || r == '`' || r == 'ʼ':
			continue
		case unicode.IsSpace(r) || r == '-' || r == '‐' || r == '‑' || r == '–' || r == '.' || r == ',' || r == '_':
			space = b.Len() > 0
			continue
		case !unicode.IsPrint(r):
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String())
}

// NormaliseEmail returns an email address in the form used for matching: trimmed, NFKC-normalised
// and lower-cased as a whole (providers treat the local part case-insensitively in practice). It
// fails for anything that is not local@domain with a dotted domain, no white space, at most 254
// bytes.
func NormaliseEmail(s string) (string, error) {
	e := strings.ToLower(norm.NFKC.String(strings.TrimSpace(s)))
	local, dom, ok := strings.Cut(e, "@")
	switch {
	case !ok || local == "" || dom == "" || strings.Contains(dom, "@"):
		return "", domain.Invalid("email", "must be local@domain")
	case len(e) > 254:
		return "", domain.Invalid("email", "longer than 254 bytes")
	case strings.IndexFunc(e, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) >= 0:
		return "", domain.Invalid("email", "must not contain white space or control characters")
	case !strings.Contains(dom, ".") || strings.HasPrefix(dom, ".") || strings.HasSuffix(dom, ".") || strings.Contains(dom, ".."):
		return "", domain.Invalid("email", "domain must be a dotted name")
	}
	return e, nil
}

// dateLayouts are the date of birth spellings NormaliseDateOfBirth accepts: ISO 8601 first, then
// the day-first forms used in the UK and Europe (never the US month-first form, which would make
// 03/04 ambiguous).
var dateLayouts = []string{"2006-01-02", "2/1/2006", "2.1.2006", "2-1-2006", "2006/1/2", "2 January 2006", "2 Jan 2006"}

// NormaliseDateOfBirth returns a date of birth as YYYY-MM-DD. It accepts 2006-01-02, 2/1/2006,
// 02/01/2006, 2.1.2006, 2-1-2006, 2006/1/2, "2 January 2006" and "2 Jan 2006" (day first), and
// fails for anything else or an impossible date.
func NormaliseDateOfBirth(s string) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("2006-01-02"), nil
		}
	}
	return "", domain.Invalid("date_of_birth", "must be a date such as 1984-03-21 or 21/03/1984")
}
