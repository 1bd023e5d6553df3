// Package kurrentdb is the event log on KurrentDB (EventStoreDB), through
// github.com/EventStore/EventStore-Client-Go/v4/esdb: the store for deployments that outgrow one
// PostgreSQL server.
//
// The contract maps directly: expected versions become KurrentDB expected revisions, positions
// are $all's (commit, prepare), and stream versions are event numbers. The envelope (everything
// but the event id, the type and the payload) travels in the event's metadata as JSON, with the
// hash chain, which the client computes with eventstore.Canonical before appending at exactly the
// revision it read, so a concurrent append can never break the chain.
//
// Limits: KurrentDB has no index of event ids across streams, so an event id reused in another
// stream is not refused (ErrDuplicateEvent is only returned within a stream); and there is no
// Verify here: read the streams and feed eventstore.ChainVerifier.
package kurrentdb
