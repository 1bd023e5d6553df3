package export

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"
	"time"
)

var textReport = template.Must(template.New("text").Funcs(template.FuncMap{
	"fmtTime": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"join":    func(s []string) string { return strings.Join(s, ", ") },
}).Parse(`Client {{.ClientID}}{{with .AsOf}} as it stood at {{fmtTime .}}{{end}}
{{- if .Erased}}
ERASED: payloads sealed under the client's shredded key are unreadable.{{end}}
{{with .Person}}Name: {{.GivenName}} {{.FamilyName}}
Date of birth: {{.DateOfBirth}}
{{end}}Record kind: {{.Treatment.RecordKind}}; treatment ended: {{or .Treatment.DischargedOn "ongoing"}}; restricted: {{.Treatment.Restricted}}
Custody:
{{range .Custody}}  {{.TherapistID}} from {{fmtTime .From}}{{with .Until}} until {{fmtTime .}}{{end}} ({{.Basis}})
{{end}}Consents:
{{range .Consents}}  service {{.ServiceTypeID}} v{{.Version}} signed {{fmtTime .SignedAt}}{{with .WithdrawnAt}} withdrawn {{fmtTime .}}{{end}}
{{end}}Appointments:
{{range .Appointments}}  {{.ID}} {{fmtTime .Start}} {{.Status}}
{{end}}Notes:
{{range .Notes}}  {{.Kind}} note {{.ID}} {{.Status}}, {{len .Versions}} version(s), {{len .Addenda}} addend(a)
{{range $k, $v := .Fields}}    {{$k}}: {{$v}}
{{end}}{{range .Addenda}}    addendum {{fmtTime .At}}: {{.Text}}
{{end}}{{end}}Erasure requests:
{{range .ErasureRequests}}  {{.ID}} {{.Decision}}
{{end}}Events folded:
{{range .Events}}  {{fmtTime .RecordedAt}} {{.Stream}}@{{.Version}} {{.Type}} by {{.ActorRole}} {{.ActorID}}{{if .Erased}} [erased]{{end}}
{{end}}`))

// Text renders r as plain text for a terminal: the replay's human-readable form.
func Text(r *Record) ([]byte, error) {
	var b bytes.Buffer
	if err := textReport.Execute(&b, r); err != nil {
		return nil, fmt.Errorf("export: render text %s: %w", r.ClientID, err)
	}
	return b.Bytes(), nil
}
