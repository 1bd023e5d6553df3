package checkpoint_test

import (
	"bytes"
	"crypto/sha256"
	"testing"

	"github.com/caseledger/caseledger/eventstore/checkpoint"
)

func sha(b []byte) checkpoint.Hash { return sha256.Sum256(b) }

func TestHeadsRoundTrip(t *testing.T) {
	t.Parallel()
	heads := []checkpoint.Head{
		{Stream: "calendar-0190f3c2-0000-7000-8000-000000000001", Version: 7, Hash: sha([]byte("a"))},
		{Stream: "client-0190f3c2-0000-7000-8000-000000000001", Version: 0, Hash: sha([]byte("b"))},
	}
	back, err := checkpoint.DecodeHeads(checkpoint.EncodeHeads(heads))
	if err != nil || len(back) != 2 || back[0] != heads[0] || back[1] != heads[1] {
		t.Fatalf("round trip: %v %+v", err, back)
	}
	if _, err := checkpoint.DecodeHeads(checkpoint.EncodeHeads([]checkpoint.Head{heads[1], heads[0]})); err == nil {
		t.Fatal("heads out of order were accepted")
	}
}

func FuzzDecodeHeads(f *testing.F) {
	f.Add(checkpoint.EncodeHeads([]checkpoint.Head{{Stream: "client-x", Version: 3}}))
	f.Add([]byte{0, 5, 'a'})
	f.Fuzz(func(t *testing.T, b []byte) {
		heads, err := checkpoint.DecodeHeads(b)
		if err == nil && !bytes.Equal(checkpoint.EncodeHeads(heads), b) {
			t.Fatalf("decode/encode is not the identity for %x", b)
		}
	})
}

func FuzzReadFile(f *testing.F) {
	f.Add([]byte(`{"format":"caseledger-checkpoints/1","keys":[],"checkpoints":[]}`))
	f.Add([]byte(`{"format":"caseledger-checkpoints/1","keys":[{"key_id":"00","algorithm":"Ed25519","public_key":"AA=="}],"checkpoints":[{"id":"0190f3c2-0000-7000-8000-000000000001","heads":[{"stream":"a","version":1,"hash":"00"}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = checkpoint.ReadFile(bytes.NewReader(b)) // must not panic
	})
}
