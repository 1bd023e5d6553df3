// Package sar holds the data-subject-rights workflows the DPO runs: subject access requests
// (UK GDPR Art. 15, HIPAA 164.524), the retention review queue, and the PII-free proof that an
// approved erasure took effect. It imports only the standard library and reads no clock.
//
// A subject access request is an event-sourced aggregate (Request) in the stream "sar-<request
// uuid>". Its payloads are sealed under the client's key because reasons are free text; erasing
// the client therefore makes the request's reasons unreadable while the log keeps its envelope.
//
// Deadlines are counted in calendar dates (Date), never in instants: the caller converts instants
// to a date in the request's IANA time zone (Rules.TimeZone, kept by the request). Each request
// follows a Regime. Under UK GDPR, one calendar month is the same date next month, clamped to the
// end of a shorter month (31 January -> 28 or 29 February); the clock starts when the request is
// received with identity verified, or on the date identity is verified; a later request for
// identity or clarification stops it, and the days it stood still are added to the deadline.
// Under HIPAA 164.524 the deadline is 30 days after receipt with no stops, extendable once by up
// to 30 days in writing. A practice's Rules live in the plaintext stream "sarrules-<practice
// uuid>" (SARRulesSet); without any, requests follow UK GDPR in UTC.
package sar
