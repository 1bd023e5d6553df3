// Package practice holds the practice aggregate: its staff (ids and roles, never names), service
// types, versioned consent form templates, the consent rule, session-note templates and retention
// periods.
//
// A practice is one stream, "practice-<practice id>". Its events hold no personal data and are
// stored in plaintext: staff appear only as user ids with a role. Consent form texts and note
// templates are the practice's own documents, not data about a person.
//
// Every method that decides something validates its input, applies the resulting event to the
// aggregate and returns it; the caller appends it. Methods never read a clock: times are passed in.
package practice
