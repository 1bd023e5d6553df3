package keyring_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/keyring"
)

func TestTokenIsDeterministicPerPurposeAndUnlinkableAcross(t *testing.T) {
	t.Parallel()
	pg := newPG(t)
	m := newMaster(t)
	a := pg.keyring(t, m, nil)
	ctx := context.Background()
	name := keyring.NormaliseName("Zoë O'Brien-Smith")
	t1, err := a.Token(ctx, "client-name", name)
	if err != nil {
		t.Fatal(err)
	}
	if len(t1) != keyring.TokenSize {
		t.Fatalf("token is %d bytes, want %d", len(t1), keyring.TokenSize)
	}
	// Another process, and the same process again, give the same token: the key is shared.
	b := pg.keyring(t, m, nil)
	for _, k := range []*keyring.Keyring{a, b} {
		t2, err := k.Token(ctx, "client-name", keyring.NormaliseName("ZOE  OBRIEN SMITH"))
		if err != nil || !bytes.Equal(t1, t2) {
			t.Fatalf("equal names give different tokens (%v)", err)
		}
	}
	other, err := a.Token(ctx, "user-name", name)
	if err != nil || bytes.Equal(t1, other) {
		t.Fatalf("two purposes give the same token (%v)", err)
	}
	diff, err := a.Token(ctx, "client-name", keyring.NormaliseName("Zoe O'Brien"))
	if err != nil || bytes.Equal(t1, diff) {
		t.Fatalf("different names give the same token (%v)", err)
	}
	// Purpose and value are length-prefixed: shifting bytes between them changes the token.
	x, _ := a.Token(ctx, "ab", "c")
	y, _ := a.Token(ctx, "a", "bc")
	if bytes.Equal(x, y) {
		t.Fatal("purpose/value boundary is ambiguous")
	}
	// Another database has another index key.
	c := newPG(t).keyring(t, m, nil)
	if t3, err := c.Token(ctx, "client-name", name); err != nil || bytes.Equal(t1, t3) {
		t.Fatalf("two practices share an index key (%v)", err)
	}
	var rows int
	if err := pg.admin.QueryRow(ctx, `SELECT count(*) FROM keyring_practice_keys`).Scan(&rows); err != nil || rows != 1 {
		t.Fatalf("practice keysets: %d, %v", rows, err)
	}
	for _, bad := range []string{"", "Client Name", "x/y", string(make([]byte, 101))} {
		if _, err := a.Token(ctx, bad, "v"); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("Token(purpose %q) = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestNormaliseName(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Zoë O'Brien", "zoe obrien"},
		{"  ZOE   O’BRIEN ", "zoe obrien"},
		{"Anne-Marie Dupont", "anne marie dupont"},
		{"Dr. J. R. R. Tolkien", "dr j r r tolkien"},
		{"Straße", "strasse"},
		{"Ｊｏｈｎ", "john"},
		{"Siobhán Ní Bhriain", "siobhan ni bhriain"},
		{"李小龍", "李小龍"},
		{"", ""},
		{" - ' ", ""},
		{"a\x00b", "ab"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := keyring.NormaliseName(tc.in); got != tc.want {
				t.Fatalf("NormaliseName(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestNormaliseEmail(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"  Zoe.OBrien@Example.ORG ", "zoe.obrien@example.org"},
		{"a+tag@mail.example.co.uk", "a+tag@mail.example.co.uk"},
		{"ＺＯＥ@example.org", "zoe@example.org"},
		{"no-at-sign", ""},
		{"@example.org", ""},
		{"zoe@", ""},
		{"zoe@@example.org", ""},
		{"zoe@localhost", ""},
		{"zoe@example..org", ""},
		{"zo e@example.org", ""},
		{"zoe@example.org\n", "zoe@example.org"},
		{"zoe\t@example.org", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := keyring.NormaliseEmail(tc.in)
			if tc.want == "" {
				if !errors.Is(err, domain.ErrInvalid) {
					t.Fatalf("NormaliseEmail(%q) = %q, %v; want ErrInvalid", tc.in, got, err)
				}
				if bytes.Contains([]byte(err.Error()), []byte(tc.in)) && tc.in != "" {
					t.Fatalf("the error repeats the address: %v", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("NormaliseEmail(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestNormaliseDateOfBirth(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"1984-03-21", "1984-03-21"},
		{"21/03/1984", "1984-03-21"},
		{"1/2/1984", "1984-02-01"},
		{"21.03.1984", "1984-03-21"},
		{"21-03-1984", "1984-03-21"},
		{"1984/03/21", "1984-03-21"},
		{" 21  March 1984 ", "1984-03-21"},
		{"21 mar 1984", "1984-03-21"},
		{"1984-02-30", ""},
		{"03/21/1984", ""}, // month-first is refused, not guessed
		{"21/03/84", ""},
		{"yesterday", ""},
		{"", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := keyring.NormaliseDateOfBirth(tc.in)
			if tc.want == "" {
				if !errors.Is(err, domain.ErrInvalid) {
					t.Fatalf("NormaliseDateOfBirth(%q) = %q, %v; want ErrInvalid", tc.in, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("NormaliseDateOfBirth(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}
