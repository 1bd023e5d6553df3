package export

import (
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/sar"
)

// RedactedText replaces the text of a redacted item.
const RedactedText = "[redacted after clinical review]"

// The item kinds a review can name (sar.ItemRef.Kind).
const (
	ItemNote           = "note"
	ItemAppointment    = "appointment"
	ItemSharingConsent = "sharing_consent"
)

// Redact applies a clinician's review decisions to r in place: a withheld note, appointment or
// sharing consent is removed and counted in WithheldItems; a redacted note keeps its ids, dates and
// status but every field, version and addendum text is replaced by RedactedText; a redacted
// appointment loses its location and change reasons; a redacted sharing consent loses its
// recipient's name and purpose. Decisions naming items r does not hold are ignored (the item may
// have been excluded, such as a psychotherapy note).
func Redact(r *Record, decisions []sar.ItemDecision) {
	act := map[sar.ItemRef]sar.Action{}
	for _, d := range decisions {
		act[d.Item] = d.Action
	}
	if len(act) == 0 {
		return
	}
	r.Notes = review(r, act, ItemNote, r.Notes, func(n Note) domain.ID { return n.ID }, redactNote)
	r.Appointments = review(r, act, ItemAppointment, r.Appointments, func(a Appointment) domain.ID { return a.ID }, redactAppointment)
	r.SharingConsents = review(r, act, ItemSharingConsent, r.SharingConsents, func(s SharingConsent) domain.ID { return s.ID },
		func(s *SharingConsent) { s.RecipientName, s.Purpose = RedactedText, RedactedText })
}

// review returns items, filtered in place, without those act withholds (counted in
// r.WithheldItems) and with redact applied to those it redacts; kind and id name an item as a
// decision does.
func review[T any](r *Record, act map[sar.ItemRef]sar.Action, kind string, items []T, id func(T) domain.ID, redact func(*T)) []T {
	kept := items[:0]
	for _, it := range items {
		switch act[sar.ItemRef{Kind: kind, ID: id(it)}] {
		case sar.ActionWithhold:
			r.WithheldItems++
			continue
		case sar.ActionRedact:
			redact(&it)
		}
		kept = append(kept, it)
	}
	return kept
}

func redactAppointment(a *Appointment) {
	a.Location, a.Redacted = "", true
	changes := make([]AppointmentChange, len(a.Changes))
	for i, ch := range a.Changes {
		ch.Reason = ""
		changes[i] = ch
	}
	a.Changes = changes
}

func redactNote(n *Note) {
	n.Redacted = true
	n.Fields = redactFields(n.Fields)
	versions := make([]NoteVersion, len(n.Versions))
	for i, v := range n.Versions {
		versions[i] = NoteVersion{Fields: redactFields(v.Fields), At: v.At}
	}
	n.Versions = versions
	addenda := make([]Addendum, len(n.Addenda))
	for i, a := range n.Addenda {
		a.Text = RedactedText
		addenda[i] = a
	}
	n.Addenda = addenda
}

func redactFields(f map[string]string) map[string]string {
	out := make(map[string]string, len(f))
	for k := range f {
		out[k] = RedactedText
	}
	return out
}
