package commands

import (
	"context"

	"github.com/caseledger/caseledger/domain"
)

// AuditRecordRead is a read of a client's data about to happen: what is read (client.AccessRecord
// for the whole record, or an export kind such as "sar_export"), the item's id (zero for the
// whole record) and the purpose, a slug such as "subject_access" or "audit".
type AuditRecordRead struct {
	ClientID domain.ID
	What     string
	ItemID   domain.ID
	Purpose  string
}

// AuditRecordReadHandler appends the RecordAccessed event that must precede every read of a
// client's data that does not go through a command of its own (exports, replays). It is safe for
// concurrent use.
type AuditRecordReadHandler struct{ d Deps }

// NewAuditRecordReadHandler returns a handler over d.
func NewAuditRecordReadHandler(d Deps) *AuditRecordReadHandler {
	return &AuditRecordReadHandler{d: d}
}

// Handle appends RecordAccessed{actor, what, item, purpose} to the client's stream, after checking
// that actor may see the record (client.Visible: its holder, the client, and the roles that work
// across records). The caller reads only after Handle returned nil; a failed append (KindConflict
// "concurrent_change" when the record changed meanwhile: retry) means nothing may be read. An
// erased client is KindErased: there is nothing left to read.
func (h *AuditRecordReadHandler) Handle(ctx context.Context, actor domain.Actor, cmd AuditRecordRead) error {
	c, l, err := LoadClient(ctx, h.d, cmd.ClientID)
	if err != nil {
		return err
	}
	if err := c.Visible(actor); err != nil {
		return err
	}
	if cmd.What == "" || len(cmd.What) > 64 {
		return domain.Invalid("what", "must be 1 to 64 bytes")
	}
	ev, err := c.RecordAccess(actor, cmd.What, cmd.ItemID, cmd.Purpose, h.d.Clock.Now())
	if err != nil {
		return err
	}
	return appendToClient(ctx, h.d, cmd.ClientID, l, actor, ev)
}
