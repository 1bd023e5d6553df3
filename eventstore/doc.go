// Package eventstore holds the event log contract (Store), the types every implementation shares,
// and the implementations: PostgreSQL (the default), KurrentDB, and an in-memory double for fast
// unit tests. The conformance suite in eventstoretest is run against each of them.
//
// The log is append-only and hash-chained per stream; docs/ledger-format.md specifies the bytes.
package eventstore
