package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
)

type emergencyListResponse struct {
	Grants []grantRow `json:"grants"`
}

// emergencyRoutes are the DPO's view of break-glass grants: the list (?from=&to= RFC 3339, default
// the last 31 days; ?pending=true for unreviewed only), each with its stated reason read from the
// sealed event, and marking a grant reviewed.
func (s *server) emergencyRoutes() []route {
	reviewers := []domain.Role{domain.RoleDPO, domain.RoleAuditor}
	return []route{
		{method: "GET", path: "/emergency-access", roles: reviewers, handle: noBody(http.StatusOK, func(r *http.Request, a domain.Actor) (emergencyListResponse, error) {
			q := r.URL.Query()
			to, err := timeParam(q.Get("to"), s.clock.Now().Add(time.Second))
			if err != nil {
				return emergencyListResponse{}, err
			}
			from, err := timeParam(q.Get("from"), to.Add(-31*24*time.Hour))
			if err != nil {
				return emergencyListResponse{}, err
			}
			rows, err := s.grants.list(r.Context(), from, to, q.Get("pending") == "true")
			if err != nil {
				return emergencyListResponse{}, err
			}
			for i := range rows {
				g, err := commands.LoadEmergencyGrant(r.Context(), s.deps(), rows[i].GrantID)
				switch {
				case errors.Is(err, domain.ErrErased):
					rows[i].Reason = "" // the client was erased; the reason went with their key
				case err != nil:
					return emergencyListResponse{}, err
				default:
					rows[i].Reason = g.Reason
				}
			}
			return emergencyListResponse{Grants: rows}, nil
		})},
		{method: "POST", path: "/emergency-access/{grant_id}/review", roles: []domain.Role{domain.RoleDPO}, handle: noBody(http.StatusNoContent, func(r *http.Request, a domain.Actor) (none, error) {
			id, err := pathID(r, "grant_id")
			if err != nil {
				return none{}, err
			}
			return none{}, s.grants.review(r.Context(), id, a.UserID, s.clock.Now())
		})},
	}
}

// timeParam parses an RFC 3339 query parameter, or returns def when it is empty.
func timeParam(v string, def time.Time) (time.Time, error) {
	if v == "" {
		return def, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, domain.Invalid("time", "must be RFC 3339")
	}
	return t, nil
}
