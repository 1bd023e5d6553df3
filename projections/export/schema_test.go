package export_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// validate checks v against the subset of JSON Schema that schema/sar-export.schema.json uses:
// $ref to $defs, type, const, enum, pattern, oneOf, required, properties, additionalProperties
// (false or a schema), items and minimum. It returns the first violation with its JSON path.
func validate(root, s map[string]any, v any, path string) error {
	if ref, ok := s["$ref"].(string); ok {
		def := root["$defs"].(map[string]any)[strings.TrimPrefix(ref, "#/$defs/")]
		if def == nil {
			return fmt.Errorf("%s: unknown $ref %s", path, ref)
		}
		return validate(root, def.(map[string]any), v, path)
	}
	if c, ok := s["const"]; ok && c != v {
		return fmt.Errorf("%s: %v is not %v", path, v, c)
	}
	if e, ok := s["enum"].([]any); ok {
		found := false
		for _, x := range e {
			found = found || x == v
		}
		if !found {
			return fmt.Errorf("%s: %v is not one of %v", path, v, e)
		}
	}
	if one, ok := s["oneOf"].([]any); ok {
		for _, alt := range one {
			if validate(root, alt.(map[string]any), v, path) == nil {
				return nil
			}
		}
		return fmt.Errorf("%s: matches no alternative", path)
	}
	switch s["type"] {
	case "null":
		if v != nil {
			return fmt.Errorf("%s: want null", path)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("%s: want a boolean", path)
		}
	case "integer":
		f, ok := v.(float64)
		if !ok || f != float64(int64(f)) {
			return fmt.Errorf("%s: want an integer", path)
		}
		if m, ok := s["minimum"].(float64); ok && f < m {
			return fmt.Errorf("%s: below %v", path, m)
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s: want a string", path)
		}
		if p, ok := s["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(str) {
			return fmt.Errorf("%s: %q does not match %s", path, str, p)
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s: want an array", path)
		}
		for i, x := range arr {
			if err := validate(root, s["items"].(map[string]any), x, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: want an object", path)
		}
		for _, r := range asSlice(s["required"]) {
			if _, ok := obj[r.(string)]; !ok {
				return fmt.Errorf("%s: %s is required", path, r)
			}
		}
		props, _ := s["properties"].(map[string]any)
		for k, x := range obj {
			sub, ok := props[k].(map[string]any)
			if !ok {
				switch ap := s["additionalProperties"].(type) {
				case bool:
					if !ap {
						return fmt.Errorf("%s: %s is not in the schema", path, k)
					}
					continue
				case map[string]any:
					sub = ap
				default:
					continue
				}
			}
			if err := validate(root, sub, x, path+"."+k); err != nil {
				return err
			}
		}
	}
	return nil
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

func loadJSON(tb testing.TB, path string) any {
	tb.Helper()
	b, err := os.ReadFile(path)
	must(tb, err)
	var v any
	must(tb, json.Unmarshal(b, &v))
	return v
}

// TestGoldenExportMatchesSchema validates the golden export against the published JSON Schema, and
// checks the schema catches a field it does not describe and a malformed id.
func TestGoldenExportMatchesSchema(t *testing.T) {
	t.Parallel()
	schema := loadJSON(t, filepath.Join("schema", "sar-export.schema.json")).(map[string]any)
	doc := loadJSON(t, filepath.Join("..", "..", "testdata", "sar", "export.json"))
	if err := validate(schema, schema, doc, "$"); err != nil {
		t.Fatalf("the golden export does not match the schema: %v", err)
	}
	cases := []struct {
		name   string
		change func(map[string]any)
	}{
		{"unknown field", func(m map[string]any) { m["nickname"] = "x" }},
		{"bad id", func(m map[string]any) { m["client_id"] = "42" }},
		{"note without fields", func(m map[string]any) { delete(m["notes"].([]any)[0].(map[string]any), "fields") }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := loadJSON(t, filepath.Join("..", "..", "testdata", "sar", "export.json")).(map[string]any)
			c.change(bad)
			if validate(schema, schema, bad, "$") == nil {
				t.Fatal("the schema accepted a document it does not describe")
			}
		})
	}
}
