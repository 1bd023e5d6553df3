// Package export builds what a data subject is given back: the subject access request export
// (UK GDPR Art. 15, HIPAA 164.524) and its machine-readable portability part (Art. 20), and the
// auditors' replay of a client's record as it stood at any time.
//
// Collect reads a client's streams straight from the event log (the record, progress notes,
// appointments, retention reviews, erasure proofs), opens each payload under the client's key and
// folds the history into a Record: details, consents, custody, appointments, notes and the access
// log. Psychotherapy notes are left out unless asked for (HIPAA 164.524(a)(1)(i)). An event whose
// key was shredded is shown as erased, never as ciphertext. With an as-of time only events recorded
// at or before it are folded, which is how Replay reconstructs history.
//
// A Record is rendered as JSON (the documented schema in schema/sar-export.schema.json and
// docs/sar.md), as an HTML report (html/template, every value escaped) and as a FHIR R4 Bundle
// (Patient, Consent, Appointment, DocumentReference, AuditEvent, Provenance). A clinician's review
// decisions (withhold or redact an item) are applied by Redact before any rendering.
//
// The package reads; it never appends. The commands that call it append the RecordAccessed event
// first (reading clinical data is itself an event).
package export
