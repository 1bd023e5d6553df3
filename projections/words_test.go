package projections

import (
	"slices"
	"strings"
	"testing"
	"unicode"
)

// referenceWords is the definition normalisedWords must keep: searches and the index must split
// and fold text the same way, or notes stop being found.
func referenceWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

var wordSeeds = []string{
	"",
	"Client reports better sleep; less worry at work.",
	"ÉLODIE  Ørsted-Şahin, 42nd visit!!",
	"ⅠⅡ Ⓐⓑ ǅungla İstanbul ΣΊΣΥΦΟΣ",
	"a\xffb\xc3",
	strings.Repeat("x", 100) + " y",
	"tab\tnew\nline\r\x00nul",
}

func TestNormalisedWordsSplitAndFoldAsDefined(t *testing.T) {
	for _, s := range wordSeeds {
		checkWords(t, s)
	}
}

func FuzzNormalisedWords(f *testing.F) {
	for _, s := range wordSeeds {
		f.Add(s, "second "+s)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		checkWords(t, a)
		checkWords(t, a+" "+b)
	})
}

func checkWords(t *testing.T, s string) {
	t.Helper()
	got, want := normalisedWords(s), referenceWords(s)
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !slices.Equal(got, want) {
		t.Fatalf("normalisedWords(%q) = %q, want %q", s, got, want)
	}
	for w := range wordsOf(s) { // stopping early must not panic
		if string(w) != want[0] {
			t.Fatalf("the first word of %q is %q, want %q", s, w, want[0])
		}
		break
	}
}
