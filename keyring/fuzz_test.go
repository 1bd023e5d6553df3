package keyring_test

import (
	"context"
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/keyring"
)

// FuzzOpen feeds arbitrary payloads and associated data to Open and OpenValue: they never panic
// and never return data for bytes the keyring did not seal.
func FuzzOpen(f *testing.F) {
	k := keyring.NewForTests(f, nil)
	subject := uuid.MustParse("0190f3c2-0000-7000-8000-000000000001")
	good := sealed(f, k, "client-fuzz", subject, secret)
	f.Add(good.Payload, []byte(nil))
	f.Add([]byte{}, []byte("ad"))
	f.Add([]byte{0x01, 0, 0, 0, 1}, []byte{0})
	f.Add(append([]byte{0x01}, good.Payload[1:]...), []byte("x"))
	f.Fuzz(func(t *testing.T, payload, ad []byte) {
		r := good
		r.Payload = payload
		got, err := k.Open(context.Background(), r)
		if err == nil && string(payload) != string(good.Payload) {
			t.Fatalf("Open accepted a payload it did not seal: %q", got)
		}
		if err != nil && (got != nil || !errors.Is(err, keyring.ErrDecrypt)) {
			t.Fatalf("Open = %q, %v; want nil and ErrDecrypt", got, err)
		}
		if got, err := k.OpenValue(context.Background(), subject, payload, ad); err == nil || got != nil || !errors.Is(err, keyring.ErrDecrypt) {
			t.Fatalf("OpenValue = %q, %v; want nil and ErrDecrypt", got, err)
		}
	})
}

// FuzzNormalise checks the normalisers on arbitrary strings: no panic, valid UTF-8 out, and a
// normalised value normalises to itself.
func FuzzNormalise(f *testing.F) {
	for _, s := range []string{"Zoë O'Brien", "ZOE@Example.org", "21/03/1984", "", "\xff\xfe", "a@b.c", "ǅ", "İstanbul"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := keyring.NormaliseName(s)
		if !utf8.ValidString(n) {
			t.Fatalf("NormaliseName(%q) = %q, not UTF-8", s, n)
		}
		if again := keyring.NormaliseName(n); again != n {
			t.Fatalf("NormaliseName is not idempotent: %q -> %q -> %q", s, n, again)
		}
		if e, err := keyring.NormaliseEmail(s); err == nil {
			if again, err := keyring.NormaliseEmail(e); err != nil || again != e {
				t.Fatalf("NormaliseEmail is not idempotent: %q -> %q -> %q, %v", s, e, again, err)
			}
		}
		if d, err := keyring.NormaliseDateOfBirth(s); err == nil {
			if again, err := keyring.NormaliseDateOfBirth(d); err != nil || again != d {
				t.Fatalf("NormaliseDateOfBirth is not idempotent: %q -> %q -> %q, %v", s, d, again, err)
			}
		}
	})
}
