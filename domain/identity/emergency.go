package identity

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/caseledger/caseledger/domain"
)

// Limits of a break-glass reason, in characters.
const (
	MinEmergencyReason = 20
	MaxEmergencyReason = 2000
)

// EmergencyAccessGranted records a break-glass grant: a therapist opened a client's record outside
// their caseload, stating why. It is the only event of the stream "emergency-<grant uuid>" and is
// sealed under the client's key (the reason may describe the client).
type EmergencyAccessGranted struct {
	GrantID     domain.ID `json:"grant_id"`
	TherapistID domain.ID `json:"therapist_id"`
	ClientID    domain.ID `json:"client_id"`
	Reason      string    `json:"reason"`
	Until       time.Time `json:"until"`
	At          time.Time `json:"at"`
}

// EventType names the event.
func (EmergencyAccessGranted) EventType() string { return "EmergencyAccessGranted" }

// GrantEmergencyAccess decides a break-glass grant for actor on client until until. Only a
// therapist may break the glass (KindForbidden "emergency_access_forbidden"); the reason must be
// 20 to 2000 characters (KindInvalid "invalid_reason"), so that it says something a DPO can review.
func GrantEmergencyAccess(actor domain.Actor, grant, clientID domain.ID, reason string, until, now time.Time) (EmergencyAccessGranted, error) {
	if actor.Role != domain.RoleTherapist {
		return EmergencyAccessGranted{}, domain.Forbidden("emergency_access_forbidden", "only a therapist can use emergency access")
	}
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); !utf8.ValidString(reason) || n < MinEmergencyReason || n > MaxEmergencyReason {
		return EmergencyAccessGranted{}, domain.Invalid("reason", "must be 20 to 2000 characters stating why the record is needed")
	}
	if !until.After(now) {
		return EmergencyAccessGranted{}, domain.Invalid("until", "must be in the future")
	}
	return EmergencyAccessGranted{GrantID: grant, TherapistID: actor.UserID, ClientID: clientID, Reason: reason, Until: until, At: now}, nil
}
