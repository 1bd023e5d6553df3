package jsonevent

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

type strictProbe struct {
	A string            `json:"a"`
	N int               `json:"n"`
	M map[string]string `json:"m,omitempty"`
	L []int             `json:"l,omitempty"`
}

// reference is what Strict must do: a fresh decoder per payload, and only space after the value.
func reference(payload []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return ErrMalformed
	}
	if len(bytes.TrimLeft(payload[dec.InputOffset():], " \t\r\n")) > 0 {
		return ErrTrailing
	}
	return nil
}

var strictSeeds = []string{
	`{"a":"x","n":1}`,
	`{"a":"x","n":1,"extra":true}`,
	`{"a":"x"} {"a":"y"}`,
	`{"a":"x"}   ` + "\n",
	`{"a":"x"} x`,
	`{}}`,
	`{"a":"x"}]`,
	``,
	`   `,
	`{"a":`,
	`{"a":"x","n":"not a number"}`,
	`[1,2]`,
	`123`,
	`null`,
	`{"m":{"k":"v"},"l":[1,2,3]}`,
	`{"a":"` + strings.Repeat("long ", 400) + `","n":7}`,
	`{"a":"\u00e9\"","n":-3}`,
}

// TestStrictDecodesAsAFreshDecoder runs payloads that succeed and fail in turn through the pooled
// decoders and checks each result against a fresh decoder's: no state of one payload, failed or
// not, leaks into the next.
func TestStrictDecodesAsAFreshDecoder(t *testing.T) {
	for round := range 3 {
		for i, s := range strictSeeds {
			for _, next := range strictSeeds[(i+round)%len(strictSeeds):] {
				checkStrict(t, []byte(s))
				checkStrict(t, []byte(next))
			}
		}
	}
}

func FuzzStrict(f *testing.F) {
	for _, s := range strictSeeds {
		f.Add([]byte(s), []byte(strictSeeds[0]))
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		checkStrict(t, a)
		checkStrict(t, b)
		checkStrict(t, a)
	})
}

func checkStrict(t *testing.T, payload []byte) {
	t.Helper()
	var got, want strictProbe
	gotErr, wantErr := Strict(payload, &got), reference(payload, &want)
	if gotErr != wantErr {
		t.Fatalf("Strict(%q) = %v, a fresh decoder says %v", payload, gotErr, wantErr)
	}
	if gotErr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("Strict(%q) decoded %+v, a fresh decoder %+v", payload, got, want)
	}
}
