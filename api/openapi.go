package api

import (
	_ "embed"
	"net/http"
)

// openAPIDocument is api/openapi.json, the OpenAPI 3.1 description of every route in routes().
//
//go:embed openapi.json
var openAPIDocument []byte

// serveOpenAPI handles GET /openapi.json.
func serveOpenAPI(w http.ResponseWriter, _ *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(openAPIDocument)
	return err
}
