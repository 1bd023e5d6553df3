package commands

import (
	"context"
	"errors"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/practice"
	"github.com/caseledger/caseledger/eventstore"
)

// OpenPractice starts a practice with its consent rule (empty: practice.ConsentBlock).
type OpenPractice struct {
	PracticeID  domain.ID
	ConsentRule practice.ConsentRule
}

// OpenPracticeHandler handles OpenPractice. It is safe for concurrent use.
type OpenPracticeHandler struct{ d Deps }

// NewOpenPracticeHandler returns a handler over d.
func NewOpenPracticeHandler(d Deps) *OpenPracticeHandler { return &OpenPracticeHandler{d: d} }

// Handle opens the practice. Only an admin may. A practice that exists already is a KindConflict
// error ("practice_exists").
func (h *OpenPracticeHandler) Handle(ctx context.Context, actor domain.Actor, cmd OpenPractice) error {
	if cmd.ConsentRule == "" {
		cmd.ConsentRule = practice.ConsentBlock
	}
	_, ev, err := practice.Open(actor, cmd.PracticeID, cmd.ConsentRule, h.d.Clock.Now())
	if err != nil {
		return err
	}
	_, err = appendEvents(ctx, h.d, PracticeStream(cmd.PracticeID), eventstore.NoStream(), Envelope{Actor: actor}, ev)
	if errors.Is(err, eventstore.ErrWrongExpectedVersion) {
		return domain.Conflict("practice_exists", "practice "+cmd.PracticeID.String()+" exists")
	}
	return err
}
