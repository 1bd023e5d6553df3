package commands

import (
	"context"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/sar"
	"github.com/caseledger/caseledger/eventstore"
)

// SARRulesStream returns "sarrules-<practice id>", a practice's plaintext rules for subject
// access requests (regime and time zone; no personal data).
func SARRulesStream(practiceID domain.ID) eventstore.StreamID {
	return StreamFor("sarrules", practiceID)
}

// SetSARRules sets the regime (UK GDPR or HIPAA) new subject access requests of a practice follow
// unless they name their own, and the IANA time zone their dates are counted in.
type SetSARRules struct {
	PracticeID domain.ID
	Rules      sar.Rules
}

// SetSARRulesHandler handles SetSARRules. It is safe for concurrent use.
type SetSARRulesHandler struct{ d Deps }

// NewSetSARRulesHandler returns a handler over d.
func NewSetSARRulesHandler(d Deps) *SetSARRulesHandler { return &SetSARRulesHandler{d: d} }

// Handle appends SARRulesSet to "sarrules-<practice id>". Only an admin or the DPO may
// (KindForbidden "sar_rules_forbidden"); the practice must exist (KindNotFound); the regime must
// be known and the zone one the zone database knows (KindInvalid). Requests already received keep
// the rules they were received under.
func (h *SetSARRulesHandler) Handle(ctx context.Context, actor domain.Actor, cmd SetSARRules) error {
	if actor.Role != domain.RoleAdmin && actor.Role != domain.RoleDPO {
		return domain.Forbidden("sar_rules_forbidden", "only an admin or the DPO sets the rules for subject access requests")
	}
	ev, err := sar.SetRules(cmd.PracticeID, cmd.Rules, h.d.Clock.Now().UTC())
	if err != nil {
		return err
	}
	if _, err := calendarZone(cmd.Rules.TimeZone); err != nil {
		return err
	}
	if _, _, err := LoadPractice(ctx, h.d, cmd.PracticeID); err != nil {
		return err
	}
	_, err = appendEvents(ctx, h.d, SARRulesStream(cmd.PracticeID), eventstore.Any(), Envelope{Actor: actor}, ev)
	return err
}

// LoadSARRules returns the rules in force for a practice's subject access requests:
// sar.DefaultRules (UK GDPR, UTC) when it set none.
func LoadSARRules(ctx context.Context, d Deps, practiceID domain.ID) (sar.Rules, error) {
	l, err := loadStream(ctx, d, SARRulesStream(practiceID), sar.DecodeRules)
	if err != nil {
		return sar.Rules{}, err
	}
	return sar.RulesFrom(l.Events), nil
}

// sarDay returns on, or today's date in zone (an IANA name) when on is zero.
func sarDay(d Deps, on sar.Date, zone string) (sar.Date, error) {
	if !on.IsZero() {
		return on, nil
	}
	loc, err := calendarZone(zone)
	if err != nil {
		return sar.Date{}, err
	}
	return sar.DateOf(d.Clock.Now().In(loc)), nil
}

// requestDay returns on, or today's date in the zone request r was received under.
func requestDay(d Deps, on sar.Date, r *sar.Request) (sar.Date, error) {
	return sarDay(d, on, r.TimeZone())
}
