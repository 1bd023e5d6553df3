package sar_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/sar"
)

// roundTrip encodes ev as the log stores it and decodes it with the decoder of its stream.
func roundTrip(tb testing.TB, ev domain.Event) domain.Event {
	tb.Helper()
	b, err := json.Marshal(ev)
	if err != nil {
		tb.Fatal(err)
	}
	for _, dec := range []domain.Decoder{sar.Decode, sar.DecodeRetention, sar.DecodeProof, sar.DecodeRules} {
		if got, err := dec(ev.EventType(), 1, b); err == nil {
			if !reflect.DeepEqual(got, ev) {
				tb.Fatalf("%s round trip: got %+v, want %+v", ev.EventType(), got, ev)
			}
			return got
		}
	}
	tb.Fatalf("no decoder knows %s", ev.EventType())
	return nil
}

func TestDecodeRejects(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, typ string
		version   int
		payload   string
	}{
		{"unknown type", "SARShredded", 1, `{}`},
		{"unknown schema version", "SARReceived", 2, `{}`},
		{"not JSON", "SARReceived", 1, `{`},
		{"bad date", "SARReleased", 1, `{"on":"2026-02-30"}`},
		{"bad id", "SARReceived", 1, `{"request_id":"x"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := sar.Decode(c.typ, c.version, []byte(c.payload))
			if !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	f.Add("SARReceived", []byte(`{"request_id":"01000000-0000-0000-0000-000000000000","received_on":"2026-01-31","channel":"email","identity":"pending"}`))
	f.Add("SARReviewed", []byte(`{"decisions":[{"item":{"kind":"note","id":"09000000-0000-0000-0000-000000000000"},"action":"redact","reason":"x"}]}`))
	f.Add("SARExtended", []byte(`{"months":2,"notified_on":""}`))
	f.Add("SARExtended", []byte(`{"months":0,"days":30,"in_writing":true,"due":"2026-03-02","notified_on":"2026-02-01"}`))
	f.Add("SARReceived", []byte(`{"received_on":"2026-01-31","regime":"hipaa","time_zone":"America/New_York"}`))
	f.Add("SARRulesSet", []byte(`{"practice_id":"07000000-0000-0000-0000-000000000000","regime":"uk_gdpr","time_zone":"Europe/London"}`))
	f.Add("RetentionReviewQueued", []byte(`{"until":"2046-01-01"}`))
	f.Add("ErasureVerified", []byte(`{"checks":[{"name":"key_gone","passed":true}]}`))
	f.Fuzz(func(t *testing.T, typ string, payload []byte) {
		for _, dec := range []domain.Decoder{sar.Decode, sar.DecodeRetention, sar.DecodeProof, sar.DecodeRules} {
			ev, err := dec(typ, 1, payload)
			if err == nil && ev.EventType() != typ {
				t.Fatalf("decoded %s as %s", typ, ev.EventType())
			}
			if err != nil && !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("error %v is not ErrInvalid", err)
			}
		}
	})
}
