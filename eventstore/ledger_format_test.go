package eventstore_test

import (
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
)

var update = flag.Bool("update", false, "rewrite testdata/eventstore/ledger-vector.json from the code")

// vectorEvents are the two events of the worked example in docs/ledger-format.md.
func vectorEvents() (eventstore.StreamID, time.Time, []eventstore.EventData) {
	stream := eventstore.StreamID("client-0190f3c2-7a4b-7c3d-8e5f-0a1b2c3d4e5f")
	recorded := time.Date(2026, 3, 4, 5, 6, 8, 1000, time.UTC)
	base := eventstore.EventData{
		ID:            uuid.MustParse("0190f3c2-7a4b-7000-8000-000000000001"),
		Type:          "ConsentSigned",
		SchemaVersion: 1,
		OccurredAt:    time.Date(2026, 3, 4, 5, 6, 7, 891234000, time.UTC),
		Actor:         eventstore.Actor{UserID: uuid.MustParse("0190f3c2-0000-7000-8000-00000000000a"), Role: "therapist"},
		Subject:       uuid.MustParse("0190f3c2-7a4b-7c3d-8e5f-0a1b2c3d4e5f"),
		KeyID:         0x12345678,
		CorrelationID: uuid.MustParse("0190f3c2-7a4b-7000-8000-0000000000c0"),
		CausationID:   uuid.MustParse("0190f3c2-7a4b-7000-8000-0000000000ca"),
		Payload:       []byte{0x01, 0xa2, 0xb3, 0xc4, 0xd5, 0xe6, 0xf7, 0x08},
	}
	second := base
	second.ID = uuid.MustParse("0190f3c2-7a4b-7000-8000-000000000002")
	second.Type = "NoteAuthored"
	second.Payload = []byte{0xff}
	return stream, recorded, []eventstore.EventData{base, second}
}

type vectorEntry struct {
	Version      uint64 `json:"version"`
	PrevHash     string `json:"prev_hash"`
	CanonicalHex string `json:"canonical"`
	Hash         string `json:"hash"`
}

// TestLedgerFormatVector pins the canonical encoding and the chain to the golden vector, and
// checks that docs/ledger-format.md shows the same bytes, so the document an auditor re-implements
// from cannot drift from the code.
func TestLedgerFormatVector(t *testing.T) {
	stream, recorded, events := vectorEvents()
	var got []vectorEntry
	prev := eventstore.GenesisHash
	for i, e := range events {
		c := eventstore.Canonical(stream, uint64(i), recorded, e)
		h := eventstore.ChainHash(prev, c)
		got = append(got, vectorEntry{uint64(i), hex.EncodeToString(prev[:]), hex.EncodeToString(c), hex.EncodeToString(h[:])})
		prev = h
	}
	path := "../testdata/eventstore/ledger-vector.json"
	if *update {
		b, _ := json.MarshalIndent(got, "", "  ")
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want []vectorEntry
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	if len(want) != len(got) {
		t.Fatalf("golden vector has %d entries, code gives %d", len(want), len(got))
	}
	doc, err := os.ReadFile("../docs/ledger-format.md")
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("event %d: code gives %+v, golden vector has %+v (a format change is a decision: see docs/ledger-format.md)", i, got[i], want[i])
		}
		for _, s := range []string{got[i].CanonicalHex, got[i].Hash} {
			if !strings.Contains(string(doc), s) {
				t.Errorf("docs/ledger-format.md does not show %s", s)
			}
		}
	}
	// The split the PostgreSQL store uses must give the same bytes.
	head, meta := eventstore.CanonicalHead(stream), eventstore.CanonicalMeta(recorded, events[0])
	if hex.EncodeToString(head)+"0000000000000000"+hex.EncodeToString(meta)+hex.EncodeToString(events[0].Payload) != got[0].CanonicalHex {
		t.Errorf("head || version || meta || payload differs from Canonical")
	}
}

func TestCanonicalDropsSubMicrosecondsAndZones(t *testing.T) {
	stream, recorded, events := vectorEvents()
	e := events[0]
	want := eventstore.Canonical(stream, 0, recorded, e)
	e.OccurredAt = e.OccurredAt.Add(999).In(time.FixedZone("X", -7*3600))
	if got := eventstore.Canonical(stream, 0, recorded.Add(999), e); string(got) != string(want) {
		t.Fatalf("nanoseconds or the zone changed the canonical bytes")
	}
}
