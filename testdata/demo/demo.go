// Package demo holds the demo practice that `caseledger serve --demo` and `caseledger demo` seed:
// a fictional practice whose people, addresses and notes are invented. Its emails use the reserved
// example.org domain.
package demo

import _ "embed"

// PracticeJSON is testdata/demo/practice.json, embedded.
//
//go:embed practice.json
var PracticeJSON []byte
