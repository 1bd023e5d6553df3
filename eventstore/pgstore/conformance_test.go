package pgstore_test

import (
	"testing"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/eventstoretest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	eventstoretest.Run(t, func(tb testing.TB) eventstore.Store {
		s, _ := newStore(tb)
		return s
	})
}
