package api

import (
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/practice"
)

type openPracticeRequest struct {
	ID          domain.ID            `json:"id,omitzero"`
	ConsentRule practice.ConsentRule `json:"consent_rule,omitempty"`
}

type staffRequest struct {
	UserID domain.ID   `json:"user_id"`
	Role   domain.Role `json:"role"`
}

type serviceTypesResponse struct {
	ServiceTypes []serviceTypeView `json:"service_types"`
}

// serviceTypeView is one service type; minutes is 0 when no session length is set.
type serviceTypeView struct {
	ID      domain.ID `json:"id"`
	Code    string    `json:"code"`
	Name    string    `json:"name"`
	Minutes int       `json:"minutes"`
}

type practicesResponse struct {
	Practices []practiceView `json:"practices"`
}

// practiceView is a practice's settings for its admin: ids, codes, names of services, numbers.
type practiceView struct {
	ID           domain.ID             `json:"id"`
	ConsentRule  practice.ConsentRule  `json:"consent_rule"`
	Staff        []staffView           `json:"staff"`
	ServiceTypes []practiceServiceView `json:"service_types"`
	Retention    practice.Retention    `json:"retention_years"`
}

type staffView struct {
	UserID domain.ID   `json:"user_id"`
	Role   domain.Role `json:"role"`
}

// practiceServiceView is a service type with the version of its consent form in force (0: none)
// and the latest published, with when it takes effect.
type practiceServiceView struct {
	serviceTypeView
	ConsentInForce      int       `json:"consent_version_in_force"`
	ConsentLatest       int       `json:"consent_version_latest"`
	LatestEffectiveFrom time.Time `json:"consent_latest_effective_from,omitzero"`
}

type serviceTypeRequest struct {
	ID      domain.ID `json:"id,omitzero"`
	Code    string    `json:"code"`
	Name    string    `json:"name"`
	Minutes int       `json:"minutes,omitempty"`
}

type consentTemplateRequest struct {
	ServiceTypeID domain.ID `json:"service_type_id"`
	Text          string    `json:"text"`
	EffectiveFrom time.Time `json:"effective_from"`
}

type consentRuleRequest struct {
	Rule practice.ConsentRule `json:"rule"`
}

type noteTemplateRequest struct {
	ID     domain.ID            `json:"id,omitzero"`
	Name   string               `json:"name"`
	Fields []practice.NoteField `json:"fields"`
}

type retentionRequest struct {
	Years int `json:"years"`
}

type caseloadTransferRequest struct {
	From   domain.ID `json:"from"`
	To     domain.ID `json:"to"`
	Reason string    `json:"reason"`
}

type caseloadTransferResponse struct {
	Moved   []domain.ID          `json:"moved"`
	Skipped []domain.ID          `json:"skipped"`
	Failed  map[domain.ID]string `json:"failed"`
}

// practiceRoutes are the practice settings: opening a practice, staff, service types, consent
// templates and rule, note templates, retention periods, caseload transfers. The commands
// authorise (admins for settings, the DPO for transfers).
func (s *server) practiceRoutes() []route {
	settings := func() *commands.PracticeSettingsHandler { return commands.NewPracticeSettingsHandler(s.deps()) }
	return []route{
		{method: "POST", path: "/practices", roles: staff, handle: withBody(s, http.StatusCreated, func(r *http.Request, a domain.Actor, req openPracticeRequest) (idResponse, error) {
			id, err := orNewID(req.ID)
			if err != nil {
				return idResponse{}, err
			}
			return idResponse{ID: id}, commands.NewOpenPracticeHandler(s.deps()).Handle(r.Context(), a, commands.OpenPractice{PracticeID: id, ConsentRule: req.ConsentRule})
		})},
		{method: "POST", path: "/practices/{id}/staff", roles: staff, handle: withBody(s, http.StatusNoContent, func(r *http.Request, a domain.Actor, req staffRequest) (none, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return none{}, err
			}
			return none{}, settings().AddStaffMember(r.Context(), a, id, req.UserID, req.Role)
		})},
		{method: "DELETE", path: "/practices/{id}/staff/{user_id}", roles: staff, handle: noBody(http.StatusNoContent, func(r *http.Request, a domain.Actor) (none, error) {
			ids, err := pathIDs(r, "id", "user_id")
			if err != nil {
				return none{}, err
			}
			return none{}, settings().RemoveStaffMember(r.Context(), a, ids[0], ids[1])
		})},
		{method: "GET", path: "/practices", roles: []domain.Role{domain.RoleAdmin}, handle: noBody(http.StatusOK, func(r *http.Request, a domain.Actor) (practicesResponse, error) {
			ps, err := commands.NewListPracticesHandler(s.deps(), s.cfg.Streams).Handle(r.Context(), a)
			out := practicesResponse{Practices: []practiceView{}}
			for _, p := range ps {
				v := practiceView{ID: p.ID, ConsentRule: p.ConsentRule, Staff: []staffView{}, ServiceTypes: []practiceServiceView{}, Retention: p.Retention}
				for _, m := range p.Staff {
					v.Staff = append(v.Staff, staffView{UserID: m.UserID, Role: m.Role})
				}
				for _, st := range p.ServiceTypes {
					v.ServiceTypes = append(v.ServiceTypes, practiceServiceView{
						serviceTypeView: serviceTypeView{ID: st.ID, Code: st.Code, Name: st.Name, Minutes: st.Minutes},
						ConsentInForce:  st.ConsentInForce, ConsentLatest: st.ConsentLatest, LatestEffectiveFrom: st.LatestEffectiveFrom,
					})
				}
				out.Practices = append(out.Practices, v)
			}
			return out, err
		})},
		{method: "GET", path: "/practices/{id}/service-types", roles: staff, handle: noBody(http.StatusOK, func(r *http.Request, a domain.Actor) (serviceTypesResponse, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return serviceTypesResponse{}, err
			}
			sts, err := settings().ServiceTypes(r.Context(), a, id)
			out := serviceTypesResponse{ServiceTypes: []serviceTypeView{}}
			for _, st := range sts {
				out.ServiceTypes = append(out.ServiceTypes, serviceTypeView{ID: st.ID, Code: st.Code, Name: st.Name, Minutes: st.Minutes})
			}
			return out, err
		})},
		{method: "POST", path: "/practices/{id}/service-types", roles: staff, handle: withBody(s, http.StatusCreated, func(r *http.Request, a domain.Actor, req serviceTypeRequest) (idResponse, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return idResponse{}, err
			}
			st, err := orNewID(req.ID)
			if err != nil {
				return idResponse{}, err
			}
			return idResponse{ID: st}, settings().AddServiceType(r.Context(), a, id, st, req.Code, req.Name, req.Minutes)
		})},
		{method: "POST", path: "/practices/{id}/consent-templates", roles: staff, handle: withBody(s, http.StatusNoContent, func(r *http.Request, a domain.Actor, req consentTemplateRequest) (none, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return none{}, err
			}
			return none{}, settings().PublishConsentTemplate(r.Context(), a, id, req.ServiceTypeID, req.Text, req.EffectiveFrom)
		})},
		{method: "PUT", path: "/practices/{id}/consent-rule", roles: staff, handle: withBody(s, http.StatusNoContent, func(r *http.Request, a domain.Actor, req consentRuleRequest) (none, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return none{}, err
			}
			return none{}, settings().SetConsentRule(r.Context(), a, id, req.Rule)
		})},
		{method: "POST", path: "/practices/{id}/note-templates", roles: staff, handle: withBody(s, http.StatusCreated, func(r *http.Request, a domain.Actor, req noteTemplateRequest) (idResponse, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return idResponse{}, err
			}
			tid, err := orNewID(req.ID)
			if err != nil {
				return idResponse{}, err
			}
			return idResponse{ID: tid}, settings().AddNoteTemplate(r.Context(), a, id, tid, req.Name, req.Fields)
		})},
		{method: "PUT", path: "/practices/{id}/retention-periods/{kind}", roles: staff, handle: withBody(s, http.StatusNoContent, func(r *http.Request, a domain.Actor, req retentionRequest) (none, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return none{}, err
			}
			return none{}, settings().SetRetentionPeriod(r.Context(), a, id, practice.RecordKind(mux.Vars(r)["kind"]), req.Years)
		})},
		{method: "POST", path: "/practices/{id}/caseload-transfers", roles: staff, handle: withBody(s, http.StatusOK, func(r *http.Request, a domain.Actor, req caseloadTransferRequest) (caseloadTransferResponse, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return caseloadTransferResponse{}, err
			}
			res, err := commands.NewTransferCaseloadHandler(s.deps()).Handle(r.Context(), a, commands.TransferCaseload{PracticeID: id, From: req.From, To: req.To, Reason: req.Reason})
			if err != nil {
				return caseloadTransferResponse{}, err
			}
			out := caseloadTransferResponse{Moved: res.Moved, Skipped: res.Skipped, Failed: map[domain.ID]string{}}
			for cid, ferr := range res.Failed {
				_, code, _ := statusFor(ferr)
				out.Failed[cid] = code
			}
			return out, nil
		})},
	}
}
