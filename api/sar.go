package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/sar"
	"github.com/caseledger/caseledger/projections/export"
)

type receiveSARRequest struct {
	ID               domain.ID    `json:"id,omitzero"`
	ClientID         domain.ID    `json:"client_id"`
	ReceivedOn       sar.Date     `json:"received_on"`
	Channel          sar.Channel  `json:"channel"`
	Identity         sar.Identity `json:"identity"`
	ByRepresentative bool         `json:"by_representative,omitempty"`
	// Regime overrides the practice's rules for this request (empty: the practice's).
	Regime sar.Regime `json:"regime,omitempty"`
}

type sarIdentityRequest struct {
	Verified bool     `json:"verified"`
	Method   string   `json:"method,omitempty"`
	Reason   string   `json:"reason,omitempty"`
	On       sar.Date `json:"on"`
}

// extendSARRequest extends by months (uk_gdpr) or by days in writing (hipaa).
type extendSARRequest struct {
	Months     int      `json:"months,omitempty"`
	Days       int      `json:"days,omitempty"`
	InWriting  bool     `json:"in_writing,omitempty"`
	Reason     string   `json:"reason"`
	NotifiedOn sar.Date `json:"notified_on"`
}

type refuseSARRequest struct {
	Reason sar.RefusalReason `json:"reason"`
	Detail string            `json:"detail,omitempty"`
	On     sar.Date          `json:"on"`
}

type reviewSARRequest struct {
	Decisions []sar.ItemDecision `json:"decisions"`
}

type releaseSARRequest struct {
	Formats []export.Format `json:"formats"`
}

type releaseSARResponse struct {
	Digest string            `json:"digest"`
	Files  map[string]string `json:"files"`
}

type sarListResponse struct {
	Requests []sarView `json:"requests"`
}

type sarView struct {
	RequestID    domain.ID  `json:"request_id"`
	ClientID     domain.ID  `json:"client_id,omitzero"`
	ReceivedOn   sar.Date   `json:"received_on"`
	Status       sar.Status `json:"status"`
	Regime       sar.Regime `json:"regime"`
	TimeZone     string     `json:"time_zone"`
	Due          sar.Date   `json:"due,omitzero"`
	ClockRunning bool       `json:"clock_running"`
	Overdue      bool       `json:"overdue"`
	Erased       bool       `json:"erased"`
}

type sweepResponse struct {
	SweepID domain.ID    `json:"sweep_id"`
	Clients int          `json:"clients"`
	Erased  int          `json:"erased"`
	Queued  []queuedView `json:"queued"`
}

type queuedView struct {
	ClientID     domain.ID `json:"client_id"`
	RecordKind   string    `json:"record_kind"`
	DischargedOn sar.Date  `json:"discharged_on"`
	Until        sar.Date  `json:"until"`
}

type resolveRetentionRequest struct {
	Outcome          sar.RetentionOutcome `json:"outcome"`
	ErasureRequestID domain.ID            `json:"erasure_request_id,omitzero"`
	ReviewOn         sar.Date             `json:"review_on,omitzero"`
}

// sarRoutes are subject access requests (the DPO's workflow, the reviewer's decisions, the
// reviewed export and its release), the client's portable export (Art. 20), the auditors'
// as-of replay and retention resolutions. Every export is audited by the export service before
// any byte is returned.
func (s *server) sarRoutes() []route {
	dpo := []domain.Role{domain.RoleDPO}
	svc := func() *export.Service { return export.NewService(s.deps()) }
	return []route{
		{method: "POST", path: "/sars", roles: dpo, handle: withBody(s, http.StatusCreated, func(r *http.Request, a domain.Actor, req receiveSARRequest) (idResponse, error) {
			id, err := orNewID(req.ID)
			if err != nil {
				return idResponse{}, err
			}
			return idResponse{ID: id}, commands.NewReceiveSARHandler(s.deps()).Handle(r.Context(), a, commands.ReceiveSAR{
				RequestID: id, ClientID: req.ClientID, ReceivedOn: req.ReceivedOn, Channel: req.Channel, Identity: req.Identity, ByRepresentative: req.ByRepresentative,
				Regime: req.Regime,
			})
		})},
		{method: "GET", path: "/sars", roles: []domain.Role{domain.RoleTherapist, domain.RoleDPO}, handle: noBody(http.StatusOK, func(r *http.Request, a domain.Actor) (sarListResponse, error) {
			var on sar.Date
			if v := r.URL.Query().Get("on"); v != "" {
				if err := on.UnmarshalText([]byte(v)); err != nil {
					return sarListResponse{}, err
				}
			}
			list, err := commands.NewListSARsHandler(s.deps(), s.cfg.Streams).Handle(r.Context(), a, on)
			out := sarListResponse{Requests: []sarView{}}
			for _, x := range list {
				out.Requests = append(out.Requests, sarView{RequestID: x.RequestID, ClientID: x.ClientID, ReceivedOn: x.ReceivedOn, Status: x.Status,
					Regime: x.Regime, TimeZone: x.TimeZone, Due: x.Due, ClockRunning: x.ClockRunning, Overdue: x.Overdue, Erased: x.Erased})
			}
			return out, err
		})},
		{method: "POST", path: "/retention-sweeps", roles: dpo, handle: noBody(http.StatusOK, func(r *http.Request, a domain.Actor) (sweepResponse, error) {
			res, err := commands.NewSweepRetentionHandler(s.deps(), s.cfg.Streams).Handle(r.Context(), a, commands.SweepRetention{})
			out := sweepResponse{SweepID: res.SweepID, Clients: res.Clients, Erased: res.Erased, Queued: []queuedView{}}
			for _, q := range res.Queued {
				out.Queued = append(out.Queued, queuedView{ClientID: q.ClientID, RecordKind: q.RecordKind, DischargedOn: q.DischargedOn, Until: q.Until})
			}
			return out, err
		})},
		{method: "POST", path: "/sars/{id}/identity", roles: dpo, handle: withBody(s, http.StatusNoContent, func(r *http.Request, a domain.Actor, req sarIdentityRequest) (none, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return none{}, err
			}
			return none{}, commands.NewSARIdentityHandler(s.deps()).Handle(r.Context(), a, commands.SARIdentity{RequestID: id, Verified: req.Verified, Method: req.Method, Reason: req.Reason, On: req.On})
		})},
		{method: "POST", path: "/sars/{id}/extension", roles: dpo, handle: withBody(s, http.StatusNoContent, func(r *http.Request, a domain.Actor, req extendSARRequest) (none, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return none{}, err
			}
			return none{}, commands.NewExtendSARHandler(s.deps()).Handle(r.Context(), a, commands.ExtendSAR{RequestID: id, Months: req.Months, Days: req.Days,
				InWriting: req.InWriting, Reason: req.Reason, NotifiedOn: req.NotifiedOn})
		})},
		{method: "POST", path: "/sars/{id}/refusal", roles: dpo, handle: withBody(s, http.StatusNoContent, func(r *http.Request, a domain.Actor, req refuseSARRequest) (none, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return none{}, err
			}
			return none{}, commands.NewRefuseSARHandler(s.deps()).Handle(r.Context(), a, commands.RefuseSAR{RequestID: id, Reason: req.Reason, Detail: req.Detail, On: req.On})
		})},
		{method: "POST", path: "/sars/{id}/review", roles: []domain.Role{domain.RoleTherapist, domain.RoleDPO}, handle: withBody(s, http.StatusNoContent, func(r *http.Request, a domain.Actor, req reviewSARRequest) (none, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return none{}, err
			}
			return none{}, commands.NewReviewSARHandler(s.deps()).Handle(r.Context(), a, commands.ReviewSAR{RequestID: id, Decisions: req.Decisions})
		})},
		{method: "GET", path: "/sars/{id}/export", roles: []domain.Role{domain.RoleTherapist, domain.RoleDPO}, handle: func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r, "id")
			if err != nil {
				return err
			}
			f, err := export.ParseFormat(formatParam(r))
			if err != nil {
				return err
			}
			rec, err := svc().SubjectAccess(r.Context(), actorFrom(r.Context()), id)
			if err != nil {
				return err
			}
			b, err := export.Render(rec, f)
			if err != nil {
				return err
			}
			return download(w, f, "sar-"+id.String(), b)
		}},
		{method: "POST", path: "/sars/{id}/release", roles: dpo, handle: withBody(s, http.StatusOK, func(r *http.Request, a domain.Actor, req releaseSARRequest) (releaseSARResponse, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return releaseSARResponse{}, err
			}
			rel, err := svc().Release(r.Context(), a, id, req.Formats)
			if err != nil {
				return releaseSARResponse{}, err
			}
			out := releaseSARResponse{Digest: rel.Digest, Files: map[string]string{}}
			for f, b := range rel.Files {
				out.Files[string(f)] = string(b)
			}
			return out, nil
		})},
		{method: "GET", path: "/clients/{id}/export", roles: []domain.Role{domain.RoleClient, domain.RoleDPO}, handle: func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r, "id")
			if err != nil {
				return err
			}
			b, err := svc().Portability(r.Context(), actorFrom(r.Context()), id)
			if err != nil {
				return err
			}
			return download(w, export.FormatJSON, "portable-"+id.String(), b)
		}},
		{method: "GET", path: "/clients/{id}/history", roles: []domain.Role{domain.RoleAuditor, domain.RoleDPO}, handle: func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r, "id")
			if err != nil {
				return err
			}
			asOf := s.clock.Now()
			if v := r.URL.Query().Get("as_of"); v != "" {
				if asOf, err = requiredTime(v, "as_of"); err != nil {
					return err
				}
			}
			f, err := export.ParseFormat(formatParam(r))
			if err != nil {
				return err
			}
			rec, err := svc().Replay(r.Context(), actorFrom(r.Context()), id, asOf)
			if err != nil {
				return err
			}
			b, err := export.Render(rec, f)
			if err != nil {
				return err
			}
			return download(w, f, "history-"+id.String()+"-"+asOf.UTC().Format(time.RFC3339), b)
		}},
		{method: "POST", path: "/clients/{id}/retention-resolution", roles: dpo, handle: withBody(s, http.StatusNoContent, func(r *http.Request, a domain.Actor, req resolveRetentionRequest) (none, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return none{}, err
			}
			return none{}, commands.NewResolveRetentionHandler(s.deps()).Handle(r.Context(), a, commands.ResolveRetention{
				ClientID: id, Outcome: req.Outcome, ErasureRequestID: req.ErasureRequestID, ReviewOn: req.ReviewOn,
			})
		})},
	}
}

// formatParam returns ?format= (json, html or fhir; default json).
func formatParam(r *http.Request) string {
	if f := r.URL.Query().Get("format"); f != "" {
		return f
	}
	return string(export.FormatJSON)
}

// download answers an export as an attachment of its format's media type.
func download(w http.ResponseWriter, f export.Format, name string, b []byte) error {
	types := map[export.Format]string{export.FormatJSON: "application/json", export.FormatHTML: "text/html; charset=utf-8", export.FormatFHIR: "application/fhir+json"}
	ext := map[export.Format]string{export.FormatJSON: ".json", export.FormatHTML: ".html", export.FormatFHIR: ".fhir.json"}
	w.Header().Set("Content-Type", types[f])
	w.Header().Set("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(name, ":", "")+ext[f]+`"`)
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(b)
	return err
}
