package commands

import (
	"context"
	"fmt"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/eventstore"
)

// Shredder destroys a data subject's key so that every payload sealed under it becomes
// unreadable, and appends the PII-free SubjectErased event (request id, destroyed key ids, actor,
// time) to stream. It must be idempotent: shredding an erased subject again succeeds. The keyring
// provides it; ShredFunc adapts a function.
type Shredder interface {
	Shred(ctx context.Context, subject domain.ID, request ShredOrder) error
}

// ShredOrder is the erasure decision a Shredder carries out.
type ShredOrder struct {
	RequestID domain.ID
	Actor     domain.Actor
	// Stream is where SubjectErased is appended: the client's stream.
	Stream eventstore.StreamID
}

// ShredFunc adapts a function to Shredder.
type ShredFunc func(ctx context.Context, subject domain.ID, request ShredOrder) error

// Shred calls f.
func (f ShredFunc) Shred(ctx context.Context, subject domain.ID, request ShredOrder) error {
	return f(ctx, subject, request)
}

// ErasureDecision is the DPO's decision on an erasure request.
type ErasureDecision string

// The decisions.
const (
	EraseApprove ErasureDecision = "approve"
	EraseRefuse  ErasureDecision = "refuse"
	EraseDefer   ErasureDecision = "defer"
)

// DecideErasure records the DPO's decision on an erasure request. Exemption and Explanation are
// for a refusal.
type DecideErasure struct {
	ClientID    domain.ID
	RequestID   domain.ID
	Decision    ErasureDecision
	Exemption   client.Exemption
	Explanation string
}

// DecideErasureHandler handles DecideErasure. It is safe for concurrent use.
type DecideErasureHandler struct {
	d        Deps
	shredder Shredder
}

// NewDecideErasureHandler returns a handler over d that shreds with shredder.
func NewDecideErasureHandler(d Deps, shredder Shredder) *DecideErasureHandler {
	return &DecideErasureHandler{d: d, shredder: shredder}
}

// Handle appends the decision to the client's stream. Only the DPO may decide. A refusal names
// its Art. 17(3) exemption; a deferral runs to the end of the retention period (the client must
// be discharged). An approval is appended first and then the client's key is shredded, which
// makes the client's record, notes and psychotherapy notes unreadable for good. If shredding
// fails, the approval stands: handling the same approval again retries the shred, also once the
// key is gone but SubjectErased was not yet recorded. Afterwards loading the client is a KindErased
// error.
func (h *DecideErasureHandler) Handle(ctx context.Context, actor domain.Actor, cmd DecideErasure) error {
	c, l, p, err := loadClientAndPractice(ctx, h.d, actor, cmd.ClientID)
	if domain.KindOf(err) == domain.KindErased && cmd.Decision == EraseApprove && actor.Role == domain.RoleDPO {
		// The key is gone but SubjectErased may not have been recorded: Shred is idempotent.
		return h.shred(ctx, actor, cmd)
	}
	if err != nil {
		return err
	}
	if cmd.Decision == EraseApprove && approved(c, cmd.RequestID) {
		if err := c.Authorise(actor, "approve_erasure", client.DPO); err != nil {
			return err
		}
		return h.shred(ctx, actor, cmd)
	}
	now := h.d.Clock.Now()
	var ev domain.Event
	switch cmd.Decision {
	case EraseApprove:
		ev, err = c.ApproveErasure(actor, cmd.RequestID, now)
	case EraseRefuse:
		ev, err = c.RefuseErasure(actor, cmd.RequestID, cmd.Exemption, cmd.Explanation, now)
	case EraseDefer:
		ev, err = c.DeferErasure(actor, cmd.RequestID, p.Retention(), now)
	default:
		err = domain.Invalid("decision", "must be approve, refuse or defer")
	}
	if err != nil {
		return err
	}
	if err := appendToClient(ctx, h.d, cmd.ClientID, l, actor, ev); err != nil {
		return err
	}
	if cmd.Decision == EraseApprove {
		return h.shred(ctx, actor, cmd)
	}
	return nil
}

func (h *DecideErasureHandler) shred(ctx context.Context, actor domain.Actor, cmd DecideErasure) error {
	order := ShredOrder{RequestID: cmd.RequestID, Actor: actor, Stream: ClientStream(cmd.ClientID)}
	if err := h.shredder.Shred(ctx, cmd.ClientID, order); err != nil {
		return fmt.Errorf("shred client %s: %w", cmd.ClientID, err)
	}
	return nil
}

// approved reports whether request id of c was approved already.
func approved(c *client.Client, id domain.ID) bool {
	for _, r := range c.ErasureRequests() {
		if r.ID == id {
			return r.Status == client.ErasureApproval
		}
	}
	return false
}
