package jsonevent_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/note"
	"github.com/caseledger/caseledger/domain/practice"
)

var update = flag.Bool("update", false, "rewrite the golden payloads in testdata/golden/clinical")

const goldenDir = "../../../testdata/golden/clinical"

var (
	at  = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	id1 = domain.ID{0x01, 0x93, 0x0c, 0x1e, 0x00, 0x00, 0x70, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 1}
	id2 = domain.ID{0x01, 0x93, 0x0c, 0x1e, 0x00, 0x00, 0x70, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 2}
	id3 = domain.ID{0x01, 0x93, 0x0c, 0x1e, 0x00, 0x00, 0x70, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 3}
)

var sampleDetails = client.Details{
	GivenName: "Ada", FamilyName: "Example", PreferredName: "Ade", DateOfBirth: "1990-05-17",
	Email: "ada@example.org", Phone: "+44 20 7946 0000",
	Address:          &client.Address{Lines: []string{"1 High Street"}, Locality: "Leeds", PostalCode: "LS1 1AA", Country: "GB"},
	EmergencyContact: &client.Contact{Name: "Grace Example", Relationship: "sister", Phone: "07700 900000"},
	PrimaryCare:      &client.PrimaryCare{Name: "Dr Jones", Practice: "Leeds Surgery", Phone: "0113 496 0000"},
}

// decoders maps each decoder to one sample of every event type it knows.
var decoders = []struct {
	name    string
	decode  domain.Decoder
	samples []domain.Event
}{
	{"practice", practice.Decode, []domain.Event{
		practice.PracticeOpened{PracticeID: id1, ConsentRule: practice.ConsentBlock, At: at},
		practice.StaffMemberAdded{UserID: id2, Role: domain.RoleTherapist, At: at},
		practice.StaffMemberLeft{UserID: id2, At: at},
		practice.ServiceTypeAdded{ServiceTypeID: id3, Code: "couples_therapy", Name: "Couples therapy", At: at},
		practice.ConsentTemplatePublished{ServiceTypeID: id3, Version: 2, Text: "I consent.", ContentHash: "d8c6ac8e9d1ec9f0ebb1d5ab4b8f6d9e4e0b1b5a16d1b59d0f7b9e1c8a1d2e3f", EffectiveFrom: at, At: at},
		practice.ConsentRuleSet{Rule: practice.ConsentWarn, At: at},
		practice.NoteTemplateAdded{TemplateID: id3, Name: "Intake", Fields: []practice.NoteField{{Key: "presenting_problem", Label: "Presenting problem", Required: true}, {Key: "risk", Label: "Risk"}}, At: at},
		practice.RetentionPeriodSet{Kind: practice.RecordGeneralAdult, Years: 7, At: at},
	}},
	{"client", client.Decode, []domain.Event{
		client.ClientRegistered{ClientID: id1, PracticeID: id2, TherapistID: id3, RecordKind: practice.RecordAdultMentalHealth, Details: sampleDetails, At: at},
		client.ClientDetailsRectified{Details: sampleDetails, Fields: []string{"phone"}, By: domain.RoleClient, At: at},
		client.ProcessingRestricted{Ground: client.RestrictAccuracyContested, At: at},
		client.ProcessingRestrictionLifted{At: at},
		client.ClientDischarged{EndedOn: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), At: at},
		client.ClientReadmitted{StartedOn: time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC), At: at},
		client.ConsentSigned{ServiceTypeID: id3, Version: 2, ContentHash: "d8c6ac8e9d1ec9f0ebb1d5ab4b8f6d9e4e0b1b5a16d1b59d0f7b9e1c8a1d2e3f", Method: client.SignedInPerson, Signer: client.SignerGuardian, GuardianName: "Parent Example", SignedAt: at, At: at},
		client.ConsentWithdrawn{ServiceTypeID: id3, By: domain.RoleClient, At: at},
		client.SharingConsentGiven{ConsentID: id2, Recipient: client.ThirdParty{Kind: "gp", Name: "Dr Jones", Organisation: "Leeds Surgery"}, Purpose: "care coordination", Expires: at.AddDate(1, 0, 0), Method: client.SignedPortal, SignedAt: at, At: at},
		client.SharingConsentWithdrawn{ConsentID: id2, By: domain.RoleTherapist, At: at},
		client.RecordTransferred{From: id2, To: id3, Basis: client.TransferByConsent, ConsentMethod: client.SignedPaperScanned, ConsentedAt: at, At: at},
		client.RecordArchived{From: id3, Reason: "therapist left the practice", At: at},
		client.RecordAccessed{By: domain.Actor{UserID: id3, Role: domain.RoleTherapist}, What: client.AccessNote, ID: id2, Purpose: "treatment", At: at},
		client.NoteWriteAuthorised{By: domain.Actor{UserID: id3, Role: domain.RoleTherapist}, What: client.AccessNote, NoteID: id2, Write: "NoteSigned", At: at},
		client.ErasureRequested{RequestID: id2, By: domain.RoleClient, Grounds: "no longer a client", At: at},
		client.ErasureApproved{RequestID: id2, At: at},
		client.ErasureRefused{RequestID: id2, Exemption: client.ExemptLegalClaims, Explanation: "complaint open", At: at},
		client.ErasureDeferred{RequestID: id2, Until: time.Date(2046, 3, 1, 0, 0, 0, 0, time.UTC), At: at},
	}},
	{"caseload", client.DecodeCaseload, []domain.Event{
		client.CaseloadClientAdded{ClientID: id1, At: at},
	}},
	{"note", note.Decode, []domain.Event{
		note.NoteDrafted{NoteID: id1, ClientID: id2, AuthorID: id3, Kind: note.KindProgress, TemplateID: practice.TemplateSOAP, AppointmentID: id3, Fields: map[string]string{"subjective": "feels better", "plan": "continue"}, At: at},
		note.NoteRevised{NoteID: id1, Fields: map[string]string{"subjective": "feels much better"}, At: at},
		note.NoteSigned{NoteID: id1, SignedBy: id3, ContentHash: "0b9e1c8a1d2e3fd8c6ac8e9d1ec9f0ebb1d5ab4b8f6d9e4e0b1b5a16d1b59d0f", At: at},
		note.NoteAddendumAdded{NoteID: id1, AddendumID: id2, AuthorID: id3, Text: "correction: the plan is weekly", At: at},
	}},
}

// TestGoldenPayloads pins the JSON of every clinical event type. Changing an event's shape is a
// decision: rerun with -update and review the diff.
func TestGoldenPayloads(t *testing.T) {
	for _, d := range decoders {
		for _, ev := range d.samples {
			t.Run(ev.EventType(), func(t *testing.T) {
				got, err := json.MarshalIndent(ev, "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, '\n')
				path := filepath.Join(goldenDir, ev.EventType()+".json")
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
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("%s changed:\n got: %s\nwant: %s", path, got, want)
				}
				back, err := d.decode(ev.EventType(), 1, want)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(back, ev) {
					t.Fatalf("round trip: got %#v, want %#v", back, ev)
				}
			})
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		typ     string
		version int
		payload string
		code    string
	}{
		{"unknown type", "NoteShredded", 1, `{}`, "invalid_event_type"},
		{"unknown schema version", "NoteSigned", 2, `{}`, "invalid_schema_version"},
		{"unknown field", "NoteSigned", 1, `{"note_id":"01930c1e-0000-7000-8000-000000000001","extra":1}`, "invalid_payload"},
		{"trailing data", "NoteSigned", 1, `{} {}`, "invalid_payload"},
		{"not JSON", "NoteSigned", 1, `\x00`, "invalid_payload"},
		{"bad id", "NoteSigned", 1, `{"note_id":"nope"}`, "invalid_payload"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := note.Decode(tt.typ, tt.version, []byte(tt.payload))
			var e *domain.Error
			if !errors.As(err, &e) || e.Code != tt.code {
				t.Fatalf("err %v, want code %s", err, tt.code)
			}
		})
	}
}

// FuzzDecode feeds arbitrary bytes to every clinical decoder under every known type: it must
// return an event or an ErrInvalid error, never panic.
func FuzzDecode(f *testing.F) {
	for _, d := range decoders {
		for _, ev := range d.samples {
			b, err := os.ReadFile(filepath.Join(goldenDir, ev.EventType()+".json"))
			if err != nil {
				f.Fatal(err)
			}
			f.Add(ev.EventType(), 1, b)
		}
	}
	f.Add("ClientRegistered", 1, []byte(`{"details":{"address":{"lines":null}}}`))
	f.Add("NoteDrafted", 1, []byte(`{"fields":{"a":1}}`))
	f.Fuzz(func(t *testing.T, typ string, version int, payload []byte) {
		for _, d := range decoders {
			ev, err := d.decode(typ, version, payload)
			if (ev == nil) == (err == nil) {
				t.Fatalf("%s: event %v and error %v", d.name, ev, err)
			}
			if err != nil && domain.KindOf(err) != domain.KindInvalid {
				t.Fatalf("%s: error of kind %q: %v", d.name, domain.KindOf(err), err)
			}
		}
	})
}
