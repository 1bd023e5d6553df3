package api

import (
	"net/http"
	"time"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/practice"
)

type registerClientRequest struct {
	ID          domain.ID           `json:"id,omitzero"`
	PracticeID  domain.ID           `json:"practice_id"`
	TherapistID domain.ID           `json:"therapist_id"`
	RecordKind  practice.RecordKind `json:"record_kind"`
	Details     client.Details      `json:"details"`
}

type clientRecordResponse struct {
	ID           domain.ID       `json:"id"`
	PracticeID   domain.ID       `json:"practice_id"`
	TherapistID  domain.ID       `json:"therapist_id"`
	Details      client.Details  `json:"details"`
	Restricted   bool            `json:"restricted"`
	DischargedOn string          `json:"discharged_on,omitempty"`
	Custody      []custodyPeriod `json:"custody"`
}

type custodyPeriod struct {
	TherapistID domain.ID  `json:"therapist_id"`
	From        time.Time  `json:"from"`
	Until       *time.Time `json:"until,omitempty"`
}

type detailsRequest struct {
	Details client.Details `json:"details"`
}

type dischargeRequest struct {
	EndedOn string `json:"ended_on"`
}

type readmissionRequest struct {
	StartedOn string `json:"started_on"`
}

type restrictionRequest struct {
	Ground string `json:"ground,omitempty"`
	Lift   bool   `json:"lift,omitempty"`
}

type signConsentRequest struct {
	ServiceTypeID domain.ID            `json:"service_type_id"`
	Version       int                  `json:"version"`
	Method        client.SigningMethod `json:"method"`
	Signer        client.Signer        `json:"signer"`
	GuardianName  string               `json:"guardian_name,omitempty"`
	SignedAt      time.Time            `json:"signed_at"`
}

type sharingConsentRequest struct {
	ID        domain.ID            `json:"id,omitzero"`
	Recipient client.ThirdParty    `json:"recipient"`
	Purpose   string               `json:"purpose"`
	Expires   time.Time            `json:"expires"`
	Method    client.SigningMethod `json:"method"`
	SignedAt  time.Time            `json:"signed_at"`
}

type transferRequest struct {
	To            domain.ID            `json:"to"`
	Basis         client.TransferBasis `json:"basis"`
	ConsentMethod client.SigningMethod `json:"consent_method,omitempty"`
	ConsentedAt   time.Time            `json:"consented_at,omitzero"`
	Reason        string               `json:"reason,omitempty"`
}

type erasureRequest struct {
	ID      domain.ID `json:"id,omitzero"`
	Grounds string    `json:"grounds,omitempty"`
}

type erasureDecisionRequest struct {
	Decision    commands.ErasureDecision `json:"decision"`
	Exemption   client.Exemption         `json:"exemption,omitempty"`
	Explanation string                   `json:"explanation,omitempty"`
}

type emergencyAccessRequest struct {
	Reason string `json:"reason"`
}

type emergencyAccessResponse struct {
	GrantID domain.ID `json:"grant_id"`
	Until   time.Time `json:"until"`
}

// clientRoutes are a client's record: registration, the audited read, rectification, discharge,
// restriction, consents, sharing consents, transfer, erasure requests and decisions, and
// break-glass. Every command authorises against the record: a therapist who does not hold it, or a
// client acting on another, gets 404 exactly as for a missing record.
func (s *server) clientRoutes() []route {
	clientish := []domain.Role{domain.RoleTherapist, domain.RoleClient, domain.RoleDPO, domain.RolePracticeManager, domain.RoleAdmin}
	return []route{
		{method: "POST", path: "/clients", roles: clientish, handle: withBody(s, http.StatusCreated, func(r *http.Request, a domain.Actor, req registerClientRequest) (idResponse, error) {
			id, err := commands.NewRegisterClientHandler(s.deps()).Handle(r.Context(), a, commands.RegisterClient{
				ClientID: req.ID, PracticeID: req.PracticeID, TherapistID: req.TherapistID, RecordKind: req.RecordKind, Details: req.Details,
			})
			return idResponse{ID: id}, err
		})},
		{method: "GET", path: "/clients/{id}", roles: []domain.Role{domain.RoleTherapist, domain.RoleClient, domain.RoleDPO}, handle: noBody(http.StatusOK, func(r *http.Request, a domain.Actor) (clientRecordResponse, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return clientRecordResponse{}, err
			}
			rec, err := commands.NewReadClientRecordHandler(s.deps(), s.grants).Handle(r.Context(), a, commands.ReadClientRecord{
				ClientID: id, Purpose: purposeParam(r), Emergency: r.URL.Query().Get("emergency") == "true",
			})
			if err != nil {
				return clientRecordResponse{}, err
			}
			return recordResponse(rec), nil
		})},
		{method: "PUT", path: "/clients/{id}/details", roles: clientish, handle: withBody(s, http.StatusNoContent, func(r *http.Request, a domain.Actor, req detailsRequest) (none, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return none{}, err
			}
			return none{}, commands.NewRectifyClientHandler(s.deps()).Handle(r.Context(), a, commands.RectifyClient{ClientID: id, Details: req.Details})
		})},
		{method: "POST", path: "/clients/{id}/discharge", roles: clientish, handle: withBody(s, http.StatusNoContent, func(r *http.Request, a domain.Actor, req dischargeRequest) (none, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return none{}, err
			}
			ended, err := time.Parse(client.DateLayout, req.EndedOn)
			if err != nil {
				return none{}, domain.Invalid("ended_on", "must be a date YYYY-MM-DD")
			}
			return none{}, commands.NewDischargeClientHandler(s.deps()).Handle(r.Context(), a, commands.DischargeClient{ClientID: id, EndedOn: ended})
		})},
		{method: "POST", path: "/clients/{id}/readmission", roles: clientish, handle: withBody(s, http.StatusNoContent, func(r *http.Request, a domain.Actor, req readmissionRequest) (none, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return none{}, err
			}
			started, err := time.Parse(client.DateLayout, req.StartedOn)
			if err != nil {
				return none{}, domain.Invalid("started_on", "must be a date YYYY-MM-DD")
			}
			return none{}, commands.NewReadmitClientHandler(s.deps()).Handle(r.Context(), a, commands.ReadmitClient{ClientID: id, StartedOn: started})
		})},
		{method: "PUT", path: "/clients/{id}/restriction", roles: clientish, handle: withBody(s, http.StatusNoContent, func(r *http.Request, a domain.Actor, req restrictionRequest) (none, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return none{}, err
			}
			return none{}, commands.NewRestrictProcessingHandler(s.deps()).Handle(r.Context(), a, commands.RestrictProcessing{ClientID: id, Ground: req.Ground, Lift: req.Lift})
		})},
		{method: "POST", path: "/clients/{id}/consents", roles: clientish, handle: withBody(s, http.StatusNoContent, func(r *http.Request, a domain.Actor, req signConsentRequest) (none, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return none{}, err
			}
			signedAt := req.SignedAt
			if signedAt.IsZero() && req.Method == client.SignedPortal {
				// A signature through the portal is given now; the browser's clock is not asked.
				signedAt = s.clock.Now()
			}
			return none{}, commands.NewSignConsentHandler(s.deps()).Handle(r.Context(), a, commands.SignConsent{
				ClientID: id, ServiceTypeID: req.ServiceTypeID, Version: req.Version, Method: req.Method, Signer: req.Signer,
				GuardianName: req.GuardianName, SignedAt: signedAt,
			})
		})},
		{method: "DELETE", path: "/clients/{id}/consents/{service_type_id}", roles: clientish, handle: noBody(http.StatusNoContent, func(r *http.Request, a domain.Actor) (none, error) {
			ids, err := pathIDs(r, "id", "service_type_id")
			if err != nil {
				return none{}, err
			}
			return none{}, commands.NewWithdrawConsentHandler(s.deps()).Handle(r.Context(), a, commands.WithdrawConsent{ClientID: ids[0], ServiceTypeID: ids[1]})
		})},
		{method: "POST", path: "/clients/{id}/sharing-consents", roles: clientish, handle: withBody(s, http.StatusCreated, func(r *http.Request, a domain.Actor, req sharingConsentRequest) (idResponse, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return idResponse{}, err
			}
			cid, err := commands.NewSharingConsentHandler(s.deps()).Give(r.Context(), a, commands.GiveSharingConsent{
				ClientID: id, ConsentID: req.ID, Recipient: req.Recipient, Purpose: req.Purpose, Expires: req.Expires, Method: req.Method, SignedAt: req.SignedAt,
			})
			return idResponse{ID: cid}, err
		})},
		{method: "DELETE", path: "/clients/{id}/sharing-consents/{consent_id}", roles: clientish, handle: noBody(http.StatusNoContent, func(r *http.Request, a domain.Actor) (none, error) {
			ids, err := pathIDs(r, "id", "consent_id")
			if err != nil {
				return none{}, err
			}
			return none{}, commands.NewSharingConsentHandler(s.deps()).Withdraw(r.Context(), a, commands.WithdrawSharingConsent{ClientID: ids[0], ConsentID: ids[1]})
		})},
		{method: "POST", path: "/clients/{id}/transfer", roles: clientish, handle: withBody(s, http.StatusNoContent, func(r *http.Request, a domain.Actor, req transferRequest) (none, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return none{}, err
			}
			return none{}, commands.NewTransferRecordHandler(s.deps()).Handle(r.Context(), a, commands.TransferRecord{ClientID: id, Transfer: client.Transfer{
				To: req.To, Basis: req.Basis, ConsentMethod: req.ConsentMethod, ConsentedAt: req.ConsentedAt, Reason: req.Reason,
			}})
		})},
		{method: "POST", path: "/clients/{id}/erasure-requests", roles: []domain.Role{domain.RoleClient, domain.RoleDPO}, handle: withBody(s, http.StatusCreated, func(r *http.Request, a domain.Actor, req erasureRequest) (idResponse, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return idResponse{}, err
			}
			rid, err := commands.NewRequestErasureHandler(s.deps()).Handle(r.Context(), a, commands.RequestErasure{ClientID: id, RequestID: req.ID, Grounds: req.Grounds})
			return idResponse{ID: rid}, err
		})},
		{method: "POST", path: "/clients/{id}/erasure-requests/{request_id}/decision", roles: []domain.Role{domain.RoleDPO}, handle: withBody(s, http.StatusNoContent, func(r *http.Request, a domain.Actor, req erasureDecisionRequest) (none, error) {
			ids, err := pathIDs(r, "id", "request_id")
			if err != nil {
				return none{}, err
			}
			return none{}, commands.NewDecideErasureHandler(s.deps(), s.cfg.Shredder).Handle(r.Context(), a, commands.DecideErasure{
				ClientID: ids[0], RequestID: ids[1], Decision: req.Decision, Exemption: req.Exemption, Explanation: req.Explanation,
			})
		})},
		{method: "POST", path: "/clients/{id}/emergency-access", roles: []domain.Role{domain.RoleTherapist}, handle: withBody(s, http.StatusCreated, func(r *http.Request, a domain.Actor, req emergencyAccessRequest) (emergencyAccessResponse, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return emergencyAccessResponse{}, err
			}
			g, err := commands.NewGrantEmergencyAccessHandler(s.deps(), s.grants, s.cfg.EmergencyAccessFor).Handle(r.Context(), a, commands.GrantEmergencyAccess{ClientID: id, Reason: req.Reason})
			if err == nil {
				s.metrics.emergency.Inc()
			}
			return emergencyAccessResponse{GrantID: g.GrantID, Until: g.Until}, err
		})},
	}
}

// recordResponse shapes a client record for JSON.
func recordResponse(rec commands.ClientRecord) clientRecordResponse {
	out := clientRecordResponse{
		ID: rec.ID, PracticeID: rec.PracticeID, TherapistID: rec.TherapistID, Details: rec.Details,
		Restricted: rec.Restricted, Custody: []custodyPeriod{},
	}
	if !rec.DischargedOn.IsZero() {
		out.DischargedOn = rec.DischargedOn.Format(client.DateLayout)
	}
	for _, c := range rec.Custody {
		p := custodyPeriod{TherapistID: c.TherapistID, From: c.From}
		if !c.Until.IsZero() {
			u := c.Until
			p.Until = &u
		}
		out.Custody = append(out.Custody, p)
	}
	return out
}
