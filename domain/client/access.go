package client

import (
	"time"

	"github.com/caseledger/caseledger/domain"
)

// What was read, for RecordAccessed.
const (
	AccessNote              = "note"
	AccessPsychotherapyNote = "psychotherapy_note"
	AccessRecord            = "record"
)

// RecordAccess returns the RecordAccessed event for actor reading what (id: its id, zero for the
// whole record) for purpose, a slug such as "treatment". It does not authorise: the caller has
// done so for the data read. It is appended before the data is returned.
func (c *Client) RecordAccess(actor domain.Actor, what string, id domain.ID, purpose string, at time.Time) (domain.Event, error) {
	if !isPurpose(purpose) {
		return nil, domain.Invalid("purpose", "must be 1 to 64 of [a-z0-9_]")
	}
	return RecordAccessed{By: actor, What: what, ID: id, Purpose: purpose, At: at.UTC()}, nil
}

// EmergencyPurpose is the purpose of every read made under a break-glass grant.
const EmergencyPurpose = "emergency_access"

// RecordEmergencyAccess returns the RecordAccessed event for actor reading what (id: its id, zero
// for the whole record) under break-glass grant, with purpose EmergencyPurpose. A zero grant is
// KindInvalid. It does not authorise: the caller has checked that grant is live for actor.
func (c *Client) RecordEmergencyAccess(actor domain.Actor, what string, id, grant domain.ID, at time.Time) (domain.Event, error) {
	if grant.IsZero() {
		return nil, domain.Invalid("grant_id", "required")
	}
	return RecordAccessed{By: actor, What: what, ID: id, Purpose: EmergencyPurpose, GrantID: grant, At: at.UTC()}, nil
}

func isPurpose(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}
