// Package eventstoretest is the conformance suite every eventstore.Store passes: the memory store,
// the PostgreSQL store and the KurrentDB store run the same tests, so they keep the same contract.
//
// Call Run from a test with a constructor that returns a fresh, empty store for each subtest.
package eventstoretest
