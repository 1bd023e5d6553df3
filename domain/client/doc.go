// Package client holds the client aggregate: one person in therapy, as recorded in the stream
// "client-<client id>". Every event of that stream is sealed under the client's own key (the
// client is the data subject of the whole stream), so crypto-shredding the client destroys all of
// it at once, while stream ids, versions and metadata keep only ids.
//
// The stream records registration and rectified details (UK GDPR Art. 16), restriction of
// processing (Art. 18), discharge, consent to treatment per service type, consent to share with
// named third parties, custody of the record (which therapist holds it, and transfers), every read
// of clinical data (RecordAccessed), and erasure requests with the DPO's decision.
//
// # Who may do what
//
// A client's record is held by exactly one therapist at a time (or by nobody once archived). A
// therapist who does not hold the record, or a client acting on another client, gets a
// KindNotFound error, as if the record did not exist. Roles that may never take an action get
// KindForbidden. Errors carry ids and codes, never personal data.
//
// # Restriction
//
// A client whose processing is restricted (Art. 18) is kept but not used: the consent check used
// by booking refuses them, and no note may be drafted, revised, signed or amended. Reads stay
// possible and audited, and the DPO can lift the restriction.
package client
