package domain

import (
	"encoding/hex"
	"testing"
)

// referenceParseID is the definition parseID keeps: the canonical 8-4-4-4-12 form, hex digits
// in either case, nothing else.
func referenceParseID(s string) (ID, bool) {
	var id ID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return ID{}, false
	}
	if _, err := hex.Decode(id[:], []byte(s[0:8]+s[9:13]+s[14:18]+s[19:23]+s[24:])); err != nil {
		return ID{}, false
	}
	return id, true
}

var idSeeds = []string{
	"02020202-0202-0202-0202-020202020202",
	"0191F3A2-7C4D-7E5F-8A9B-ABCDEFabcdef",
	"0191f3a2-7c4d-7e5f-8a9b-abcdefabcdeg",
	"0191f3a2+7c4d-7e5f-8a9b-abcdefabcdef",
	"0191f3a27c4d7e5f8a9babcdefabcdef",
	"{0191f3a2-7c4d-7e5f-8a9b-abcdefabcde}",
	"",
	"0191f3a2-7c4d-7e5f-8a9b-abcdefabcd\xff\xff",
}

func TestParseIDTakesTheCanonicalFormOnly(t *testing.T) {
	for _, s := range idSeeds {
		checkParseID(t, s)
	}
	id, err := ParseID(idSeeds[1])
	if err != nil || id.String() != "0191f3a2-7c4d-7e5f-8a9b-abcdefabcdef" {
		t.Fatalf("ParseID(%q) = %v, %v", idSeeds[1], id, err)
	}
}

func FuzzParseID(f *testing.F) {
	for _, s := range idSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkParseID(t, s) })
}

func checkParseID(t *testing.T, s string) {
	t.Helper()
	want, wantOK := referenceParseID(s)
	got, err := ParseID(s)
	if (err == nil) != wantOK || got != want {
		t.Fatalf("ParseID(%q) = %v, %v; want %v, ok %v", s, got, err, want, wantOK)
	}
	var text ID
	if err := text.UnmarshalText([]byte(s)); (err == nil) != wantOK || text != want {
		t.Fatalf("UnmarshalText(%q) = %v, %v; want %v, ok %v", s, text, err, want, wantOK)
	}
}
