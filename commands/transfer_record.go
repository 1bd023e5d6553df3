package commands

import (
	"context"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
)

// TransferRecord moves a client's record to another therapist of the practice.
type TransferRecord struct {
	ClientID domain.ID
	Transfer client.Transfer
}

// TransferRecordHandler handles TransferRecord. It is safe for concurrent use.
type TransferRecordHandler struct{ d Deps }

// NewTransferRecordHandler returns a handler over d.
func NewTransferRecordHandler(d Deps) *TransferRecordHandler { return &TransferRecordHandler{d: d} }

// Handle moves the record (client.Client.TransferRecord decides who may and on what basis). The
// client id is added to the receiving therapist's caseload index first, then RecordTransferred is
// appended to the client's stream; from then on the previous holder has no access, and the
// stream's custody history shows who held the record when.
func (h *TransferRecordHandler) Handle(ctx context.Context, actor domain.Actor, cmd TransferRecord) error {
	return retryConcurrent(func() error {
		c, l, p, err := loadClientAndPractice(ctx, h.d, actor, cmd.ClientID)
		if err != nil {
			return err
		}
		ev, err := c.TransferRecord(actor, p, cmd.Transfer, h.d.Clock.Now())
		if err != nil {
			return err
		}
		if err := addToCaseload(ctx, h.d, actor, cmd.Transfer.To, cmd.ClientID); err != nil {
			return err
		}
		return appendToClient(ctx, h.d, cmd.ClientID, l, actor, ev)
	})
}
