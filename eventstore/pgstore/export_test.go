package pgstore

// AppendSQL and AppendArgs let black-box tests call event_log_append inside a transaction they
// hold open, to reproduce the late-commit hazard.
const AppendSQL = appendSQL

var AppendArgs = appendArgs

// DecodeRow lets the fuzz test feed arbitrary column bytes to the binary row decoder.
var DecodeRow = decodeRow
