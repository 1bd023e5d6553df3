package commands_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
)

// countingSealer counts the payloads it opens.
type countingSealer struct {
	commands.Sealer
	opened atomic.Int64
}

func (s *countingSealer) Open(ctx context.Context, e eventstore.RecordedEvent) ([]byte, error) {
	s.opened.Add(1)
	return s.Sealer.Open(ctx, e)
}

// TestLoadClientDecryptsOnlyNewEvents loads a client with a long history of audited reads twice:
// the second load opens only the event appended in between and the newest cached one (to prove the
// key still exists), and rebuilds the same record.
func TestLoadClientDecryptsOnlyNewEvents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newClinic(t)
	cl := c.register(t, c.alice)
	c.sign(t, cl, 1)
	audit := commands.NewAuditRecordReadHandler(c.deps)
	const reads = 50
	for range reads {
		must(t, audit.Handle(ctx, c.alice, commands.AuditRecordRead{ClientID: cl, What: "record", Purpose: "treatment"}))
	}
	sealer := &countingSealer{Sealer: c.deps.Sealer}
	d := c.deps
	d.Sealer = sealer

	_, first, err := commands.LoadClient(ctx, d, cl)
	must(t, err)
	must(t, audit.Handle(ctx, c.alice, commands.AuditRecordRead{ClientID: cl, What: "record", Purpose: "treatment"}))
	sealer.opened.Store(0)
	got, second, err := commands.LoadClient(ctx, d, cl)
	must(t, err)
	if n := sealer.opened.Load(); n > 2 {
		t.Fatalf("second load opened %d payloads, want at most 2 (the new event and the key check)", n)
	}
	if second.Version != first.Version+1 || len(second.Events) != len(first.Events)+1 {
		t.Fatalf("second load at %d with %d events, first at %d with %d", second.Version, len(second.Events), first.Version, len(first.Events))
	}
	if !got.HeldBy(c.alice.UserID) {
		t.Fatal("cached record lost its holder")
	}
}

// TestLoadClientAfterErasureIsNeverServedFromMemory warms the cache with a client, shreds the
// client's key and loads again: the load fails with client_erased, in every process that had the
// record cached.
func TestLoadClientAfterErasureIsNeverServedFromMemory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newClinic(t)
	cl := c.register(t, c.alice)
	_, _, err := commands.LoadClient(ctx, c.deps, cl)
	must(t, err)
	req, err := commands.NewRequestErasureHandler(c.deps).Handle(ctx, c.dpo, commands.RequestErasure{ClientID: cl})
	must(t, err)
	_, _, err = commands.LoadClient(ctx, c.deps, cl)
	must(t, err)
	// Shred directly, without any event passing through the client stream's commands.
	must(t, keyringShredder(c.keys).Shred(ctx, cl, commands.ShredOrder{RequestID: req, Stream: commands.ClientStream(cl), Actor: c.dpo}))
	_, _, err = commands.LoadClient(ctx, c.deps, cl)
	wantKind(t, err, domain.KindErased, "client_erased")
}
