package commands

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/note"
	"github.com/caseledger/caseledger/domain/sar"
	"github.com/caseledger/caseledger/eventstore"
)

// ReadModelProbe counts the read-model rows that still refer to a data subject, by table. The
// projections' purge on SubjectErased must bring it to zero; the audit trail, which keeps PII-free
// facts by design, is not counted.
type ReadModelProbe interface {
	SubjectRows(ctx context.Context, subject domain.ID) (map[string]int64, error)
}

// EraseClient carries out an erasure request: approve it (when still open or deferred), shred the
// client's key, and prove it.
type EraseClient struct {
	ClientID  domain.ID
	RequestID domain.ID
}

// EraseClientHandler handles EraseClient. It is safe for concurrent use.
type EraseClientHandler struct {
	d        Deps
	decide   *DecideErasureHandler
	probe    ReadModelProbe
	purgeFor time.Duration
}

// NewEraseClientHandler returns a handler over d that shreds with shredder and checks the read
// models with probe, waiting up to purgeFor for the projectors to purge the subject. A nil probe
// makes the read-model check fail: an erasure is never proven without it.
func NewEraseClientHandler(d Deps, shredder Shredder, probe ReadModelProbe, purgeFor time.Duration) *EraseClientHandler {
	return &EraseClientHandler{d: d, decide: NewDecideErasureHandler(d, shredder), probe: probe, purgeFor: purgeFor}
}

// erasureSampleSize is how many sealed payloads the proof tries to open.
const erasureSampleSize = 3

// Handle approves the request and shreds the client's key (DecideErasure's rules: only the DPO;
// an approved request is shredded again, idempotently), then runs the checks of sar.ErasureVerified
// — the keyring refuses the subject (key gone), a sample of the client's sealed payloads no longer
// opens, and no read-model row refers to the client once the projectors have purged it (waiting
// up to purgeFor) — and appends the PII-free proof to "erasureproof-<request id>". It returns the
// proof; a failed check is reported in it (Passed false), not as an error.
func (h *EraseClientHandler) Handle(ctx context.Context, actor domain.Actor, cmd EraseClient) (sar.ErasureVerified, error) {
	err := h.decide.Handle(ctx, actor, DecideErasure{ClientID: cmd.ClientID, RequestID: cmd.RequestID, Decision: EraseApprove})
	if err != nil && !errors.Is(err, domain.ErrErased) {
		return sar.ErasureVerified{}, err
	}
	if errors.Is(err, domain.ErrErased) && actor.Role != domain.RoleDPO {
		return sar.ErasureVerified{}, domain.Forbidden("approve_erasure_forbidden", "only the DPO carries out an erasure")
	}
	checks := []sar.Check{h.keyGone(ctx, cmd.ClientID)}
	unreadable, err := h.payloadsUnreadable(ctx, cmd.ClientID)
	if err != nil {
		return sar.ErasureVerified{}, err
	}
	checks = append(checks, unreadable)
	empty, err := h.readModelsEmpty(ctx, cmd.ClientID)
	if err != nil {
		return sar.ErasureVerified{}, err
	}
	checks = append(checks, empty)
	proof := sar.NewErasureVerified(cmd.RequestID, cmd.ClientID, string(client.ErasureApproval), checks, h.d.Clock.Now().UTC())
	if _, err := appendEvents(ctx, h.d, ErasureProofStream(cmd.RequestID), eventstore.Any(), Envelope{Actor: actor}, proof); err != nil {
		return sar.ErasureVerified{}, err
	}
	return proof, nil
}

// keyGone asks the keyring to seal a probe for the subject: it must refuse, as no key may ever be
// minted again for an erased subject.
func (h *EraseClientHandler) keyGone(ctx context.Context, subject domain.ID) sar.Check {
	probe := eventstore.EventData{ID: uuid.New(), Type: "ErasureProbe", SchemaVersion: 1, Subject: uuid.UUID(subject), Payload: []byte(`{}`)}
	err := h.d.Sealer.Seal(ctx, ClientStream(subject), &probe)
	switch {
	case errors.Is(err, domain.ErrErased):
		return sar.Check{Name: sar.CheckKeyGone, Passed: true, Detail: "the keyring refuses to seal for the subject"}
	case err == nil:
		return sar.Check{Name: sar.CheckKeyGone, Detail: "the keyring still seals for the subject"}
	default:
		return sar.Check{Name: sar.CheckKeyGone, Detail: "the keyring failed with an unexpected error"}
	}
}

// payloadsUnreadable tries to open a sample of the subject's sealed payloads (the first, middle
// and last sealed event of the record and progress-note streams).
func (h *EraseClientHandler) payloadsUnreadable(ctx context.Context, subject domain.ID) (sar.Check, error) {
	var sealed []eventstore.RecordedEvent
	for _, stream := range []eventstore.StreamID{ClientStream(subject), NotesStream(subject, note.KindProgress)} {
		var from uint64
		for {
			recs, err := h.d.Log.ReadStream(ctx, stream, from, readBatch)
			if errors.Is(err, eventstore.ErrStreamNotFound) {
				break
			}
			if err != nil {
				return sar.Check{}, fmt.Errorf("erasure proof: read %s: %w", stream, err)
			}
			for _, r := range recs {
				if r.Subject != uuid.Nil {
					sealed = append(sealed, r)
				}
			}
			if len(recs) < readBatch {
				break
			}
			from = recs[len(recs)-1].Version + 1
		}
	}
	if len(sealed) == 0 {
		return sar.Check{Name: sar.CheckPayloadUnreadable, Passed: true, Detail: "no sealed payload exists"}, nil
	}
	sample := []eventstore.RecordedEvent{sealed[0], sealed[len(sealed)/2], sealed[len(sealed)-1]}[:min(erasureSampleSize, len(sealed))]
	var opened []string
	for _, r := range sample {
		if _, err := h.d.Sealer.Open(ctx, r); !errors.Is(err, domain.ErrErased) {
			opened = append(opened, fmt.Sprintf("%s@%d", r.StreamID, r.Version))
		}
	}
	if len(opened) > 0 {
		return sar.Check{Name: sar.CheckPayloadUnreadable, Detail: "still readable: " + strings.Join(opened, ", ")}, nil
	}
	return sar.Check{Name: sar.CheckPayloadUnreadable, Passed: true,
		Detail: fmt.Sprintf("%d of %d sealed payloads tried, none opens", len(sample), len(sealed))}, nil
}

// readModelsEmpty polls the probe until no read-model row refers to the subject or purgeFor ends.
func (h *EraseClientHandler) readModelsEmpty(ctx context.Context, subject domain.ID) (sar.Check, error) {
	if h.probe == nil {
		return sar.Check{Name: sar.CheckReadModelsEmpty, Detail: "no read-model probe is configured"}, nil
	}
	deadline := time.Now().Add(h.purgeFor)
	for {
		rows, err := h.probe.SubjectRows(ctx, subject)
		if err != nil {
			return sar.Check{}, fmt.Errorf("erasure proof: read models: %w", err)
		}
		var left []string
		for table, n := range rows {
			if n > 0 {
				left = append(left, fmt.Sprintf("%s: %d", table, n))
			}
		}
		if len(left) == 0 {
			return sar.Check{Name: sar.CheckReadModelsEmpty, Passed: true, Detail: fmt.Sprintf("%d read-model tables hold no row of the subject", len(rows))}, nil
		}
		if time.Now().After(deadline) {
			slices.Sort(left)
			return sar.Check{Name: sar.CheckReadModelsEmpty, Detail: "rows left: " + strings.Join(left, ", ")}, nil
		}
		select {
		case <-ctx.Done():
			return sar.Check{}, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
