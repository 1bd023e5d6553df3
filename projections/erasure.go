package projections

import (
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/keyring"
)

// subjectErasedType is the type of the PII-free event the keyring appends after shredding a data
// subject's key. Every projector that holds rows of a subject deletes them when it sees it.
const subjectErasedType = keyring.SubjectErasedType

// erasedSubject returns the subject a SubjectErased event names (its plaintext payload's
// subject_id), or an error when the payload does not decode or names no subject.
func erasedSubject(e *eventstore.RecordedEvent) (uuid.UUID, error) {
	var ev keyring.SubjectErased
	if err := json.Unmarshal(e.Payload, &ev); err != nil || ev.SubjectID == uuid.Nil {
		return uuid.Nil, fmt.Errorf("SubjectErased event %s does not name a subject", e.ID)
	}
	return ev.SubjectID, nil
}
