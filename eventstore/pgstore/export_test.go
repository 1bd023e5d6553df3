package pgstore

import (
	"context"

	"github.com/caseledger/caseledger/eventstore"
)

// AppendStatement lets black-box tests run the store's append statement inside a transaction they
// hold open, to reproduce the late-commit hazard.
var AppendStatement = appendStatement

// RowDecoder lets the fuzz test feed arbitrary column bytes to the binary row decoder: it returns
// the decoder of one query's rows, which share an arena.
func RowDecoder() func(raw [][]byte, r *eventstore.RecordedEvent) error {
	var a rowArena
	return a.decodeRow
}

// HiddenSQL is the statement behind hidden, and Hidden is hidden, for the probe's test.
var HiddenSQL = hiddenSQL

func (s *Store) Hidden(ctx context.Context, from eventstore.Position) (bool, error) {
	return s.hidden(ctx, from)
}
