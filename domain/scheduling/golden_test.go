package scheduling_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
)

var update = flag.Bool("update", false, "rewrite the golden event payloads in testdata/golden/scheduling")

const goldenDir = "../../testdata/golden/scheduling"

// fixedID returns a fixed id whose bytes are all b.
func fixedID(b byte) domain.ID {
	var id domain.ID
	for i := range id {
		id[i] = b
	}
	return id
}

// samples returns one fully populated value of every scheduling event type.
func samples() []domain.Event {
	t0 := time.Date(2026, 6, 2, 9, 0, 0, 0, time.UTC)
	t1 := t0.Add(50 * time.Minute)
	fee := &scheduling.Money{AmountMinor: 4000, Currency: "GBP"}
	hours := scheduling.WeeklyHours{{Weekday: scheduling.Weekday(time.Tuesday), LocalRange: scheduling.LocalRange{Start: 9 * 60, End: 17 * 60}}}
	return []domain.Event{
		scheduling.CalendarConfigured{TherapistID: fixedID(1), Policy: scheduling.Policy{TimeZone: "Europe/London", BufferMinutes: 10, SlotStepMinutes: 15, CancellationWindowMinutes: 1440, LateCancelFee: fee, NoShowFee: &scheduling.Money{AmountMinor: 6000, Currency: "GBP"}}},
		scheduling.WeeklyHoursSet{Hours: hours},
		scheduling.AvailabilityExceptionSet{Exception: scheduling.DayException{Date: scheduling.Date{Year: 2026, Month: 12, Day: 24}, Hours: []scheduling.LocalRange{{Start: 9 * 60, End: 12 * 60}}}},
		scheduling.AvailabilityExceptionCleared{Date: scheduling.Date{Year: 2026, Month: 12, Day: 24}},
		scheduling.SelfBookingRulesSet{Rules: scheduling.SelfBookingRules{Enabled: true, Hours: hours, ServiceTypes: []domain.ID{fixedID(4)}, HorizonDays: 28, MinNoticeMinutes: 1440, NewClientApproval: true, HoldMinutes: 15, Location: "Room 2", VideoLink: "https://video.example/r/self"}},
		scheduling.SlotReserved{AppointmentID: fixedID(2), SeriesID: fixedID(3), Start: t0, End: t1, PendingApproval: true, HoldID: fixedID(5), ReservedAt: t0.Add(-48 * time.Hour)},
		scheduling.SlotApproved{AppointmentID: fixedID(2)},
		scheduling.SlotMoved{AppointmentID: fixedID(2), Start: t0.Add(time.Hour), End: t1.Add(time.Hour)},
		scheduling.SlotReleased{AppointmentID: fixedID(2), Outcome: scheduling.StatusLateCancelled},
		scheduling.SlotCompleted{AppointmentID: fixedID(2)},
		scheduling.SlotNoShow{AppointmentID: fixedID(2)},
		scheduling.SlotHeld{HoldID: fixedID(5), Start: t0, End: t1, ExpiresAt: t0.Add(-24 * time.Hour)},
		scheduling.HoldReleased{HoldID: fixedID(5)},
		scheduling.AppointmentBooked{AppointmentID: fixedID(2), TherapistID: fixedID(1), ClientID: fixedID(6), ServiceTypeID: fixedID(4), Start: t0, End: t1, Location: "Room 2", VideoLink: "https://video.example/r/abc", SeriesID: fixedID(3), SeriesRule: "FREQ=WEEKLY;INTERVAL=2;COUNT=6", BookedBy: domain.RoleClient, PendingApproval: true, ConsentWarning: "consent_missing"},
		scheduling.AppointmentApproved{AppointmentID: fixedID(2)},
		scheduling.AppointmentDeclined{AppointmentID: fixedID(2), Reason: "not a fit for this service"},
		scheduling.AppointmentRescheduled{AppointmentID: fixedID(2), Start: t0.Add(time.Hour), End: t1.Add(time.Hour), PreviousStart: t0, PreviousEnd: t1, By: domain.RoleTherapist, Reason: "therapist unwell"},
		scheduling.AppointmentCancelled{AppointmentID: fixedID(2), By: domain.RoleClient, Reason: "travel", Late: true, Fee: fee},
		scheduling.AppointmentCompleted{AppointmentID: fixedID(2)},
		scheduling.AppointmentNoShow{AppointmentID: fixedID(2), Fee: fee},
		scheduling.WaitlistJoined{EntryID: fixedID(7), TherapistID: fixedID(1), ServiceTypeID: fixedID(4), Priority: 10, JoinedAt: t0, Preferred: hours},
		scheduling.WaitlistLeft{EntryID: fixedID(7), Reason: "booked"},
		scheduling.WaitlistEntryOpened{EntryID: fixedID(7), ClientID: fixedID(6)},
		scheduling.ClientAppointmentAdded{AppointmentID: fixedID(2), TherapistID: fixedID(1)},
		scheduling.ClientHoldPlaced{HoldID: fixedID(5), TherapistID: fixedID(1), At: t0},
		scheduling.ClientWaitlistJoined{EntryID: fixedID(7), PracticeID: fixedID(8)},
	}
}

// TestGoldenPayloads pins the JSON of every event type: changing a payload's shape is a decision
// (rerun with -update and review the diff), never an accident. Every golden file must decode back
// to the sample.
func TestGoldenPayloads(t *testing.T) {
	covered := map[string]bool{}
	for _, ev := range samples() {
		name := ev.EventType()
		covered[name] = true
		t.Run(name, func(t *testing.T) {
			got, err := json.MarshalIndent(ev, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join(goldenDir, name+".json")
			if *update {
				if err := os.MkdirAll(goldenDir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGoldenPayloads -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("payload of %s changed:\n got %s\nwant %s", name, got, want)
			}
			back, err := scheduling.Decode(name, scheduling.SchemaVersion, want)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, ev) {
				t.Fatalf("decoded %#v, want %#v", back, ev)
			}
		})
	}
	var missing []string
	for _, name := range scheduling.EventTypes() {
		if !covered[name] {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("event types without a golden sample: %v", missing)
	}
}

func TestDecodeRejects(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, typ string
		schema    int
		payload   string
		code      string
	}{
		{"unknown type", "Nope", 1, `{}`, "invalid_event_type"},
		{"unknown schema", "SlotApproved", 2, `{}`, "invalid_schema_version"},
		{"unknown field", "SlotApproved", 1, `{"appointment_id":"01010101-0101-0101-0101-010101010101","client_name":"x"}`, "invalid_payload"},
		{"not json", "SlotApproved", 1, `{`, "invalid_payload"},
		{"trailing data", "SlotApproved", 1, `{} {}`, "invalid_payload"},
		{"bad id", "SlotApproved", 1, `{"appointment_id":"x"}`, "invalid_payload"},
		{"bad clock", "WeeklyHoursSet", 1, `{"hours":[{"weekday":"monday","start":"25:00","end":"26:00"}]}`, "invalid_payload"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := scheduling.Decode(tc.typ, tc.schema, []byte(tc.payload))
			assertCode(t, err, tc.code)
		})
	}
}

// FuzzDecode feeds arbitrary bytes to the decoder of every event type: it must never panic, and
// whatever it accepts must survive a round trip through JSON unchanged.
func FuzzDecode(f *testing.F) {
	for _, ev := range samples() {
		b, _ := json.Marshal(ev)
		f.Add(ev.EventType(), b)
	}
	f.Add("SlotReserved", []byte(`{"start":"0000-01-01T00:00:00Z"}`))
	f.Add("WeeklyHoursSet", []byte(`{"hours":[{"weekday":"funday"}]}`))
	f.Fuzz(func(t *testing.T, typ string, payload []byte) {
		ev, err := scheduling.Decode(typ, scheduling.SchemaVersion, payload)
		if err != nil {
			if domain.KindOf(err) != domain.KindInvalid {
				t.Fatalf("error of kind %q: %v", domain.KindOf(err), err)
			}
			return
		}
		b, err := json.Marshal(ev)
		if err != nil {
			return // e.g. a year outside what encoding/json can write; decoding is what must not panic
		}
		again, err := scheduling.Decode(typ, scheduling.SchemaVersion, b)
		if err != nil {
			t.Fatalf("re-decode of %s: %v", b, err)
		}
		b2, _ := json.Marshal(again)
		if !bytes.Equal(b, b2) {
			t.Fatalf("round trip changed %s into %s", b, b2)
		}
	})
}
