package keyring

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
)

// SubjectErasedType is the event type of SubjectErased in the log.
const SubjectErasedType = "SubjectErased"

// SubjectErased is the PII-free event Shred appends to the subject's stream: which request shredded
// which keys, when and by whom. Its payload is plaintext (it holds ids only) and its envelope has no
// subject, so it stays readable after the shred.
type SubjectErased struct {
	SubjectID uuid.UUID `json:"subject_id"`
	RequestID uuid.UUID `json:"request_id"`
	// KeyIDs are the Tink key ids destroyed, primary first; empty when the subject never had a key.
	KeyIDs   []uint32  `json:"key_ids"`
	ErasedAt time.Time `json:"erased_at"`
	ActorID  uuid.UUID `json:"actor_id"`
	Role     string    `json:"actor_role"`
}

// EventType implements domain.Event.
func (SubjectErased) EventType() string { return SubjectErasedType }

// erasedEventNamespace makes SubjectErased event ids: a name-based UUID of (subject, request), so a
// retried Shred appends the same event id and the append is idempotent.
var erasedEventNamespace = uuid.MustParse("6d1c1a52-5b7e-4c36-9a53-3f0d2f7e9c41")

// ShredRequest says who shreds a subject, why, and where to record it.
type ShredRequest struct {
	// RequestID is the erasure request that decided the shred. Required.
	RequestID uuid.UUID
	// Stream receives the SubjectErased event: the subject's own stream, e.g. "client-<uuid>".
	Stream eventstore.StreamID
	// Actor is who carried out the decision (the DPO, or the system for a retention sweep).
	Actor         eventstore.Actor
	CorrelationID uuid.UUID
	CausationID   uuid.UUID
}

// ShredResult says what Shred destroyed.
type ShredResult struct {
	Subject   uuid.UUID
	RequestID uuid.UUID
	// KeyIDs are the ids of the keys destroyed.
	KeyIDs   []uint32
	ErasedAt time.Time
	// AlreadyErased is set when the subject had been shredded before; the result then describes
	// that first shred, and nothing was destroyed now.
	AlreadyErased bool
	// EventID is the id of the SubjectErased event, and Appended where the log put it.
	EventID  uuid.UUID
	Appended eventstore.AppendResult
	// Vacuumed is set when the key table was vacuumed right away. VacuumErr says why not otherwise
	// (an operator should then VACUUM keyring_subject_keys); storage that needs no vacuum leaves
	// both zero.
	Vacuumed  bool
	VacuumErr error
}

// vacuumer is storage that can remove deleted keysets' dead row versions now.
type vacuumer interface {
	Vacuum(ctx context.Context) error
}

// Shred erases subject: it deletes the subject's wrapped keyset and records a tombstone atomically,
// so that no key is ever minted for the subject again and everything sealed for them can never be
// opened; it evicts the key from this process's cache, and every other process sharing the storage
// is told to evict it too; it vacuums the key table when the storage supports it; and it appends a
// SubjectErased event to req.Stream. Shred is idempotent: repeating it for a shredded subject
// re-appends the same event (a no-op in the log) and reports AlreadyErased. Bad input is a
// domain.ErrInvalid error and changes nothing.
func (k *Keyring) Shred(ctx context.Context, subject uuid.UUID, req ShredRequest) (ShredResult, error) {
	var errs []error
	if subject == uuid.Nil {
		errs = append(errs, domain.Invalid("subject", "required"))
	}
	if req.RequestID == uuid.Nil {
		errs = append(errs, domain.Invalid("request_id", "required"))
	}
	if err := req.Stream.Validate(); err != nil {
		errs = append(errs, domain.Invalid("stream", "must be a valid stream id"))
	}
	if k.events == nil {
		errs = append(errs, errors.New("keyring: shred needs Config.Events to record SubjectErased"))
	}
	if err := errors.Join(errs...); err != nil {
		return ShredResult{}, err
	}

	t, err := k.storage.ShredKeyset(ctx, subject, req.RequestID, k.now().UTC().Truncate(time.Microsecond))
	if err != nil {
		return ShredResult{}, err
	}
	k.cache.evict(subject)
	res := ShredResult{Subject: subject, RequestID: t.RequestID, KeyIDs: t.KeyIDs, ErasedAt: t.ErasedAt, AlreadyErased: t.Existed}
	if v, ok := k.storage.(vacuumer); ok {
		if res.VacuumErr = v.Vacuum(ctx); res.VacuumErr == nil {
			res.Vacuumed = true
		}
	}

	ev := SubjectErased{
		SubjectID: subject, RequestID: t.RequestID, KeyIDs: t.KeyIDs, ErasedAt: t.ErasedAt,
		ActorID: req.Actor.UserID, Role: req.Actor.Role,
	}
	if ev.KeyIDs == nil {
		ev.KeyIDs = []uint32{}
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return res, fmt.Errorf("keyring: shred %s: encode event: %w", subject, err)
	}
	res.EventID = uuid.NewSHA1(erasedEventNamespace, append(subject[:], t.RequestID[:]...))
	e := eventstore.EventData{
		ID:            res.EventID,
		Type:          SubjectErasedType,
		SchemaVersion: 1,
		OccurredAt:    t.ErasedAt,
		Actor:         req.Actor,
		CorrelationID: req.CorrelationID,
		CausationID:   req.CausationID,
		Payload:       payload,
	}
	if e.CorrelationID == uuid.Nil {
		e.CorrelationID = req.RequestID
	}
	if res.Appended, err = k.events.Append(ctx, req.Stream, eventstore.Any(), e); err != nil {
		return res, fmt.Errorf("keyring: shred %s: record SubjectErased (the key is already destroyed; retry Shred): %w", subject, err)
	}
	return res, nil
}
