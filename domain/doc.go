// Package domain holds Caseledger's aggregates, events and rules. It imports only the standard
// library, does no I/O and reads no clock: time is passed in.
//
// This root package holds what every aggregate shares: identifiers, actors and their roles, and
// typed errors. Aggregates live in subpackages by area.
package domain
