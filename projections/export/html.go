package export

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"strings"
	"time"
)

//go:embed report.html.tmpl
var reportSource string

var report = template.Must(template.New("report").Funcs(template.FuncMap{
	"fmtTime": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"join":    func(s []string) string { return strings.Join(s, ", ") },
}).Parse(reportSource))

// HTML renders r as a self-contained, human-readable HTML report. Every value is escaped by
// html/template, so text a client or clinician typed can never become markup or script.
func HTML(r *Record) ([]byte, error) {
	var b bytes.Buffer
	if err := report.Execute(&b, r); err != nil {
		return nil, fmt.Errorf("export: render report %s: %w", r.ClientID, err)
	}
	return b.Bytes(), nil
}
