package api

import (
	"net/http"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/domain"
)

// withBody returns a route handler that decodes a Req body strictly, runs fn with the caller and
// answers its result as JSON with status (204 and no body when status is 204).
func withBody[Req, Res any](s *server, status int, fn func(r *http.Request, actor domain.Actor, req Req) (Res, error)) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		var req Req
		if err := decodeBody(w, r, s.cfg.MaxBodyBytes, &req); err != nil {
			return err
		}
		res, err := fn(r, actorFrom(r.Context()), req)
		if err != nil {
			return err
		}
		return answer(w, status, res)
	}
}

// noBody is withBody for routes that take no request body.
func noBody[Res any](status int, fn func(r *http.Request, actor domain.Actor) (Res, error)) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		res, err := fn(r, actorFrom(r.Context()))
		if err != nil {
			return err
		}
		return answer(w, status, res)
	}
}

func answer(w http.ResponseWriter, status int, res any) error {
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return nil
	}
	return writeJSON(w, status, res)
}

// none is the result of a route that answers 204.
type none struct{}

// orNewID returns id, or a fresh UUIDv7 when id is zero (callers may choose ids so that retries
// are idempotent).
func orNewID(id domain.ID) (domain.ID, error) {
	if !id.IsZero() {
		return id, nil
	}
	v7, err := uuid.NewV7()
	return domain.ID(v7), err
}

// pathIDs parses several route variables as ids, in order.
func pathIDs(r *http.Request, names ...string) ([]domain.ID, error) {
	out := make([]domain.ID, len(names))
	for i, n := range names {
		id, err := pathID(r, n)
		if err != nil {
			return nil, err
		}
		out[i] = id
	}
	return out, nil
}

// purposeParam returns the ?purpose= of a read of clinical data (default "treatment").
func purposeParam(r *http.Request) string {
	if p := r.URL.Query().Get("purpose"); p != "" {
		return p
	}
	return "treatment"
}
