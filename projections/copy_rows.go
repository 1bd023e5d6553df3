package projections

import (
	"encoding/binary"
	"math"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/domain"
)

// A rebuild's new rows go into their partition by COPY ... FROM STDIN (FORMAT binary). The stream
// is encoded here, straight from the rows' Go values by each column's PostgreSQL type, into one
// reusable buffer: pgx's CopyFrom looks up an encode plan for every single value. The Go types are
// those projectors put (the same columnArray expects); a value of another type makes
// appendCopyRows report false, and the caller lets pgx encode the rows instead, correctly and
// more slowly.

// copyKind is a column's PostgreSQL type as the encoder knows it.
type copyKind uint8

const (
	copyUnknown copyKind = iota
	copyUUID
	copyText
	copyTimestamptz
	copyBytea
	copyInt4
	copyInt8
	copyBool
	copyInt8Array
)

// copyKindOf maps format_type names to kinds; copyUnknown for any other type.
func copyKindOf(typ string) copyKind {
	switch typ {
	case "uuid":
		return copyUUID
	case "text":
		return copyText
	case "timestamp with time zone":
		return copyTimestamptz
	case "bytea":
		return copyBytea
	case "integer":
		return copyInt4
	case "bigint":
		return copyInt8
	case "boolean":
		return copyBool
	case "bigint[]":
		return copyInt8Array
	}
	return copyUnknown
}

// copyHeader is the binary COPY signature, flags (none) and header extension length (0).
var copyHeader = []byte("PGCOPY\n\xff\r\n\x00" + "\x00\x00\x00\x00" + "\x00\x00\x00\x00")

// int8OID is the element type of a bigint[] in the array's binary form.
const int8OID = 20

// postgresEpoch is 2000-01-01 UTC in Unix microseconds: timestamptz counts from there.
const postgresEpoch = 946_684_800_000_000

// appendCopyRows appends to buf the binary COPY stream of rows: each row is gen and then its
// values, for columns of the given kinds. ok is false when a value is not of a Go type the encoder
// takes for its column (buf is then to be discarded).
func appendCopyRows(buf []byte, gen int32, kinds []copyKind, rows []*pendingRow) ([]byte, bool) {
	buf = append(buf, copyHeader...)
	for _, r := range rows {
		buf = binary.BigEndian.AppendUint16(buf, uint16(1+len(kinds)))
		buf = binary.BigEndian.AppendUint32(buf, 4)
		buf = binary.BigEndian.AppendUint32(buf, uint32(gen))
		for c, k := range kinds {
			var ok bool
			if buf, ok = appendCopyValue(buf, k, r.values[c]); !ok {
				return buf, false
			}
		}
	}
	return binary.BigEndian.AppendUint16(buf, 0xffff), true
}

// appendCopyValue appends one field: its length and bytes, or -1 for NULL (nil, a nil pointer, a
// nil []byte).
func appendCopyValue(buf []byte, k copyKind, v any) ([]byte, bool) {
	if v == nil {
		return appendNull(buf), true
	}
	switch k {
	case copyUUID:
		switch v := v.(type) {
		case uuid.UUID:
			return appendField(buf, v[:]), true
		case domain.ID:
			return appendField(buf, v[:]), true
		case *uuid.UUID:
			if v == nil {
				return appendNull(buf), true
			}
			return appendField(buf, v[:]), true
		}
	case copyText:
		switch v := v.(type) {
		case string:
			return appendString(buf, v), true
		case *string:
			if v == nil {
				return appendNull(buf), true
			}
			return appendString(buf, *v), true
		}
	case copyTimestamptz:
		switch v := v.(type) {
		case time.Time:
			return appendTime(buf, v), true
		case *time.Time:
			if v == nil {
				return appendNull(buf), true
			}
			return appendTime(buf, *v), true
		}
	case copyBytea:
		if v, ok := v.([]byte); ok {
			if v == nil {
				return appendNull(buf), true
			}
			return appendField(buf, v), true
		}
	case copyInt4, copyInt8:
		var n int64
		switch v := v.(type) {
		case int:
			n = int64(v)
		case int32:
			n = int64(v)
		case int64:
			n = v
		case *int64:
			if v == nil {
				return appendNull(buf), true
			}
			n = *v
		default:
			return buf, false
		}
		if k == copyInt8 {
			buf = binary.BigEndian.AppendUint32(buf, 8)
			return binary.BigEndian.AppendUint64(buf, uint64(n)), true
		}
		if n < math.MinInt32 || n > math.MaxInt32 {
			return buf, false
		}
		buf = binary.BigEndian.AppendUint32(buf, 4)
		return binary.BigEndian.AppendUint32(buf, uint32(int32(n))), true
	case copyBool:
		if v, ok := v.(bool); ok {
			b := byte(0)
			if v {
				b = 1
			}
			return append(binary.BigEndian.AppendUint32(buf, 1), b), true
		}
	case copyInt8Array:
		if v, ok := v.([]int64); ok {
			if v == nil {
				return appendNull(buf), true
			}
			return appendInt8Array(buf, v), true
		}
	}
	return buf, false
}

func appendNull(buf []byte) []byte { return binary.BigEndian.AppendUint32(buf, math.MaxUint32) }

func appendField(buf, b []byte) []byte {
	return append(binary.BigEndian.AppendUint32(buf, uint32(len(b))), b...)
}

func appendString(buf []byte, s string) []byte {
	return append(binary.BigEndian.AppendUint32(buf, uint32(len(s))), s...)
}

// appendTime appends t as microseconds since 2000-01-01 UTC (finer digits are dropped, as
// PostgreSQL and pgx drop them).
func appendTime(buf []byte, t time.Time) []byte {
	us := t.Unix()*1_000_000 + int64(t.Nanosecond())/1000 - postgresEpoch
	return binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint32(buf, 8), uint64(us))
}

// appendInt8Array appends a one-dimensional bigint[] (an empty one has no dimension, as
// PostgreSQL writes it).
func appendInt8Array(buf []byte, elems []int64) []byte {
	lenAt := len(buf)
	buf = binary.BigEndian.AppendUint32(buf, 0) // the field's length, set below
	if len(elems) == 0 {
		buf = binary.BigEndian.AppendUint32(buf, 0) // dimensions
		buf = binary.BigEndian.AppendUint32(buf, 0) // no NULL
		buf = binary.BigEndian.AppendUint32(buf, int8OID)
	} else {
		buf = binary.BigEndian.AppendUint32(buf, 1)
		buf = binary.BigEndian.AppendUint32(buf, 0)
		buf = binary.BigEndian.AppendUint32(buf, int8OID)
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(elems)))
		buf = binary.BigEndian.AppendUint32(buf, 1) // lower bound
		for _, e := range elems {
			buf = binary.BigEndian.AppendUint32(buf, 8)
			buf = binary.BigEndian.AppendUint64(buf, uint64(e))
		}
	}
	binary.BigEndian.PutUint32(buf[lenAt:], uint32(len(buf)-lenAt-4))
	return buf
}
