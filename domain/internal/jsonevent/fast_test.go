package jsonevent_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/caseledger/caseledger/domain/internal/jsonevent"
	"github.com/caseledger/caseledger/domain/scheduling"
)

// goldenEvent is one golden payload and the Go type of its event.
type goldenEvent struct {
	name    string
	typ     reflect.Type
	payload []byte
}

// goldenEvents reads every golden payload of the clinical events (the decoders table) and the
// scheduling events, each as written (indented) and compacted (as the log holds it).
func goldenEvents(tb testing.TB) []goldenEvent {
	tb.Helper()
	var out []goldenEvent
	add := func(name string, typ reflect.Type, payload []byte) {
		var compact bytes.Buffer
		if err := json.Compact(&compact, payload); err != nil {
			tb.Fatal(err)
		}
		out = append(out, goldenEvent{name, typ, payload}, goldenEvent{name, typ, compact.Bytes()})
	}
	for _, d := range decoders {
		for _, ev := range d.samples {
			payload, err := os.ReadFile(filepath.Join(goldenDir, ev.EventType()+".json"))
			if err != nil {
				tb.Fatal(err)
			}
			add(ev.EventType(), reflect.TypeOf(ev), payload)
		}
	}
	files, err := filepath.Glob("../../../testdata/golden/scheduling/*.json")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no golden scheduling payloads: %v", err)
	}
	for _, f := range files {
		payload, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		ev, err := scheduling.Decode(name, scheduling.SchemaVersion, payload)
		if err != nil {
			tb.Fatalf("golden %s: %v", name, err)
		}
		add(name, reflect.TypeOf(ev), payload)
	}
	slices.SortFunc(out, func(a, b goldenEvent) int { return strings.Compare(a.name, b.name) })
	return out
}

// referenceDecode is encoding/json's strict decoding: unknown fields refused, only space after
// the value.
func referenceDecode(payload []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if len(bytes.TrimLeft(payload[dec.InputOffset():], " \t\r\n")) > 0 {
		return jsonevent.ErrTrailing
	}
	return nil
}

// notFast are the event types the fast path does not take, because they embed a struct (whose
// promoted fields follow rules of encoding/json that fastDecode does not repeat): calendar
// settings and waiting-list entries, rare in the log.
var notFast = []string{"SelfBookingRulesSet", "WaitlistJoined", "WeeklyHoursSet"}

// TestFastDecodeTakesEveryGoldenEvent: the fast path is not silently lost for an event type the
// log holds; a type it stopped taking would only make replays slower.
func TestFastDecodeTakesEveryGoldenEvent(t *testing.T) {
	for _, g := range goldenEvents(t) {
		fast := reflect.New(g.typ)
		if taken := jsonevent.FastDecode(g.payload, fast.Interface()); taken == slices.Contains(notFast, g.name) {
			t.Errorf("%s (%d bytes): taken by the fast path %v, want %v", g.name, len(g.payload), taken, !taken)
			continue
		}
		checkFastDecode(t, g.typ, g.payload)
	}
}

// FuzzFastDecode: whatever the fast path takes, encoding/json decodes to the same value, and
// Strict agrees with encoding/json on every payload, taken or not.
func FuzzFastDecode(f *testing.F) {
	golden := goldenEvents(f)
	for i, g := range golden {
		f.Add(uint16(i), g.payload)
	}
	extra := []string{
		`{"appointment_id":"02020202-0202-0202-0202-020202020202","appointment_id":"02020202-0202-0202-0202-020202020203"}`,
		`{"Appointment_ID":"02020202-0202-0202-0202-020202020202"}`,
		`{"fields":{}}`, `{"fields":{"a":null}}`, `{"fields":{"a":"x","a":"y"}}`, `{"fields":null}`,
		`null`, `{}`, `{} `, `{}}`, `{"version":1.0}`, `{"version":-0}`, `{"version":01}`, `{"version":9223372036854775808}`,
		`{"at":"2026-03-02T09:30:00Z"}`, `{"at":"2026-03-02T09:30:00+01:00"}`, `{"at":"2026-3-2T09:30:00Z"}`, `{"at":null}`,
		`{"text":"caf\u00e9"}`, "{\"text\":\"caf\xc3\"}", "{\"text\":\"tab\there\"}", `{"details":{"address":{"lines":[]}}}`,
		`{"details":{"address":{"lines":["a",null]}}}`, `{"fee":{"amount_minor":3000,"currency":"GBP"}}`, `{"pending_approval":true}`,
	}
	for _, s := range extra {
		for i := range golden {
			if i%7 == 0 {
				f.Add(uint16(i), []byte(s))
			}
		}
	}
	f.Fuzz(func(t *testing.T, which uint16, payload []byte) {
		checkFastDecode(t, golden[int(which)%len(golden)].typ, payload)
	})
}

func checkFastDecode(t *testing.T, typ reflect.Type, payload []byte) {
	t.Helper()
	ref := reflect.New(typ)
	refErr := referenceDecode(payload, ref.Interface())
	fast := reflect.New(typ)
	if jsonevent.FastDecode(payload, fast.Interface()) {
		if refErr != nil {
			t.Fatalf("%s: the fast path took %q, which encoding/json refuses: %v", typ, payload, refErr)
		}
		if !reflect.DeepEqual(fast.Elem().Interface(), ref.Elem().Interface()) {
			t.Fatalf("%s: the fast path decoded %q to\n%#v\nencoding/json to\n%#v", typ, payload, fast.Elem().Interface(), ref.Elem().Interface())
		}
	}
	strict := reflect.New(typ)
	err := jsonevent.Strict(payload, strict.Interface())
	if (err == nil) != (refErr == nil) {
		t.Fatalf("%s: Strict(%q) = %v, encoding/json says %v", typ, payload, err, refErr)
	}
	if err == nil && !reflect.DeepEqual(strict.Elem().Interface(), ref.Elem().Interface()) {
		t.Fatalf("%s: Strict decoded %q to %#v, encoding/json to %#v", typ, payload, strict.Elem().Interface(), ref.Elem().Interface())
	}
}
