package pgstore_test

import (
	"encoding/binary"
	"testing"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/pgstore"
)

// FuzzDecodeRow feeds the binary row decoder arbitrary column values: it must return an error or
// an event, never panic, and never alias the input payload or another row's payload, even by
// growing it.
func FuzzDecodeRow(f *testing.F) {
	sizes := []int{8, 8, 10, 8, 16, 5, 4, 8, 8, 16, 9, 16, 8, 16, 16, 3, 32, 32}
	valid := []byte{}
	for _, n := range sizes {
		valid = binary.BigEndian.AppendUint32(valid, uint32(n))
		valid = append(valid, make([]byte, n)...)
	}
	f.Add(valid)
	f.Add([]byte{})
	f.Add([]byte{0, 0, 0, 1, 7})
	f.Fuzz(func(t *testing.T, data []byte) {
		// data is a sequence of (uint32 length, bytes) columns; 0xffffffff is NULL.
		var cols [][]byte
		for len(data) >= 4 && len(cols) < 30 {
			n := binary.BigEndian.Uint32(data)
			data = data[4:]
			if n == 0xffffffff {
				cols = append(cols, nil)
				continue
			}
			if int(n) > len(data) {
				n = uint32(len(data))
			}
			cols = append(cols, data[:n])
			data = data[n:]
		}
		decode := pgstore.RowDecoder()
		var r, next eventstore.RecordedEvent
		if err := decode(cols, &r); err != nil {
			return
		}
		if err := decode(cols, &next); err != nil {
			t.Fatalf("a row decoded once fails the second time: %v", err)
		}
		if len(r.Payload) > 0 {
			r.Payload[0] ^= 0xff
			if cols[15][0] == r.Payload[0] {
				t.Fatalf("the decoded payload aliases the row buffer")
			}
			if next.Payload[0] == r.Payload[0] {
				t.Fatalf("two rows' payloads alias each other")
			}
		}
		_ = append(r.Payload, 0xaa)
		if string(next.Payload) != string(cols[15]) {
			t.Fatalf("growing one row's payload changed the next row's")
		}
	})
}
