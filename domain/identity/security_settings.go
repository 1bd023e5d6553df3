package identity

import (
	"time"

	"github.com/caseledger/caseledger/domain"
)

// SecuritySettingsID names the practice-wide security settings stream, "security-<this id>". It is
// fixed so every process finds the same stream.
var SecuritySettingsID = domain.ID{0x5e, 0xc0, 0x5e, 0x77, 0x11, 0x20, 0x40, 0x00, 0x80, 0x00, 0, 0, 0, 0, 0, 1}

// StaffTOTPRequirementSet records an admin's choice to require (or stop requiring) a TOTP second
// factor of every staff member. It holds no personal data and stays plaintext.
type StaffTOTPRequirementSet struct {
	Required bool      `json:"required"`
	At       time.Time `json:"at"`
}

// EventType names the event.
func (StaffTOTPRequirementSet) EventType() string { return "StaffTOTPRequirementSet" }

// SecuritySettings is the practice's sign-in choices as recorded in its stream. The zero value is
// a practice that chose nothing.
type SecuritySettings struct {
	requireStaffTOTP bool
}

// SecuritySettingsFromHistory folds the settings stream, oldest first. It is not a constructor.
func SecuritySettingsFromHistory(events []domain.Event) SecuritySettings {
	var s SecuritySettings
	for _, e := range events {
		if e, ok := e.(StaffTOTPRequirementSet); ok {
			s.requireStaffTOTP = e.Required
		}
	}
	return s
}

// RequireStaffTOTP reports whether the practice requires TOTP of staff.
func (s SecuritySettings) RequireStaffTOTP() bool { return s.requireStaffTOTP }

// Apply returns p with the practice's choices on top: a practice's requirement adds to the
// operator's, never removes it.
func (s SecuritySettings) Apply(p Policy) Policy {
	p.RequireStaffTOTP = p.RequireStaffTOTP || s.requireStaffTOTP
	return p
}

// SetStaffTOTPRequirement decides an admin's change of the requirement. Only an admin may
// (KindForbidden "admin_only"); setting the current value again is KindConflict "setting_unchanged".
func (s SecuritySettings) SetStaffTOTPRequirement(actor domain.Actor, required bool, now time.Time) (domain.Event, error) {
	if actor.Role != domain.RoleAdmin {
		return nil, domain.Forbidden("admin_only", "only an admin can change security settings")
	}
	if required == s.requireStaffTOTP {
		return nil, domain.Conflict("setting_unchanged", "the setting already has this value")
	}
	return StaffTOTPRequirementSet{Required: required, At: now}, nil
}
