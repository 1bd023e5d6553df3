package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/caseledger/caseledger/domain"
)

// decodeBody reads r's JSON body into dst. It refuses a body over the configured limit (413
// "body_too_large"), a content type other than application/json (415 "unsupported_media_type":
// this also keeps cross-site HTML forms out), unknown fields (400 "unknown_field"), malformed or
// trailing JSON (400 "malformed_json") and values of the wrong type (400 "invalid_<field>").
// Errors from a field's own decoding (an id that is not a UUID) are returned as they are.
func decodeBody(w http.ResponseWriter, r *http.Request, limit int64, dst any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return apiError(domain.KindInvalid, "unsupported_media_type", "request bodies must be application/json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return apiError(domain.KindInvalid, "body_too_large", fmt.Sprintf("request body exceeds %d bytes", limit))
	}
	if err != nil {
		return apiError(domain.KindInvalid, "malformed_json", "request body could not be read")
	}
	return decodeJSON(body, dst)
}

// decodeJSON is the strict decoding behind decodeBody, separate so it can be fuzzed alone.
func decodeJSON(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return apiError(domain.KindInvalid, "malformed_json", "request body is empty")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return apiError(domain.KindInvalid, "malformed_json", "request body has data after the JSON value")
	}
	return nil
}

// jsonError turns an encoding/json error into a domain error with a stable code.
func jsonError(err error) error {
	var de *domain.Error
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &de):
		return de
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return apiError(domain.KindInvalid, "malformed_json", "request body must be a JSON object")
		}
		return domain.Invalid(sanitiseField(field), "has the wrong type")
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return apiError(domain.KindInvalid, "malformed_json", "request body is not valid JSON")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apiError(domain.KindInvalid, "unknown_field", fmt.Sprintf("field %q is not accepted here", sanitiseField(name)))
	}
	return apiError(domain.KindInvalid, "malformed_json", "request body could not be decoded")
}

// sanitiseField keeps a client-supplied field name short and printable for an error message.
func sanitiseField(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= 40 {
			break
		}
		if r == '_' || r == '.' || r == '-' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// pathID parses the route variable name as an id (400 "invalid_id" otherwise).
func pathID(r *http.Request, name string) (domain.ID, error) {
	return domain.ParseID(mux.Vars(r)[name])
}
