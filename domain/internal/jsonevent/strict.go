package jsonevent

import (
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"sync"
)

// ErrMalformed and ErrTrailing are how Strict refuses a payload: JSON that does not decode into
// the value (unknown fields included), and data after the value.
var (
	ErrMalformed = errors.New("payload does not decode")
	ErrTrailing  = errors.New("payload has trailing data")
)

// Strict decodes payload, exactly one JSON value with nothing but space after it, into the zero
// value v points to, refusing unknown fields. It is what a json.Decoder with DisallowUnknownFields
// does, only faster: a log replay decodes hundreds of thousands of payloads. (A More check after
// Decode, which this replaces, let a stray ']' or '}' through.)
//
// A payload in the form json.Marshal writes takes one pass of fastDecode. Anything else goes to
// encoding/json, through a pooled decoder rather than one and its buffer allocated per payload.
// The decoders are pooled. One goes back only when it decoded a value that was the whole
// payload, so that nothing of one payload, and no state of a failed decode, reaches the next:
// its next Decode then reads only what its feed is given next.
func Strict(payload []byte, v any) error {
	if fastDecode(payload, v) {
		return nil
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv.Elem().SetZero() // undo what fastDecode wrote before it gave up
	}
	d := strictDecoders.Get().(*strictDecoder)
	start := d.dec.InputOffset()
	d.feed.rest = payload
	if err := d.dec.Decode(v); err != nil {
		return ErrMalformed
	}
	used := d.dec.InputOffset() - start
	if used == int64(len(payload)) {
		strictDecoders.Put(d)
		return nil
	}
	for _, c := range payload[used:] {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return ErrTrailing
		}
	}
	return nil
}

// strictDecoder is a reusable strict decoder and the feed it reads payloads from.
type strictDecoder struct {
	feed feed
	dec  *json.Decoder
}

var strictDecoders = sync.Pool{New: func() any {
	d := &strictDecoder{}
	d.dec = json.NewDecoder(&d.feed)
	d.dec.DisallowUnknownFields()
	return d
}}

// feed hands the decoder the current payload, then io.EOF until it is given the next.
type feed struct{ rest []byte }

func (f *feed) Read(p []byte) (int, error) {
	if len(f.rest) == 0 {
		return 0, io.EOF
	}
	n := copy(p, f.rest)
	f.rest = f.rest[n:]
	return n, nil
}
