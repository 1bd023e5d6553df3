package export

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/domain"
)

// fhirNamespace makes the ids of FHIR resources that have no id of their own (consents, audit
// events, the provenance): name-based UUIDs, so equal records give equal bundles.
var fhirNamespace = uuid.MustParse("8f0c6b2e-37a4-4c55-9a8e-5f7f4e0b1d2a")

type obj = map[string]any

// FHIR returns r as a FHIR R4 Bundle of type collection (JSON): a Patient, a Consent per consent to
// treatment or to share, an Appointment per appointment, a DocumentReference per note
// (psychotherapy notes carry the PSYTHPN security label, redacted ones REDACTED), an AuditEvent per
// read of the record, and one Provenance naming the export. References to staff point at
// Practitioner/<user id>, which the bundle does not contain. An erased record gives a bundle with
// the Patient's id only.
func FHIR(r *Record) ([]byte, error) {
	patient := "urn:uuid:" + r.ClientID.String()
	var entries []obj
	add := func(id string, res obj) {
		res["id"] = id
		entries = append(entries, obj{"fullUrl": "urn:uuid:" + id, "resource": res})
	}
	add(r.ClientID.String(), fhirPatient(r))
	for i, c := range r.Consents {
		res := fhirConsent(patient, "treatment", "Treatment", c.SignedAt, c.WithdrawnAt)
		res["policy"] = []obj{{"uri": fmt.Sprintf("urn:caseledger:consent-template:%s:%d", c.ServiceTypeID, c.Version)}}
		res["provision"] = obj{"type": "permit", "period": period(c.SignedAt, c.WithdrawnAt)}
		add(derivedID(r.ClientID, "consent", i), res)
	}
	for _, s := range r.SharingConsents {
		res := fhirConsent(patient, "patient-privacy", "Privacy Consent", s.SignedAt, s.WithdrawnAt)
		res["policyRule"] = obj{"text": s.Purpose}
		res["provision"] = obj{"type": "permit", "period": period(s.SignedAt, expiryOrWithdrawal(s)),
			"actor": []obj{{
				"role":      coding("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP", "information recipient"),
				"reference": obj{"display": s.RecipientName + " (" + s.RecipientKind + ")"},
			}}}
		add(s.ID.String(), res)
	}
	for _, a := range r.Appointments {
		res := obj{
			"resourceType": "Appointment",
			"status":       appointmentStatus(a.Status),
			"serviceType":  []obj{{"text": "service type " + a.ServiceTypeID.String()}},
			"start":        instant(a.Start),
			"end":          instant(a.End),
			"participant": []obj{
				{"actor": obj{"reference": patient}, "status": "accepted"},
				{"actor": obj{"reference": "Practitioner/" + a.TherapistID.String()}, "status": "accepted"},
			},
		}
		if a.Location != "" {
			res["description"] = a.Location
		}
		add(a.ID.String(), res)
	}
	var targets []obj
	for _, n := range r.Notes {
		res := obj{
			"resourceType": "DocumentReference",
			"status":       "current",
			"docStatus":    docStatus(n.Status),
			"type":         obj{"text": n.Kind + " note"},
			"subject":      obj{"reference": patient},
			"author":       []obj{{"reference": "Practitioner/" + n.AuthorID.String()}},
			"content": []obj{{"attachment": obj{
				"contentType": "text/plain; charset=utf-8",
				"data":        base64.StdEncoding.EncodeToString([]byte(noteText(n))),
				"title":       n.Kind + " note " + n.ID.String(),
			}}},
		}
		if n.SignedAt != nil {
			res["date"] = instant(*n.SignedAt)
		} else if len(n.Versions) > 0 {
			res["date"] = instant(n.Versions[len(n.Versions)-1].At)
		}
		var labels []obj
		if n.Kind == "psychotherapy" {
			labels = append(labels, code("http://terminology.hl7.org/CodeSystem/v3-ActCode", "PSYTHPN", "psychotherapy note information sensitivity"))
		}
		if n.Redacted {
			labels = append(labels, code("http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "REDACTED", "redacted"))
		}
		if labels != nil {
			res["securityLabel"] = []obj{{"coding": labels}}
		}
		if !n.AppointmentID.IsZero() {
			res["context"] = obj{"encounter": []obj{{"display": "appointment " + n.AppointmentID.String()}}}
		}
		add(n.ID.String(), res)
		targets = append(targets, obj{"reference": "urn:uuid:" + n.ID.String()})
	}
	for i, a := range r.AccessLog {
		res := obj{
			"resourceType":   "AuditEvent",
			"type":           code("http://dicom.nema.org/resources/ontology/DCM", "110110", "Patient Record"),
			"action":         "R",
			"recorded":       instant(a.At),
			"outcome":        "0",
			"purposeOfEvent": []obj{{"text": a.Purpose}},
			"agent": []obj{{
				"who":       accessor(a, patient),
				"requestor": true,
			}},
			"source": obj{"observer": obj{"display": "Caseledger"}},
			"entity": []obj{{"what": obj{"reference": patient}, "description": accessDescription(a)}},
		}
		add(derivedID(r.ClientID, "access", i), res)
	}
	targets = append([]obj{{"reference": patient}}, targets...)
	add(derivedID(r.ClientID, "provenance", 0), obj{
		"resourceType": "Provenance",
		"target":       targets,
		"recorded":     instant(r.GeneratedAt),
		"activity":     obj{"text": "subject access export"},
		"agent":        []obj{{"who": obj{"display": "Caseledger"}}},
	})
	bundle := obj{
		"resourceType": "Bundle",
		"id":           derivedID(r.ClientID, "bundle", 0),
		"type":         "collection",
		"timestamp":    instant(r.GeneratedAt),
		"entry":        entries,
	}
	b, err := json.MarshalIndent(bundle, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("export: encode FHIR bundle %s: %w", r.ClientID, err)
	}
	return append(b, '\n'), nil
}

func fhirPatient(r *Record) obj {
	res := obj{"resourceType": "Patient"}
	p := r.Person
	if p == nil {
		return res
	}
	name := obj{"use": "official", "family": p.FamilyName, "given": []string{p.GivenName}}
	names := []obj{name}
	if p.PreferredName != "" {
		names = append(names, obj{"use": "usual", "given": []string{p.PreferredName}})
	}
	res["name"] = names
	if p.DateOfBirth != "" {
		res["birthDate"] = p.DateOfBirth
	}
	var telecom []obj
	if p.Email != "" {
		telecom = append(telecom, obj{"system": "email", "value": p.Email})
	}
	if p.Phone != "" {
		telecom = append(telecom, obj{"system": "phone", "value": p.Phone})
	}
	if telecom != nil {
		res["telecom"] = telecom
	}
	if p.Address != nil {
		res["address"] = []obj{fhirAddress(p.Address)}
	}
	var contacts []obj
	if c := p.EmergencyContact; c != nil {
		contacts = append(contacts, fhirContact(c.Name, c.Phone, c.Email, coding("http://terminology.hl7.org/CodeSystem/v2-0131", "C", "Emergency Contact")))
	}
	if g := p.PrimaryCare; g != nil {
		contacts = append(contacts, fhirContact(strings.TrimSpace(g.Name+" "+g.Practice), g.Phone, "", obj{"text": "primary care provider"}))
	}
	if contacts != nil {
		res["contact"] = contacts
	}
	return res
}

func fhirContact(name, phone, email string, relationship obj) obj {
	c := obj{"relationship": []obj{relationship}, "name": obj{"text": name}}
	var telecom []obj
	if phone != "" {
		telecom = append(telecom, obj{"system": "phone", "value": phone})
	}
	if email != "" {
		telecom = append(telecom, obj{"system": "email", "value": email})
	}
	if telecom != nil {
		c["telecom"] = telecom
	}
	return c
}

// fhirConsent returns the parts every Consent resource of the export shares: its scope (a code of
// the HL7 consent-scope system), status, patient, category and signing time.
func fhirConsent(patient, scope, scopeDisplay string, signedAt time.Time, withdrawnAt *time.Time) obj {
	return obj{
		"resourceType": "Consent",
		"status":       activeUnless(withdrawnAt),
		"scope":        coding("http://terminology.hl7.org/CodeSystem/consentscope", scope, scopeDisplay),
		"category":     []obj{coding("http://loinc.org", "59284-0", "Patient Consent")},
		"patient":      obj{"reference": patient},
		"dateTime":     instant(signedAt),
	}
}

func fhirAddress(a *Address) obj {
	out := obj{}
	if len(a.Lines) > 0 {
		out["line"] = a.Lines
	}
	for k, v := range map[string]string{"city": a.Locality, "state": a.Region, "postalCode": a.PostalCode, "country": a.Country} {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// code is a FHIR Coding; coding wraps one in a CodeableConcept.
func code(system, c, display string) obj { return obj{"system": system, "code": c, "display": display} }
func coding(system, c, display string) obj {
	return obj{"coding": []obj{code(system, c, display)}}
}

func instant(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func period(start time.Time, end *time.Time) obj {
	p := obj{"start": instant(start)}
	if end != nil {
		p["end"] = instant(*end)
	}
	return p
}

func activeUnless(withdrawn *time.Time) string {
	if withdrawn != nil {
		return "inactive"
	}
	return "active"
}

func expiryOrWithdrawal(s SharingConsent) *time.Time {
	if s.WithdrawnAt != nil {
		return s.WithdrawnAt
	}
	e := s.Expires
	return &e
}

func appointmentStatus(s string) string {
	switch s {
	case "pending_approval":
		return "pending"
	case "completed":
		return "fulfilled"
	case "no_show":
		return "noshow"
	case "cancelled", "late_cancelled", "declined", "booking_failed":
		return "cancelled"
	default:
		return "booked"
	}
}

func docStatus(s string) string {
	if s == "signed" {
		return "final"
	}
	return "preliminary"
}

// noteText renders a note's current fields (in name order) and addenda as plain text.
func noteText(n Note) string {
	var b strings.Builder
	keys := make([]string, 0, len(n.Fields))
	for k := range n.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s:\n%s\n\n", k, n.Fields[k])
	}
	for _, a := range n.Addenda {
		fmt.Fprintf(&b, "Addendum %s (%s):\n%s\n\n", a.ID, instant(a.At), a.Text)
	}
	return b.String()
}

// accessor references who read the record: the patient themself through the portal, or a member
// of staff as Practitioner/<user id>.
func accessor(a Access, patient string) obj {
	display := "user " + a.UserID.String() + " as " + a.Role
	if a.Role == string(domain.RoleClient) {
		return obj{"reference": patient, "display": display}
	}
	return obj{"reference": "Practitioner/" + a.UserID.String(), "display": display}
}

func accessDescription(a Access) string {
	if a.ItemID.IsZero() {
		return a.What
	}
	return a.What + " " + a.ItemID.String()
}

// derivedID returns a stable UUID for the index-th resource of kind in client's bundle.
func derivedID(client domain.ID, kind string, index int) string {
	return uuid.NewSHA1(fhirNamespace, fmt.Appendf(nil, "%s/%s/%d", client, kind, index)).String()
}
