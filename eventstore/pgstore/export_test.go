package pgstore

import (
	"context"

	"github.com/caseledger/caseledger/eventstore"
)

// AppendStatement lets black-box tests run the store's append statement inside a transaction they
// hold open, to reproduce the late-commit hazard.
var AppendStatement = appendStatement

// DecodeRow lets the fuzz test feed arbitrary column bytes to the binary row decoder.
var DecodeRow = decodeRow

// HiddenSQL is the statement behind hidden, and Hidden is hidden, for the probe's test.
var HiddenSQL = hiddenSQL

func (s *Store) Hidden(ctx context.Context, from eventstore.Position) (bool, error) {
	return s.hidden(ctx, from)
}
