package commands

import (
	"context"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/practice"
)

// PracticeSettingsHandler changes a practice's settings: staff, service types, consent form
// templates, the consent rule, note templates and retention periods. Each method is one command:
// it loads the practice, lets the aggregate authorise and decide, and appends one plaintext event
// (settings hold no personal data). A concurrent change of the same practice is a KindConflict
// error ("concurrent_change"). It is safe for concurrent use.
type PracticeSettingsHandler struct{ d Deps }

// NewPracticeSettingsHandler returns a handler over d.
func NewPracticeSettingsHandler(d Deps) *PracticeSettingsHandler {
	return &PracticeSettingsHandler{d: d}
}

// AddStaffMember gives user a role in the practice (admins only).
func (h *PracticeSettingsHandler) AddStaffMember(ctx context.Context, actor domain.Actor, practiceID, user domain.ID, role domain.Role) error {
	return changePractice(ctx, h.d, actor, practiceID, func(p *practice.Practice) (domain.Event, error) {
		return p.AddStaff(actor, user, role, h.d.Clock.Now())
	})
}

// RemoveStaffMember ends user's membership (admins only). Their caseload is moved separately,
// with TransferCaseload.
func (h *PracticeSettingsHandler) RemoveStaffMember(ctx context.Context, actor domain.Actor, practiceID, user domain.ID) error {
	return changePractice(ctx, h.d, actor, practiceID, func(p *practice.Practice) (domain.Event, error) {
		return p.RemoveStaff(actor, user, h.d.Clock.Now())
	})
}

// AddServiceType adds a service type with a slug code and a display name (admins only).
func (h *PracticeSettingsHandler) AddServiceType(ctx context.Context, actor domain.Actor, practiceID, serviceType domain.ID, code, name string, minutes int) error {
	return changePractice(ctx, h.d, actor, practiceID, func(p *practice.Practice) (domain.Event, error) {
		return p.AddServiceType(actor, serviceType, code, name, minutes, h.d.Clock.Now())
	})
}

// PublishConsentTemplate publishes the next version of a service type's consent form, in force
// from effectiveFrom (admins only). Clients who signed an older version need to consent again.
func (h *PracticeSettingsHandler) PublishConsentTemplate(ctx context.Context, actor domain.Actor, practiceID, serviceType domain.ID, text string, effectiveFrom time.Time) error {
	return changePractice(ctx, h.d, actor, practiceID, func(p *practice.Practice) (domain.Event, error) {
		return p.PublishConsentTemplate(actor, serviceType, text, effectiveFrom, h.d.Clock.Now())
	})
}

// SetConsentRule sets whether booking without valid consent is blocked or warned (admins only).
func (h *PracticeSettingsHandler) SetConsentRule(ctx context.Context, actor domain.Actor, practiceID domain.ID, rule practice.ConsentRule) error {
	return changePractice(ctx, h.d, actor, practiceID, func(p *practice.Practice) (domain.Event, error) {
		return p.SetConsentRule(actor, rule, h.d.Clock.Now())
	})
}

// AddNoteTemplate adds a practice's own session-note template (admins only).
func (h *PracticeSettingsHandler) AddNoteTemplate(ctx context.Context, actor domain.Actor, practiceID, template domain.ID, name string, fields []practice.NoteField) error {
	return changePractice(ctx, h.d, actor, practiceID, func(p *practice.Practice) (domain.Event, error) {
		return p.AddNoteTemplate(actor, template, name, fields, h.d.Clock.Now())
	})
}

// SetRetentionPeriod changes the retention period of a record kind (the DPO or an admin).
func (h *PracticeSettingsHandler) SetRetentionPeriod(ctx context.Context, actor domain.Actor, practiceID domain.ID, kind practice.RecordKind, years int) error {
	return changePractice(ctx, h.d, actor, practiceID, func(p *practice.Practice) (domain.Event, error) {
		return p.SetRetention(actor, kind, years, h.d.Clock.Now())
	})
}

// ServiceTypes returns the practice's service types, ordered by code. Staff of the practice (in
// the role they hold there) and admins may read them; anyone else, and a practice that does not
// exist, get KindNotFound, so that nobody learns which practices exist.
func (h *PracticeSettingsHandler) ServiceTypes(ctx context.Context, actor domain.Actor, practiceID domain.ID) ([]practice.ServiceType, error) {
	p, _, err := LoadPractice(ctx, h.d, practiceID)
	if err != nil {
		return nil, err
	}
	if actor.UserID.IsZero() || (actor.Role != domain.RoleAdmin && !p.HasStaff(actor.UserID, actor.Role)) {
		return nil, domain.NotFound("practice", practiceID)
	}
	return p.ServiceTypes(), nil
}
