package projections

import (
	"context"
	"sync"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
)

// opened is one event of a batch opened and decoded at most once however many projectors apply
// it: a rebuild of every projector reads the log once and shares each batch. It is safe for
// concurrent use; the decoded event is shared read-only.
type opened struct {
	openOnce sync.Once
	payload  []byte
	erased   bool
	openErr  error

	decodeOnce sync.Once
	event      domain.Event
	decodeErr  error
}

// openEvent returns the plaintext payload of a sealed event (or the payload itself when it is not
// sealed). erased is true, with a nil error, when the subject's key was shredded: the event's
// personal data no longer exists and projects to nothing.
func (t Tx) openEvent(ctx context.Context, keys Keys, e *eventstore.RecordedEvent) (payload []byte, erased bool, err error) {
	if t.opened == nil {
		return openEvent(ctx, keys, e)
	}
	o := t.opened
	o.openOnce.Do(func() { o.payload, o.erased, o.openErr = openEvent(ctx, keys, e) })
	return o.payload, o.erased, o.openErr
}

// decode opens e and decodes it with dec; erased is true when its subject's key was shredded. An
// event type belongs to one package, so every projector decodes a given event with the same
// decoder, and the decoded event is shared.
func (t Tx) decode(ctx context.Context, keys Keys, e *eventstore.RecordedEvent, dec domain.Decoder) (domain.Event, bool, error) {
	payload, erased, err := t.openEvent(ctx, keys, e)
	if err != nil || erased {
		return nil, erased, err
	}
	if t.opened == nil {
		ev, err := dec(e.Type, e.SchemaVersion, payload)
		return ev, false, err
	}
	o := t.opened
	o.decodeOnce.Do(func() { o.event, o.decodeErr = dec(e.Type, e.SchemaVersion, payload) })
	return o.event, false, o.decodeErr
}

// opened returns the shared opening of the batch's event i, or nil when the batch shares none.
func (b Batch) opened(i int) *opened {
	if b.shared == nil {
		return nil
	}
	return &b.shared[i]
}
