package practice

import (
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/internal/jsonevent"
)

// Decode turns a stored practice event back into its value type. It returns an ErrInvalid error
// for an unknown type, an unknown schema version or a payload that does not decode strictly; it
// never panics.
var Decode = jsonevent.Decoder("practice", map[string]func(string, []byte) (domain.Event, error){
	"PracticeOpened":           jsonevent.Of[PracticeOpened](),
	"StaffMemberAdded":         jsonevent.Of[StaffMemberAdded](),
	"StaffMemberLeft":          jsonevent.Of[StaffMemberLeft](),
	"ServiceTypeAdded":         jsonevent.Of[ServiceTypeAdded](),
	"ConsentTemplatePublished": jsonevent.Of[ConsentTemplatePublished](),
	"ConsentRuleSet":           jsonevent.Of[ConsentRuleSet](),
	"NoteTemplateAdded":        jsonevent.Of[NoteTemplateAdded](),
	"RetentionPeriodSet":       jsonevent.Of[RetentionPeriodSet](),
})
