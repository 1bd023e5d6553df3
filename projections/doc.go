// Package projections turns the event log into read models: PostgreSQL tables under row-level
// security that the request path reads as caseledger_reader, one policy per table keyed on the
// request's user and role.
//
// An Engine runs every Projector as a handler of a Watermill router. The router is fed by a
// message.Subscriber that tails the event store itself (Store.Tail) from each projector's checkpoint: there
// is one log and no second copy of it. A Watermill message carries a batch of events. A projector
// applies a batch and advances its checkpoint in one PostgreSQL transaction, with a compare-and-set
// on the previous position, so stopping the process at any instant neither loses nor doubles an
// effect. A projector that cannot apply an event stops, records the event id and the error in its
// checkpoint (Engine.Status shows it), and never skips the event.
//
// Every read-model row belongs to a generation of its projection. Rebuild fills a new generation
// from the start of the log while the active one keeps serving reads, then switches generations and
// deletes the old rows in one transaction. A running Engine notices the switch and carries on from
// the new generation's checkpoint.
//
// Reader opens read transactions as a domain.Actor (set_config of caseledger.user_id and
// caseledger.role, local to the transaction): the database, not the caller's WHERE clause, decides
// which rows the actor sees. Personal data in read models is sealed under the client's key and
// opened by Reader only for callers entitled to it; lists are decrypted and sorted in the
// application.
package projections
