package eventstore_test

import (
	"testing"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/eventstoretest"
)

func TestMemoryConformance(t *testing.T) {
	t.Parallel()
	eventstoretest.Run(t, func(testing.TB) eventstore.Store { return eventstore.NewMemory() })
}
