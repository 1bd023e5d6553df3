// Package note holds session notes: a client's notebook of progress notes, and a separate
// notebook of psychotherapy notes (HIPAA 45 CFR 164.501).
//
// # Where notes live
//
// Progress notes live in "notes-<client id>" and psychotherapy notes in
// "psychotherapynotes-<client id>": two streams, so psychotherapy notes are kept apart from the
// record and are never part of an export that reads the client's record and progress notes. Both
// streams are sealed under the client's key (the client is the data subject), so erasing the
// client shreds every note. Reads are audited in the client's own stream (client.RecordAccessed).
//
// # Lifecycle
//
// A note is drafted (from a template: SOAP, DAP, BIRP or the practice's own), revised while a
// draft, then signed. A signed note is immutable: corrections are addenda, each its own event with
// author and time. Every version of a draft stays in the history.
//
// # Who may read and write
//
// Only the therapist who holds the client's record writes notes. A progress note is readable by
// the therapist who holds the record: its author, or after a transfer the receiving therapist (the
// previous holder loses access). A psychotherapy note is readable by its author only, and only
// while the author holds the record. Practice managers, admins, DPOs and auditors never read note
// content through these rules (KindForbidden); errors carry ids and codes, never content.
package note
