package practice

import (
	"time"

	"github.com/caseledger/caseledger/domain"
)

// PracticeOpened starts a practice's stream. ConsentRule is the initial consent rule.
type PracticeOpened struct {
	PracticeID  domain.ID   `json:"practice_id"`
	ConsentRule ConsentRule `json:"consent_rule"`
	At          time.Time   `json:"at"`
}

// StaffMemberAdded gives a user a role in the practice. Names are kept out of the log.
type StaffMemberAdded struct {
	UserID domain.ID   `json:"user_id"`
	Role   domain.Role `json:"role"`
	At     time.Time   `json:"at"`
}

// StaffMemberLeft ends a user's membership of the practice.
type StaffMemberLeft struct {
	UserID domain.ID `json:"user_id"`
	At     time.Time `json:"at"`
}

// ServiceTypeAdded adds a kind of service the practice offers. Code is a stable slug such as
// "individual_therapy"; Name is the display name.
type ServiceTypeAdded struct {
	ServiceTypeID domain.ID `json:"service_type_id"`
	Code          string    `json:"code"`
	Name          string    `json:"name"`
	// Minutes is the length of a session (0: not set; events before it was recorded have none).
	Minutes int       `json:"minutes,omitempty"`
	At      time.Time `json:"at"`
}

// ConsentTemplatePublished publishes a new version of a service type's consent form. Version
// counts from 1 per service type; ContentHash is the hex SHA-256 of Text. The version becomes the
// one clients must have signed from EffectiveFrom on.
type ConsentTemplatePublished struct {
	ServiceTypeID domain.ID `json:"service_type_id"`
	Version       int       `json:"version"`
	Text          string    `json:"text"`
	ContentHash   string    `json:"content_hash"`
	EffectiveFrom time.Time `json:"effective_from"`
	At            time.Time `json:"at"`
}

// ConsentRuleSet changes what happens when a service is booked without valid consent.
type ConsentRuleSet struct {
	Rule ConsentRule `json:"rule"`
	At   time.Time   `json:"at"`
}

// NoteTemplateAdded adds a practice's own session-note template.
type NoteTemplateAdded struct {
	TemplateID domain.ID   `json:"template_id"`
	Name       string      `json:"name"`
	Fields     []NoteField `json:"fields"`
	At         time.Time   `json:"at"`
}

// RetentionPeriodSet changes how many years records of a kind are kept (for RecordChild: the
// birthday until which they are kept).
type RetentionPeriodSet struct {
	Kind  RecordKind `json:"kind"`
	Years int        `json:"years"`
	At    time.Time  `json:"at"`
}

func (PracticeOpened) EventType() string           { return "PracticeOpened" }
func (StaffMemberAdded) EventType() string         { return "StaffMemberAdded" }
func (StaffMemberLeft) EventType() string          { return "StaffMemberLeft" }
func (ServiceTypeAdded) EventType() string         { return "ServiceTypeAdded" }
func (ConsentTemplatePublished) EventType() string { return "ConsentTemplatePublished" }
func (ConsentRuleSet) EventType() string           { return "ConsentRuleSet" }
func (NoteTemplateAdded) EventType() string        { return "NoteTemplateAdded" }
func (RetentionPeriodSet) EventType() string       { return "RetentionPeriodSet" }
