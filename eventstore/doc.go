// Package eventstore holds the event log contract (Store), the types every implementation shares,
// and the implementations: PostgreSQL (the default, package pgstore), KurrentDB (package
// kurrentdb), and an in-memory double for fast unit tests (NewMemory). The conformance suite in
// eventstoretest is run against each of them.
//
// The log is append-only and hash-chained per stream. Canonical and ChainHash define the hash,
// once for every store; docs/ledger-format.md specifies the bytes, and ChainVerifier checks a
// chain. ValidateAppend is the input check every store applies before writing anything.
package eventstore
