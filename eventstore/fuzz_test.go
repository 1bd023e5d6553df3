package eventstore_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
)

func FuzzParsePosition(f *testing.F) {
	for _, s := range []string{"", "0/0", "1/2", "18446744073709551615/1", "1", "/", "a/b", "-1/2", "1/2/3", " 1/2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := eventstore.ParsePosition(s)
		if err != nil {
			if !errors.Is(err, eventstore.ErrInvalidInput) {
				t.Fatalf("ParsePosition(%q) error %v does not match ErrInvalidInput", s, err)
			}
			return
		}
		q, err := eventstore.ParsePosition(p.String())
		if err != nil || q != p {
			t.Fatalf("%q parsed to %v, which does not round-trip (%v, %v)", s, p, q, err)
		}
	})
}

// FuzzAppend feeds arbitrary envelopes to the memory store: each is refused with a typed error and
// nothing written, or stored, read back unchanged and verified.
func FuzzAppend(f *testing.F) {
	f.Add("client-0190f3c2-7a4b-7c3d-8e5f-0a1b2c3d4e5f", "ConsentSigned", "therapist", 1, int64(1772600767891234567), []byte(`{"a":1}`))
	f.Add("", "X", "", 0, int64(0), []byte(nil))
	f.Add("Client-1", "", "Dr Smith", -1, int64(-62135596800000000), []byte{0})
	f.Add("a", "a/b:c.d-e_f", "x", 2147483647, int64(253402300799999999), bytes.Repeat([]byte{1}, 100))
	f.Fuzz(func(t *testing.T, stream, typ, role string, schema int, occurredNanos int64, payload []byte) {
		m := eventstore.NewMemory()
		ctx := context.Background()
		e := eventstore.EventData{
			ID: uuid.New(), Type: typ, SchemaVersion: schema, OccurredAt: time.Unix(0, occurredNanos),
			Actor: eventstore.Actor{UserID: uuid.New(), Role: role}, Payload: payload,
		}
		_, err := m.Append(ctx, eventstore.StreamID(stream), eventstore.Any(), e)
		if err != nil {
			var ierr *eventstore.InvalidInputError
			if !errors.As(err, &ierr) || ierr.Code == "" {
				t.Fatalf("refusal %v is not an *InvalidInputError with a code", err)
			}
			if all, _ := m.ReadAll(ctx, eventstore.Start, 10); len(all) != 0 {
				t.Fatalf("a refused append wrote %d events", len(all))
			}
			return
		}
		got, err := m.ReadStream(ctx, eventstore.StreamID(stream), 0, 10)
		if err != nil || len(got) != 1 {
			t.Fatalf("read back: %v", err)
		}
		r := got[0]
		if r.Type != typ || r.Actor.Role != role || r.SchemaVersion != schema || !bytes.Equal(r.Payload, payload) ||
			r.OccurredAt.UnixMicro() != eventstore.Micros(e.OccurredAt) {
			t.Fatalf("read back %+v, wrote %+v", r, e)
		}
		if rep, err := m.Verify(ctx); err != nil || !rep.OK {
			t.Fatalf("verify: %+v, %v", rep, err)
		}
	})
}
