package keyring_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/keyring"
)

const secret = `{"note":"Zebulon Quaxworth disclosed a fear of lighthouses"}`

func TestSealOpenRoundTrip(t *testing.T) {
	t.Parallel()
	k := keyring.NewForTests(t, nil)
	subject := newID(t)
	stream := eventstore.StreamID("client-" + subject.String())
	r := sealed(t, k, stream, subject, secret)
	if bytes.Contains(r.Payload, []byte("Zebulon")) {
		t.Fatal("sealed payload holds the plaintext")
	}
	if r.KeyID == 0 {
		t.Fatal("Seal did not set KeyID")
	}
	got, err := k.Open(context.Background(), r)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if string(got) != secret {
		t.Fatalf("Open = %q, want %q", got, secret)
	}
	// A second event of the same subject uses the same key.
	r2 := sealed(t, k, stream, subject, secret)
	if r2.KeyID != r.KeyID {
		t.Fatalf("second event key %d, first %d", r2.KeyID, r.KeyID)
	}
	// Another subject gets another key.
	other := newID(t)
	r3 := sealed(t, k, eventstore.StreamID("client-"+other.String()), other, secret)
	if r3.KeyID == r.KeyID {
		t.Fatal("two subjects share a key id")
	}
}

func TestPlaintextEventsPassThrough(t *testing.T) {
	t.Parallel()
	k := keyring.NewForTests(t, nil)
	e := eventstore.EventData{ID: newID(t), Type: "PracticeRenamed", Payload: []byte(`{"x":1}`)}
	if err := k.Seal(context.Background(), "practice-1", &e); err != nil {
		t.Fatal(err)
	}
	if string(e.Payload) != `{"x":1}` || e.KeyID != 0 {
		t.Fatalf("Seal changed a subjectless event: %q key %d", e.Payload, e.KeyID)
	}
	got, err := k.Open(context.Background(), eventstore.RecordedEvent{EventData: e, StreamID: "practice-1"})
	if err != nil || string(got) != `{"x":1}` {
		t.Fatalf("Open = %q, %v", got, err)
	}
}

func TestOpenRefusesMovedOrTamperedPayloads(t *testing.T) {
	t.Parallel()
	k := keyring.NewForTests(t, nil)
	subject := newID(t)
	other := newID(t)
	stream := eventstore.StreamID("client-" + subject.String())
	_ = sealed(t, k, "client-"+eventstore.StreamID(other.String()), other, secret) // other has a key
	tests := []struct {
		name   string
		mutate func(r *eventstore.RecordedEvent)
	}{
		{"another event id", func(r *eventstore.RecordedEvent) { r.ID = newID(t) }},
		{"another stream", func(r *eventstore.RecordedEvent) { r.StreamID = "client-elsewhere" }},
		{"another type", func(r *eventstore.RecordedEvent) { r.Type = "NoteAmended" }},
		{"another subject", func(r *eventstore.RecordedEvent) { r.Subject = other }},
		{"a subject without keys", func(r *eventstore.RecordedEvent) { r.Subject = newID(t) }},
		{"a flipped bit", func(r *eventstore.RecordedEvent) { r.Payload[len(r.Payload)-3] ^= 1 }},
		{"truncated", func(r *eventstore.RecordedEvent) { r.Payload = r.Payload[:len(r.Payload)-1] }},
		{"empty", func(r *eventstore.RecordedEvent) { r.Payload = nil }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := sealed(t, k, stream, subject, secret)
			tc.mutate(&r)
			got, err := k.Open(context.Background(), r)
			if !errors.Is(err, keyring.ErrDecrypt) {
				t.Fatalf("Open = %q, %v; want ErrDecrypt", got, err)
			}
			if got != nil {
				t.Fatalf("Open returned data %q with its error", got)
			}
			var ke *keyring.Error
			if !errors.As(err, &ke) || ke.Subject != r.Subject {
				t.Fatalf("error %v is not a *keyring.Error about subject %s", err, r.Subject)
			}
			if errors.Is(err, domain.ErrErased) {
				t.Fatal("a decrypt failure matches ErrErased")
			}
		})
	}
}

func TestSealRejectsBadInput(t *testing.T) {
	t.Parallel()
	k := keyring.NewForTests(t, nil)
	tests := []struct {
		name string
		e    *eventstore.EventData
	}{
		{"nil event", nil},
		{"no event id", &eventstore.EventData{Type: "T", Subject: newID(t), Payload: []byte("x")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := k.Seal(context.Background(), "client-x", tc.e)
			if !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("Seal = %v, want ErrInvalid", err)
			}
			if tc.e != nil && string(tc.e.Payload) != "x" {
				t.Fatal("Seal changed the payload of a refused event")
			}
		})
	}
	if _, err := k.SealValue(context.Background(), uuid.Nil, []byte("x"), nil); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("SealValue(nil subject) = %v, want ErrInvalid", err)
	}
	if _, err := k.OpenValue(context.Background(), uuid.Nil, []byte("x"), nil); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("OpenValue(nil subject) = %v, want ErrInvalid", err)
	}
}

func TestSealValueBindsSubjectAndAssociatedData(t *testing.T) {
	t.Parallel()
	k := keyring.NewForTests(t, nil)
	ctx := context.Background()
	subject, other := newID(t), newID(t)
	if _, err := k.SealValue(ctx, other, []byte("x"), nil); err != nil {
		t.Fatal(err)
	}
	ad := []byte("clients/" + subject.String() + "/name")
	ct, err := k.SealValue(ctx, subject, []byte("Zebulon Quaxworth"), ad)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(ct, []byte("Zebulon")) {
		t.Fatal("ciphertext holds the plaintext")
	}
	got, err := k.OpenValue(ctx, subject, ct, ad)
	if err != nil || string(got) != "Zebulon Quaxworth" {
		t.Fatalf("OpenValue = %q, %v", got, err)
	}
	tampered := bytes.Clone(ct)
	tampered[len(tampered)-1] ^= 0x80
	tests := []struct {
		name    string
		subject uuid.UUID
		ct, ad  []byte
	}{
		{"another column", subject, ct, []byte("clients/" + subject.String() + "/email")},
		{"another subject", other, ct, ad},
		{"tampered", subject, tampered, ad},
		{"garbage", subject, []byte("not a ciphertext"), ad},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := k.OpenValue(ctx, tc.subject, tc.ct, tc.ad)
			if !errors.Is(err, keyring.ErrDecrypt) || got != nil {
				t.Fatalf("OpenValue = %q, %v; want ErrDecrypt", got, err)
			}
		})
	}
	// An event payload does not open as a value and vice versa, even with a matching layout.
	r := sealed(t, k, "client-"+eventstore.StreamID(subject.String()), subject, secret)
	if _, err := k.OpenValue(ctx, subject, r.Payload, nil); !errors.Is(err, keyring.ErrDecrypt) {
		t.Fatalf("event payload opened as a value: %v", err)
	}
}
