package practice

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/caseledger/caseledger/domain"
)

// Practice is the aggregate of a practice's settings. Its zero value is not usable: a practice is
// opened with Open or rebuilt from its history with Rebuild. It is not safe for concurrent use.
type Practice struct {
	id            domain.ID
	rule          ConsentRule
	staff         map[domain.ID]domain.Role
	serviceTypes  map[domain.ID]ServiceType
	consent       map[domain.ID][]ConsentTemplate // versions in order, per service type
	noteTemplates map[domain.ID]NoteTemplate
	retention     Retention
}

// ServiceType is a kind of service the practice offers.
type ServiceType struct {
	ID   domain.ID
	Code string
	Name string
	// Minutes is the length of a session of this service (0: not set). Clients can book a service
	// themselves only when it is set: a self-booked session has this length.
	Minutes int
}

// ConsentTemplate is one published version of a service type's consent form.
type ConsentTemplate struct {
	ServiceTypeID domain.ID
	Version       int
	Text          string
	ContentHash   string
	EffectiveFrom time.Time
}

// Limits on free text in practice settings.
const (
	MaxConsentTextBytes = 256 << 10
	maxNameBytes        = 200
)

// The range of a service type's session length.
const (
	MinServiceMinutes = 5
	MaxServiceMinutes = 480
)

func empty() *Practice {
	p := &Practice{
		staff:         map[domain.ID]domain.Role{},
		serviceTypes:  map[domain.ID]ServiceType{},
		consent:       map[domain.ID][]ConsentTemplate{},
		noteTemplates: map[domain.ID]NoteTemplate{},
		retention:     DefaultRetention(),
	}
	for _, t := range BuiltinNoteTemplates() {
		p.noteTemplates[t.ID] = t
	}
	return p
}

// Open opens a new practice with the given id and consent rule, acting as an admin. It returns
// the practice and the event that records it.
func Open(actor domain.Actor, id domain.ID, rule ConsentRule, at time.Time) (*Practice, domain.Event, error) {
	if err := requireRole(actor, "open_practice", domain.RoleAdmin); err != nil {
		return nil, nil, err
	}
	if id.IsZero() {
		return nil, nil, domain.Invalid("practice_id", "is required")
	}
	if !rule.Valid() {
		return nil, nil, domain.Invalid("consent_rule", "must be block or warn")
	}
	p := empty()
	ev := PracticeOpened{PracticeID: id, ConsentRule: rule, At: at.UTC()}
	p.Apply(ev)
	return p, ev, nil
}

// Rebuild replays a practice's history. It is not a constructor: it checks nothing and returns
// nil when history is empty or does not start with PracticeOpened.
func Rebuild(history []domain.Event) *Practice {
	if len(history) == 0 {
		return nil
	}
	if _, ok := history[0].(PracticeOpened); !ok {
		return nil
	}
	p := empty()
	for _, ev := range history {
		p.Apply(ev)
	}
	return p
}

// Apply changes the state by one event. It cannot fail; events of other aggregates are ignored.
func (p *Practice) Apply(ev domain.Event) {
	switch e := ev.(type) {
	case PracticeOpened:
		p.id, p.rule = e.PracticeID, e.ConsentRule
	case StaffMemberAdded:
		p.staff[e.UserID] = e.Role
	case StaffMemberLeft:
		delete(p.staff, e.UserID)
	case ServiceTypeAdded:
		p.serviceTypes[e.ServiceTypeID] = ServiceType{ID: e.ServiceTypeID, Code: e.Code, Name: e.Name, Minutes: e.Minutes}
	case ConsentTemplatePublished:
		p.consent[e.ServiceTypeID] = append(p.consent[e.ServiceTypeID], ConsentTemplate{
			ServiceTypeID: e.ServiceTypeID, Version: e.Version, Text: e.Text,
			ContentHash: e.ContentHash, EffectiveFrom: e.EffectiveFrom,
		})
	case ConsentRuleSet:
		p.rule = e.Rule
	case NoteTemplateAdded:
		p.noteTemplates[e.TemplateID] = NoteTemplate{ID: e.TemplateID, Name: e.Name, Fields: e.Fields}
	case RetentionPeriodSet:
		p.retention[e.Kind] = e.Years
	}
}

// ID returns the practice's id.
func (p *Practice) ID() domain.ID { return p.id }

// ConsentRule returns the current consent rule.
func (p *Practice) ConsentRule() ConsentRule { return p.rule }

// HasStaff reports whether user is a current member of staff in the given role.
func (p *Practice) HasStaff(user domain.ID, role domain.Role) bool {
	r, ok := p.staff[user]
	return ok && r == role
}

// StaffMember is one user's role in the practice.
type StaffMember struct {
	UserID domain.ID
	Role   domain.Role
}

// Staff returns the practice's staff, ordered by user id.
func (p *Practice) Staff() []StaffMember {
	out := make([]StaffMember, 0, len(p.staff))
	for u, r := range p.staff {
		out = append(out, StaffMember{UserID: u, Role: r})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UserID.String() < out[j].UserID.String() })
	return out
}

// LatestConsentTemplate returns the highest version of serviceType's consent form, in force or
// not yet; ok is false when none was published.
func (p *Practice) LatestConsentTemplate(serviceType domain.ID) (ConsentTemplate, bool) {
	var latest ConsentTemplate
	for _, t := range p.consent[serviceType] {
		if t.Version > latest.Version {
			latest = t
		}
	}
	return latest, latest.Version > 0
}

// ServiceType returns the service type with the given id; ok is false when there is none.
func (p *Practice) ServiceType(id domain.ID) (ServiceType, bool) {
	s, ok := p.serviceTypes[id]
	return s, ok
}

// ConsentTemplate returns the version of serviceType's consent form in force at: the highest
// version whose EffectiveFrom is not after at. ok is false when none is in force yet.
func (p *Practice) ConsentTemplate(serviceType domain.ID, at time.Time) (ConsentTemplate, bool) {
	versions := p.consent[serviceType]
	for i := len(versions) - 1; i >= 0; i-- {
		if !versions[i].EffectiveFrom.After(at) {
			return versions[i], true
		}
	}
	return ConsentTemplate{}, false
}

// ConsentTemplateVersion returns the given published version; ok is false when there is none.
func (p *Practice) ConsentTemplateVersion(serviceType domain.ID, version int) (ConsentTemplate, bool) {
	versions := p.consent[serviceType]
	if version < 1 || version > len(versions) {
		return ConsentTemplate{}, false
	}
	return versions[version-1], true
}

// NoteTemplate returns the note template with the given id (built-in or the practice's own); ok
// is false when there is none.
func (p *Practice) NoteTemplate(id domain.ID) (NoteTemplate, bool) {
	t, ok := p.noteTemplates[id]
	return t, ok
}

// Retention returns a copy of the practice's retention periods.
func (p *Practice) Retention() Retention {
	out := make(Retention, len(p.retention))
	for k, v := range p.retention {
		out[k] = v
	}
	return out
}

// AddStaff gives user a role in the practice. Only admins add staff; clients and the system are
// not staff.
func (p *Practice) AddStaff(actor domain.Actor, user domain.ID, role domain.Role, at time.Time) (domain.Event, error) {
	if err := requireRole(actor, "add_staff", domain.RoleAdmin); err != nil {
		return nil, err
	}
	if user.IsZero() {
		return nil, domain.Invalid("user_id", "is required")
	}
	if !role.Valid() || role == domain.RoleClient || role == domain.RoleSystem {
		return nil, domain.Invalid("role", "is not a staff role")
	}
	if r, ok := p.staff[user]; ok && r == role {
		return nil, domain.Conflict("staff_exists", "user "+user.String()+" already has this role")
	}
	ev := StaffMemberAdded{UserID: user, Role: role, At: at.UTC()}
	p.Apply(ev)
	return ev, nil
}

// RemoveStaff ends user's membership. Only admins remove staff.
func (p *Practice) RemoveStaff(actor domain.Actor, user domain.ID, at time.Time) (domain.Event, error) {
	if err := requireRole(actor, "remove_staff", domain.RoleAdmin); err != nil {
		return nil, err
	}
	if _, ok := p.staff[user]; !ok {
		return nil, domain.NotFound("staff_member", user)
	}
	ev := StaffMemberLeft{UserID: user, At: at.UTC()}
	p.Apply(ev)
	return ev, nil
}

// AddServiceType adds a service type. code is a slug of [a-z0-9_], unique in the practice;
// minutes is the length of a session, MinServiceMinutes to MaxServiceMinutes, or 0 (not set).
func (p *Practice) AddServiceType(actor domain.Actor, id domain.ID, code, name string, minutes int, at time.Time) (domain.Event, error) {
	if err := requireRole(actor, "add_service_type", domain.RoleAdmin); err != nil {
		return nil, err
	}
	if id.IsZero() {
		return nil, domain.Invalid("service_type_id", "is required")
	}
	if _, ok := p.serviceTypes[id]; ok {
		return nil, domain.Conflict("service_type_exists", "service type "+id.String()+" exists")
	}
	if !isSlug(code) {
		return nil, domain.Invalid("code", "must be 1 to 64 of [a-z0-9_]")
	}
	for _, s := range p.serviceTypes {
		if s.Code == code {
			return nil, domain.Conflict("service_type_code_taken", "code "+code+" is taken")
		}
	}
	if err := checkName("name", name); err != nil {
		return nil, err
	}
	if minutes != 0 && (minutes < MinServiceMinutes || minutes > MaxServiceMinutes) {
		return nil, domain.Invalid("minutes", "must be 0 (not set) or 5 to 480")
	}
	ev := ServiceTypeAdded{ServiceTypeID: id, Code: code, Name: strings.TrimSpace(name), Minutes: minutes, At: at.UTC()}
	p.Apply(ev)
	return ev, nil
}

// PublishConsentTemplate publishes the next version of serviceType's consent form, in force from
// effectiveFrom, which may not precede the previous version's. Every client who signed an older
// version needs to consent again from then on (see client.Client.ConsentState).
func (p *Practice) PublishConsentTemplate(actor domain.Actor, serviceType domain.ID, text string, effectiveFrom, at time.Time) (domain.Event, error) {
	if err := requireRole(actor, "publish_consent_template", domain.RoleAdmin); err != nil {
		return nil, err
	}
	if _, ok := p.serviceTypes[serviceType]; !ok {
		return nil, domain.NotFound("service_type", serviceType)
	}
	if isBlank(text) || len(text) > MaxConsentTextBytes || !utf8.ValidString(text) {
		return nil, domain.Invalid("text", "must be non-blank UTF-8 of at most 256 KiB")
	}
	if effectiveFrom.IsZero() {
		return nil, domain.Invalid("effective_from", "is required")
	}
	versions := p.consent[serviceType]
	if n := len(versions); n > 0 && effectiveFrom.Before(versions[n-1].EffectiveFrom) {
		return nil, domain.Invalid("effective_from", "precedes the previous version's")
	}
	sum := sha256.Sum256([]byte(text))
	ev := ConsentTemplatePublished{
		ServiceTypeID: serviceType, Version: len(versions) + 1, Text: text,
		ContentHash: hex.EncodeToString(sum[:]), EffectiveFrom: effectiveFrom.UTC(), At: at.UTC(),
	}
	p.Apply(ev)
	return ev, nil
}

// SetConsentRule changes the consent rule.
func (p *Practice) SetConsentRule(actor domain.Actor, rule ConsentRule, at time.Time) (domain.Event, error) {
	if err := requireRole(actor, "set_consent_rule", domain.RoleAdmin); err != nil {
		return nil, err
	}
	if !rule.Valid() {
		return nil, domain.Invalid("consent_rule", "must be block or warn")
	}
	ev := ConsentRuleSet{Rule: rule, At: at.UTC()}
	p.Apply(ev)
	return ev, nil
}

// AddNoteTemplate adds a practice's own note template: a name and 1 to 30 fields with distinct
// slug keys.
func (p *Practice) AddNoteTemplate(actor domain.Actor, id domain.ID, name string, fields []NoteField, at time.Time) (domain.Event, error) {
	if err := requireRole(actor, "add_note_template", domain.RoleAdmin); err != nil {
		return nil, err
	}
	if id.IsZero() {
		return nil, domain.Invalid("template_id", "is required")
	}
	if _, ok := p.noteTemplates[id]; ok {
		return nil, domain.Conflict("note_template_exists", "note template "+id.String()+" exists")
	}
	if err := checkName("name", name); err != nil {
		return nil, err
	}
	if len(fields) == 0 || len(fields) > 30 {
		return nil, domain.Invalid("fields", "must number 1 to 30")
	}
	seen := map[string]bool{}
	out := make([]NoteField, len(fields))
	for i, f := range fields {
		if !isSlug(f.Key) || seen[f.Key] {
			return nil, domain.Invalid("fields", "keys must be distinct slugs of [a-z0-9_]")
		}
		seen[f.Key] = true
		if err := checkName("field_label", f.Label); err != nil {
			return nil, err
		}
		out[i] = NoteField{Key: f.Key, Label: strings.TrimSpace(f.Label), Required: f.Required}
	}
	ev := NoteTemplateAdded{TemplateID: id, Name: strings.TrimSpace(name), Fields: out, At: at.UTC()}
	p.Apply(ev)
	return ev, nil
}

// SetRetention changes the retention period of a record kind. The DPO or an admin may.
func (p *Practice) SetRetention(actor domain.Actor, kind RecordKind, years int, at time.Time) (domain.Event, error) {
	if err := requireRole(actor, "set_retention", domain.RoleDPO, domain.RoleAdmin); err != nil {
		return nil, err
	}
	if !kind.Valid() {
		return nil, domain.Invalid("kind", "is not a record kind")
	}
	if lo, hi := retentionLimits(kind); years < lo || years > hi {
		return nil, domain.Invalid("years", "is out of range for this record kind")
	}
	ev := RetentionPeriodSet{Kind: kind, Years: years, At: at.UTC()}
	p.Apply(ev)
	return ev, nil
}

// ServiceTypes returns the practice's service types ordered by code.
func (p *Practice) ServiceTypes() []ServiceType {
	out := make([]ServiceType, 0, len(p.serviceTypes))
	for _, s := range p.serviceTypes {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// requireRole fails with KindForbidden (code "<action>_forbidden") unless actor has one of roles.
func requireRole(actor domain.Actor, action string, roles ...domain.Role) error {
	for _, r := range roles {
		if actor.Role == r && !actor.UserID.IsZero() {
			return nil
		}
	}
	return domain.Forbidden(action+"_forbidden", "role "+string(actor.Role)+" may not "+strings.ReplaceAll(action, "_", " "))
}

func isSlug(s string) bool {
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

func checkName(field, s string) error {
	if isBlank(s) || len(s) > maxNameBytes || !utf8.ValidString(s) {
		return domain.Invalid(field, "must be non-blank UTF-8 of at most 200 bytes")
	}
	return nil
}

func isBlank(s string) bool { return strings.TrimSpace(s) == "" }
