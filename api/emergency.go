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
			to, from := s.clock.Now().Add(time.Second), time.Time{}
			var err error
			if v := q.Get("to"); v != "" {
				if to, err = requiredTime(v, "to"); err != nil {
					return emergencyListResponse{}, err
				}
			}
			from = to.Add(-31 * 24 * time.Hour)
			if v := q.Get("from"); v != "" {
				if from, err = requiredTime(v, "from"); err != nil {
					return emergencyListResponse{}, err
				}
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
