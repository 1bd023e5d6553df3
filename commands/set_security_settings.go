package commands

import (
	"context"
	"errors"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/identity"
	"github.com/caseledger/caseledger/eventstore"
)

// SecuritySettingsStream is the practice-wide security settings stream.
func SecuritySettingsStream() eventstore.StreamID {
	return StreamFor("security", identity.SecuritySettingsID)
}

// LoadSecuritySettings folds the security settings stream; a practice that chose nothing has the
// zero settings.
func LoadSecuritySettings(ctx context.Context, d Deps) (identity.SecuritySettings, Loaded, error) {
	l, err := loadStream(ctx, d, SecuritySettingsStream(), identity.Decode)
	if err != nil {
		return identity.SecuritySettings{}, Loaded{}, err
	}
	return identity.SecuritySettingsFromHistory(l.Events), l, nil
}

// SetStaffTOTPRequirementHandler records an admin's choice to require TOTP of all staff. It is safe
// for concurrent use.
type SetStaffTOTPRequirementHandler struct{ d Deps }

// NewSetStaffTOTPRequirementHandler returns a handler over d.
func NewSetStaffTOTPRequirementHandler(d Deps) *SetStaffTOTPRequirementHandler {
	return &SetStaffTOTPRequirementHandler{d: d}
}

// Handle appends StaffTOTPRequirementSet (plaintext: no personal data) by an admin (see
// identity.SecuritySettings.SetStaffTOTPRequirement). From the next sign-in, staff without TOTP get
// a session that may only enrol. A concurrent change is KindConflict "concurrent_change".
func (h *SetStaffTOTPRequirementHandler) Handle(ctx context.Context, actor domain.Actor, required bool) error {
	s, l, err := LoadSecuritySettings(ctx, h.d)
	if err != nil {
		return err
	}
	ev, err := s.SetStaffTOTPRequirement(actor, required, h.d.Clock.Now().UTC())
	if err != nil {
		return err
	}
	_, err = appendEvents(ctx, h.d, SecuritySettingsStream(), l.Expected(), Envelope{Actor: actor}, ev)
	if errors.Is(err, eventstore.ErrWrongExpectedVersion) {
		return errors.Join(domain.Conflict("concurrent_change", "the settings changed meanwhile; retry"), err)
	}
	return err
}
