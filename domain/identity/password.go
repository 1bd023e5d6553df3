package identity

import (
	"bufio"
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/caseledger/caseledger/domain"
)

// Password length limits, in characters. The upper bound keeps hashing cheap for hostile input.
const (
	MinPasswordLength = 12
	MaxPasswordLength = 256
)

//go:embed common_passwords.txt
var commonList string

// common holds the lower-cased common passwords and the bases they are built on.
var common = func() map[string]bool {
	m := map[string]bool{}
	s := bufio.NewScanner(strings.NewReader(commonList))
	for s.Scan() {
		w := strings.TrimSpace(s.Text())
		if w != "" && !strings.HasPrefix(w, "#") {
			m[strings.ToLower(w)] = true
		}
	}
	return m
}()

// CheckPassword applies the password policy: 12 to 256 characters, not a common password, not a
// common password or a single repeated character padded with digits and symbols, and not
// containing the account's email address or its local part. The error (code "weak_password" or
// "invalid_password") never repeats the password.
func CheckPassword(password, email string) error {
	n := utf8.RuneCountInString(password)
	if !utf8.ValidString(password) {
		return domain.Invalid("password", "is not valid UTF-8")
	}
	if n < MinPasswordLength {
		return weak("must be at least 12 characters")
	}
	if n > MaxPasswordLength {
		return domain.Invalid("password", "must be at most 256 characters")
	}
	lower := strings.ToLower(password)
	if common[lower] || common[core(lower)] {
		return weak("is a commonly used password")
	}
	if distinct(lower) < 4 {
		return weak("has too few distinct characters")
	}
	if email != "" {
		local, _, _ := strings.Cut(NormaliseEmail(email), "@")
		if len(local) >= 4 && strings.Contains(lower, local) {
			return weak("contains the email address")
		}
	}
	return nil
}

func weak(msg string) error {
	return &domain.Error{Kind: domain.KindInvalid, Code: "weak_password", Message: "password " + msg}
}

// core strips the digits, symbols and spaces people pad common words with ("Password123!" ->
// "password") and undoes the usual letter substitutions inside the word ("p@ssw0rd" -> "password").
func core(s string) string {
	trimmed := strings.TrimFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
	var b strings.Builder
	for _, r := range trimmed {
		switch r {
		case '@', '4':
			r = 'a'
		case '3':
			r = 'e'
		case '1', '!':
			r = 'i'
		case '0':
			r = 'o'
		case '$', '5':
			r = 's'
		}
		if unicode.IsLetter(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func distinct(s string) int {
	seen := map[rune]bool{}
	for _, r := range s {
		seen[r] = true
	}
	return len(seen)
}

// NormaliseEmail trims and lower-cases an email address, the form stored and indexed.
func NormaliseEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// CheckEmail reports whether email looks like an address: one @, a dot in the domain, no spaces,
// at most 254 bytes. The error never repeats the address.
func CheckEmail(email string) error {
	e := NormaliseEmail(email)
	local, dom, ok := strings.Cut(e, "@")
	if !ok || local == "" || len(e) > 254 || strings.ContainsAny(e, " \t\r\n<>\"(),;:") ||
		strings.Contains(dom, "@") || !strings.Contains(dom, ".") || strings.HasPrefix(dom, ".") || strings.HasSuffix(dom, ".") {
		return domain.Invalid("email", "is not an email address")
	}
	return nil
}
