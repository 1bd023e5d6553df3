package commands

import (
	"context"
	"errors"
	"strings"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/practice"
)

// TransferCaseload moves every record a leaving therapist holds: to another therapist (To set),
// or into the archive (To zero). Reason is the DPO's stated reason, recorded on every move.
type TransferCaseload struct {
	PracticeID domain.ID
	From       domain.ID
	To         domain.ID
	Reason     string
}

// CaseloadResult says what happened to each client of the caseload.
type CaseloadResult struct {
	// Moved are the clients whose record moved (or was archived).
	Moved []domain.ID
	// Skipped are ids in the caseload index whose record From no longer holds, was erased, or
	// never got registered.
	Skipped []domain.ID
	// Failed maps clients whose move failed to the error; rerunning the command retries them.
	Failed map[domain.ID]error
}

// TransferCaseloadHandler handles TransferCaseload. It is safe for concurrent use.
type TransferCaseloadHandler struct{ d Deps }

// NewTransferCaseloadHandler returns a handler over d.
func NewTransferCaseloadHandler(d Deps) *TransferCaseloadHandler {
	return &TransferCaseloadHandler{d: d}
}

// Handle walks From's caseload index and, for each client whose record From holds, appends its
// own RecordTransferred (basis dpo_decision) or RecordArchived to that client's stream. Only the
// DPO may transfer; the DPO or an admin may archive. Each client is its own append, so one
// failure does not undo the others: they are reported in Failed and the command can be rerun
// (clients already moved are skipped). The error is non-nil when the practice or the caseload
// could not be read, or when every attempted move failed.
func (h *TransferCaseloadHandler) Handle(ctx context.Context, actor domain.Actor, cmd TransferCaseload) (CaseloadResult, error) {
	switch {
	case actor.Role != domain.RoleDPO && !(actor.Role == domain.RoleAdmin && cmd.To.IsZero()):
		return CaseloadResult{}, domain.Forbidden("transfer_caseload_forbidden", "role "+string(actor.Role)+" may not move a caseload")
	case strings.TrimSpace(cmd.Reason) == "":
		return CaseloadResult{}, domain.Invalid("reason", "is required")
	}
	p, _, err := LoadPractice(ctx, h.d, cmd.PracticeID)
	if err != nil {
		return CaseloadResult{}, err
	}
	if !cmd.To.IsZero() && !p.HasStaff(cmd.To, domain.RoleTherapist) {
		return CaseloadResult{}, domain.NotFound("therapist", cmd.To)
	}
	ids, err := loadCaseload(ctx, h.d, cmd.From)
	if err != nil {
		return CaseloadResult{}, err
	}
	res := CaseloadResult{Failed: map[domain.ID]error{}}
	for _, id := range ids {
		c, l, err := LoadClient(ctx, h.d, id)
		if k := domain.KindOf(err); k == domain.KindNotFound || k == domain.KindErased || (err == nil && (!c.HeldBy(cmd.From) || c.PracticeID() != cmd.PracticeID)) {
			res.Skipped = append(res.Skipped, id)
			continue
		}
		if err == nil {
			err = h.move(ctx, actor, p, c, l, cmd)
		}
		if err != nil {
			res.Failed[id] = err
			continue
		}
		res.Moved = append(res.Moved, id)
	}
	if len(res.Failed) > 0 && len(res.Moved) == 0 && len(res.Skipped) == 0 {
		errs := make([]error, 0, len(res.Failed))
		for _, e := range res.Failed {
			errs = append(errs, e)
		}
		return res, errors.Join(errs...)
	}
	return res, nil
}

// move transfers or archives one client's record.
func (h *TransferCaseloadHandler) move(ctx context.Context, actor domain.Actor, p *practice.Practice, c *client.Client, l Loaded, cmd TransferCaseload) error {
	now := h.d.Clock.Now()
	if cmd.To.IsZero() {
		ev, err := c.Archive(actor, cmd.Reason, now)
		if err != nil {
			return err
		}
		return appendToClient(ctx, h.d, c.ID(), l, actor, ev)
	}
	ev, err := c.TransferRecord(actor, p, client.Transfer{To: cmd.To, Basis: client.TransferByDPO, Reason: cmd.Reason}, now)
	if err != nil {
		return err
	}
	if err := addToCaseload(ctx, h.d, actor, cmd.To, c.ID()); err != nil {
		return err
	}
	return appendToClient(ctx, h.d, c.ID(), l, actor, ev)
}
