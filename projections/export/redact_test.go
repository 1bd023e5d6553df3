package export_test

import (
	"testing"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/sar"
	"github.com/caseledger/caseledger/projections/export"
)

// TestRedact applies each review decision to each kind of item the review can name, on a record
// built in memory, and checks what is kept, removed, counted and blanked.
func TestRedact(t *testing.T) {
	t.Parallel()
	noteID, apptID, shareID, other := fid(0xd1), fid(0xd2), fid(0xd3), fid(0xd4)
	record := func() *export.Record {
		return &export.Record{
			Notes: []export.Note{{ID: noteID, Fields: map[string]string{"body": "said X"},
				Versions: []export.NoteVersion{{Fields: map[string]string{"body": "said"}}},
				Addenda:  []export.Addendum{{Text: "and Y"}}}},
			Appointments: []export.Appointment{{ID: apptID, Location: "refuge",
				Changes: []export.AppointmentChange{{Kind: "cancelled", Reason: "partner"}}}},
			SharingConsents: []export.SharingConsent{{ID: shareID, RecipientName: "Dr Z", Purpose: "referral"}},
		}
	}
	decide := func(kind string, id domain.ID, a sar.Action) []sar.ItemDecision {
		return []sar.ItemDecision{{Item: sar.ItemRef{Kind: kind, ID: id}, Action: a}}
	}
	for _, tc := range []struct {
		name      string
		decisions []sar.ItemDecision
		check     func(*export.Record) bool
	}{
		{"no decisions change nothing", nil, func(r *export.Record) bool {
			return r.WithheldItems == 0 && r.Notes[0].Fields["body"] == "said X" && r.Appointments[0].Location == "refuge" && r.SharingConsents[0].Purpose == "referral"
		}},
		{"a decision on an item not held is ignored", decide(export.ItemNote, other, sar.ActionWithhold), func(r *export.Record) bool {
			return r.WithheldItems == 0 && len(r.Notes) == 1
		}},
		{"a decision names its kind", decide(export.ItemAppointment, noteID, sar.ActionWithhold), func(r *export.Record) bool {
			return r.WithheldItems == 0 && len(r.Notes) == 1 && len(r.Appointments) == 1
		}},
		{"withheld note", decide(export.ItemNote, noteID, sar.ActionWithhold), func(r *export.Record) bool {
			return r.WithheldItems == 1 && len(r.Notes) == 0 && len(r.Appointments) == 1 && len(r.SharingConsents) == 1
		}},
		{"withheld appointment", decide(export.ItemAppointment, apptID, sar.ActionWithhold), func(r *export.Record) bool {
			return r.WithheldItems == 1 && len(r.Appointments) == 0 && len(r.Notes) == 1
		}},
		{"withheld sharing consent", decide(export.ItemSharingConsent, shareID, sar.ActionWithhold), func(r *export.Record) bool {
			return r.WithheldItems == 1 && len(r.SharingConsents) == 0 && len(r.Notes) == 1
		}},
		{"redacted note", decide(export.ItemNote, noteID, sar.ActionRedact), func(r *export.Record) bool {
			n := r.Notes[0]
			return r.WithheldItems == 0 && n.Redacted && n.ID == noteID && n.Fields["body"] == export.RedactedText &&
				n.Versions[0].Fields["body"] == export.RedactedText && n.Addenda[0].Text == export.RedactedText
		}},
		{"redacted appointment", decide(export.ItemAppointment, apptID, sar.ActionRedact), func(r *export.Record) bool {
			a := r.Appointments[0]
			return r.WithheldItems == 0 && a.Redacted && a.Location == "" && a.Changes[0].Reason == "" && a.Changes[0].Kind == "cancelled"
		}},
		{"redacted sharing consent", decide(export.ItemSharingConsent, shareID, sar.ActionRedact), func(r *export.Record) bool {
			s := r.SharingConsents[0]
			return r.WithheldItems == 0 && s.ID == shareID && s.RecipientName == export.RedactedText && s.Purpose == export.RedactedText
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := record()
			export.Redact(r, tc.decisions)
			if !tc.check(r) {
				t.Fatalf("after Redact: %+v", r)
			}
		})
	}
}
