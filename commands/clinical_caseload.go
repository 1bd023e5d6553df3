package commands

import (
	"context"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/eventstore"
)

// addToCaseload appends the client's id to the therapist's caseload index. The index may hold an
// id twice (a record that came back) and ids whose registration failed: readers deduplicate and
// check each client.
func addToCaseload(ctx context.Context, d Deps, actor domain.Actor, therapist, clientID domain.ID) error {
	ev := client.CaseloadClientAdded{ClientID: clientID, At: d.Clock.Now().UTC()}
	_, err := appendEvents(ctx, d, CaseloadStream(therapist), eventstore.Any(), Envelope{Actor: actor}, ev)
	return err
}

// loadCaseload returns the client ids ever added to the therapist's caseload, first-added first.
func loadCaseload(ctx context.Context, d Deps, therapist domain.ID) ([]domain.ID, error) {
	l, err := loadStream(ctx, d, CaseloadStream(therapist), client.DecodeCaseload)
	if err != nil {
		return nil, err
	}
	return client.Caseload(l.Events), nil
}
