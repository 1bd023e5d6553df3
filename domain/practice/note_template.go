package practice

import "github.com/caseledger/caseledger/domain"

// NoteField is one named field of a session-note template.
type NoteField struct {
	Key      string `json:"key"`
	Label    string `json:"label"`
	Required bool   `json:"required,omitempty"`
}

// NoteTemplate is a named set of fields a session note fills in.
type NoteTemplate struct {
	ID     domain.ID   `json:"id"`
	Name   string      `json:"name"`
	Fields []NoteField `json:"fields"`
}

// The ids of the built-in templates, the same in every practice.
var (
	TemplateSOAP = domain.ID{15: 1}
	TemplateDAP  = domain.ID{15: 2}
	TemplateBIRP = domain.ID{15: 3}
)

// BuiltinNoteTemplates returns SOAP, DAP and BIRP, which every practice has. Each call returns
// fresh values.
func BuiltinNoteTemplates() []NoteTemplate {
	return []NoteTemplate{
		{ID: TemplateSOAP, Name: "SOAP", Fields: []NoteField{
			{Key: "subjective", Label: "Subjective", Required: true},
			{Key: "objective", Label: "Objective", Required: true},
			{Key: "assessment", Label: "Assessment", Required: true},
			{Key: "plan", Label: "Plan", Required: true},
		}},
		{ID: TemplateDAP, Name: "DAP", Fields: []NoteField{
			{Key: "data", Label: "Data", Required: true},
			{Key: "assessment", Label: "Assessment", Required: true},
			{Key: "plan", Label: "Plan", Required: true},
		}},
		{ID: TemplateBIRP, Name: "BIRP", Fields: []NoteField{
			{Key: "behavior", Label: "Behavior", Required: true},
			{Key: "intervention", Label: "Intervention", Required: true},
			{Key: "response", Label: "Response", Required: true},
			{Key: "plan", Label: "Plan", Required: true},
		}},
	}
}

// CheckFields reports whether fields fill t: every key must be one of t's fields and every
// required field must be non-blank. The error names the field key, never its content.
func (t NoteTemplate) CheckFields(fields map[string]string, requireAll bool) error {
	known := make(map[string]bool, len(t.Fields))
	for _, f := range t.Fields {
		known[f.Key] = true
		if requireAll && f.Required && isBlank(fields[f.Key]) {
			return domain.Invalid("note_field", "required field "+f.Key+" is empty")
		}
	}
	for k, v := range fields {
		if !known[k] {
			return domain.Invalid("note_field", "a field is not in template "+t.ID.String())
		}
		if len(v) > MaxNoteFieldBytes {
			return domain.Invalid("note_field", "field "+k+" is too long")
		}
	}
	return nil
}

// MaxNoteFieldBytes bounds one field of a note.
const MaxNoteFieldBytes = 64 << 10
