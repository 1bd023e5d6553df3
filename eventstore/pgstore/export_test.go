package pgstore

// AppendStatement lets black-box tests run the store's append statement inside a transaction they
// hold open, to reproduce the late-commit hazard.
var AppendStatement = appendStatement

// DecodeRow lets the fuzz test feed arbitrary column bytes to the binary row decoder.
var DecodeRow = decodeRow
