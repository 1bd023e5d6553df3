// Package pgstore is the PostgreSQL event log, the default eventstore.Store. The schema comes from
// migrations/0002_event_log.sql; docs/ledger-format.md specifies the hash chain.
//
// Appends are one round trip, one statement: for one event a plain prepared statement, for a
// batch the function event_log_append (migrations/0003); both check the expected version against
// the stream's head, chain the hashes and insert. Two appends racing for one version
// meet on the unique (stream_id, version) constraint; the loser gets ErrWrongExpectedVersion (or,
// for Any and StreamExists, retries). There is no global lock: concurrent appends to different
// streams commit in parallel.
//
// Global order is (tx_order, position): the id of the writing transaction (plus an offset that
// only changes after a restore into a new cluster) and the row's identity. Readers see an event
// only once every transaction older than the oldest one still running has finished, so a reader
// never passes an event that commits later. A long transaction in the same database delays (never
// reorders) what ReadAll shows; transactions seen running in other databases are left out.
//
// ReadStream is one statement without the horizon: a stream's versions are contiguous and version
// N is only written by a statement that saw N-1 committed, so every snapshot sees a prefix of it.
//
// Tail wakes on in-process signals and on LISTEN/NOTIFY from other processes (sent after the
// append commits, coalesced to one per NotifyInterval, never inside the append), re-reads with
// back-off while committed events wait behind the horizon, and polls every PollInterval as a
// safety net.
//
// After a logical restore into a new cluster, New (or Realign) raises the transaction id offset so
// that new events still sort after the restored ones.
package pgstore
