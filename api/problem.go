package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/identity"
)

// Problem is an RFC 9457 problem details body. Code is stable and documented; Detail carries ids
// and field names, never personal data.
type Problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Code      string `json:"code"`
	Detail    string `json:"detail,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

// statusFor is the one place that maps errors to HTTP statuses: first the codes that need a status
// of their own, then the domain kinds. Anything else is a 500 whose detail hides the error.
func statusFor(err error) (status int, code, detail string) {
	var de *domain.Error
	if !errors.As(err, &de) {
		return http.StatusInternalServerError, "internal", "the server failed; the request id identifies it in the logs"
	}
	switch de.Code {
	case "unauthenticated", "session_expired", "invalid_credentials", "second_factor_required", "invalid_second_factor":
		return http.StatusUnauthorized, de.Code, de.Message
	case "account_locked", "sign_in_throttled", "too_many_requests":
		return http.StatusTooManyRequests, de.Code, de.Message
	case "body_too_large":
		return http.StatusRequestEntityTooLarge, de.Code, de.Message
	case "unsupported_media_type":
		return http.StatusUnsupportedMediaType, de.Code, de.Message
	case "method_not_allowed":
		return http.StatusMethodNotAllowed, de.Code, de.Message
	}
	switch de.Kind {
	case domain.KindInvalid:
		return http.StatusBadRequest, de.Code, de.Message
	case domain.KindNotFound:
		return http.StatusNotFound, de.Code, de.Message
	case domain.KindForbidden:
		return http.StatusForbidden, de.Code, de.Message
	case domain.KindConflict:
		return http.StatusConflict, de.Code, de.Message
	case domain.KindErased:
		return http.StatusGone, de.Code, de.Message
	}
	return http.StatusInternalServerError, "internal", "the server failed; the request id identifies it in the logs"
}

// writeError answers err as problem+json. Server errors are logged with the request id; the log
// line carries the error text, which by convention holds ids only.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, code, detail := statusFor(err)
	info := infoFrom(r.Context())
	if status >= 500 {
		s.logger.ErrorContext(r.Context(), "request failed", slog.String("request_id", info.requestID), slog.String("route", info.route), slog.String("error", err.Error()))
	}
	var wait *identity.WaitError
	if errors.As(err, &wait) {
		secs := int(wait.Until.Sub(s.clock.Now()).Round(time.Second) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	}
	info.code = code
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(Problem{
		Type:      "urn:caseledger:problem:" + code,
		Title:     http.StatusText(status),
		Status:    status,
		Code:      code,
		Detail:    detail,
		RequestID: info.requestID,
	})
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// apiError builds a domain error for conditions that only the HTTP layer detects.
func apiError(kind domain.Kind, code, msg string) *domain.Error {
	return &domain.Error{Kind: kind, Code: code, Message: msg}
}
