package api

import (
	"net/http"
	"time"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
)

// portalRoutes are the client portal's reads of the client's own data, served from the event log
// through commands.ReadOwnDataHandler (the read models give the client role no rows). A client
// only ever reaches their own id: any other id answers 404 exactly like a missing client. Each
// read is recorded as RecordAccessed by the client before anything is returned.
func (s *server) portalRoutes() []route {
	return []route{
		{method: "GET", path: "/clients/{id}/appointments", roles: []domain.Role{domain.RoleClient}, handle: noBody(http.StatusOK, s.ownAppointments)},
		{method: "GET", path: "/clients/{id}/consent-forms", roles: []domain.Role{domain.RoleClient}, handle: noBody(http.StatusOK, s.ownConsentForms)},
		{method: "GET", path: "/clients/{id}/booking-options", roles: []domain.Role{domain.RoleClient}, handle: noBody(http.StatusOK, s.ownBookingOptions)},
		{method: "GET", path: "/clients/{id}/erasure-requests", roles: []domain.Role{domain.RoleClient, domain.RoleDPO}, handle: noBody(http.StatusOK, s.ownErasureRequests)},
		{method: "GET", path: "/clients/{id}/waitlist", roles: []domain.Role{domain.RoleClient}, handle: noBody(http.StatusOK, s.ownWaitlist)},
	}
}

type ownWaitlistEntryView struct {
	EntryID       domain.ID              `json:"entry_id"`
	PracticeID    domain.ID              `json:"practice_id"`
	TherapistID   domain.ID              `json:"therapist_id,omitzero"`
	ServiceTypeID domain.ID              `json:"service_type_id,omitzero"`
	Preferred     scheduling.WeeklyHours `json:"preferred,omitempty"`
	JoinedAt      time.Time              `json:"joined_at"`
}

type ownWaitlistResponse struct {
	Entries []ownWaitlistEntryView `json:"entries"`
}

// ownWaitlist answers GET /clients/{id}/waitlist for a signed-in client: their entries on their
// practice's waitlist.
func (s *server) ownWaitlist(r *http.Request, a domain.Actor) (ownWaitlistResponse, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return ownWaitlistResponse{}, err
	}
	es, err := commands.NewReadOwnDataHandler(s.deps()).WaitlistEntries(r.Context(), a, id)
	out := ownWaitlistResponse{Entries: []ownWaitlistEntryView{}}
	for _, e := range es {
		out.Entries = append(out.Entries, ownWaitlistEntryView{EntryID: e.EntryID, PracticeID: e.PracticeID, TherapistID: e.TherapistID,
			ServiceTypeID: e.ServiceTypeID, Preferred: e.Preferred, JoinedAt: e.JoinedAt})
	}
	return out, err
}

type erasureRequestView struct {
	ID          domain.ID `json:"id"`
	Status      string    `json:"status"`
	RequestedBy string    `json:"requested_by"`
	RequestedAt time.Time `json:"requested_at"`
	Grounds     string    `json:"grounds,omitempty"`
	DecidedAt   time.Time `json:"decided_at,omitzero"`
	Exemption   string    `json:"exemption,omitempty"`
	Explanation string    `json:"explanation,omitempty"`
	Until       time.Time `json:"until,omitzero"`
}

type erasureRequestListResponse struct {
	Requests []erasureRequestView `json:"requests"`
}

// ownErasureRequests answers GET /clients/{id}/erasure-requests: for a signed-in client their
// own erasure requests and the DPO's decisions; for the DPO any client's, to decide them.
func (s *server) ownErasureRequests(r *http.Request, a domain.Actor) (erasureRequestListResponse, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return erasureRequestListResponse{}, err
	}
	rs, err := commands.NewReadOwnDataHandler(s.deps()).ErasureRequests(r.Context(), a, id)
	out := erasureRequestListResponse{Requests: []erasureRequestView{}}
	for _, x := range rs {
		out.Requests = append(out.Requests, erasureRequestView{ID: x.ID, Status: string(x.Status), RequestedBy: string(x.RequestedBy),
			RequestedAt: x.RequestedAt.UTC(), Grounds: x.Grounds, DecidedAt: x.DecidedAt.UTC(), Exemption: string(x.Exemption),
			Explanation: x.Explanation, Until: x.Until.UTC()})
	}
	return out, err
}

type bookableServiceView struct {
	ServiceTypeID domain.ID `json:"service_type_id"`
	Name          string    `json:"name"`
	Minutes       int       `json:"minutes"`
	// ConsentStatus is the client's consent to the service now ("valid", or what is missing).
	ConsentStatus string `json:"consent_status"`
}

type bookingOptionsResponse struct {
	TherapistID      domain.ID             `json:"therapist_id,omitzero"`
	Enabled          bool                  `json:"enabled"`
	HorizonDays      int                   `json:"horizon_days,omitempty"`
	MinNoticeMinutes int                   `json:"min_notice_minutes,omitempty"`
	HoldMinutes      int                   `json:"hold_minutes,omitempty"`
	NeedsApproval    bool                  `json:"needs_approval"`
	Services         []bookableServiceView `json:"services"`
}

// ownBookingOptions answers GET /clients/{id}/booking-options for a signed-in client: the
// calendar and services they can book themselves.
func (s *server) ownBookingOptions(r *http.Request, a domain.Actor) (bookingOptionsResponse, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return bookingOptionsResponse{}, err
	}
	o, err := commands.NewReadOwnDataHandler(s.deps()).BookingOptions(r.Context(), a, id)
	out := bookingOptionsResponse{TherapistID: o.TherapistID, Enabled: o.Enabled, HorizonDays: o.HorizonDays,
		MinNoticeMinutes: o.MinNoticeMinutes, HoldMinutes: o.HoldMinutes, NeedsApproval: o.NeedsApproval, Services: []bookableServiceView{}}
	for _, x := range o.Services {
		out.Services = append(out.Services, bookableServiceView{ServiceTypeID: x.ServiceTypeID, Name: x.Name, Minutes: x.Minutes, ConsentStatus: string(x.Consent)})
	}
	return out, err
}

type consentFormView struct {
	ServiceTypeID domain.ID `json:"service_type_id"`
	ServiceName   string    `json:"service_name"`
	Version       int       `json:"version"`
	Text          string    `json:"text"`
	ContentHash   string    `json:"content_hash"`
	EffectiveFrom time.Time `json:"effective_from"`
	// Status is the client's consent to this service now: valid when they signed this
	// version, else consent_missing, consent_outdated or consent_withdrawn.
	Status        string    `json:"status"`
	SignedVersion int       `json:"signed_version,omitempty"`
	SignedAt      time.Time `json:"signed_at,omitzero"`
}

type consentFormListResponse struct {
	Forms []consentFormView `json:"forms"`
}

// ownConsentForms answers GET /clients/{id}/consent-forms for a signed-in client: the consent
// form in force for each service type of their practice, with their consent to it.
func (s *server) ownConsentForms(r *http.Request, a domain.Actor) (consentFormListResponse, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return consentFormListResponse{}, err
	}
	fs, err := commands.NewReadOwnDataHandler(s.deps()).ConsentForms(r.Context(), a, id)
	out := consentFormListResponse{Forms: []consentFormView{}}
	for _, f := range fs {
		out.Forms = append(out.Forms, consentFormView{ServiceTypeID: f.ServiceTypeID, ServiceName: f.ServiceName, Version: f.Version,
			Text: f.Text, ContentHash: f.ContentHash, EffectiveFrom: f.EffectiveFrom, Status: string(f.Consent.Status),
			SignedVersion: f.Consent.SignedVersion, SignedAt: f.Consent.SignedAt})
	}
	return out, err
}

// ownConsents answers GET /clients/{id}/consents for a signed-in client from the event log.
func (s *server) ownConsents(r *http.Request, a domain.Actor, id domain.ID) (consentListResponse, error) {
	cs, err := commands.NewReadOwnDataHandler(s.deps()).Consents(r.Context(), a, id)
	out := consentListResponse{Consents: []consentView{}}
	for _, c := range cs {
		out.Consents = append(out.Consents, consentView{ServiceTypeID: c.ServiceTypeID, Status: c.Status, Version: c.Version, ContentHash: c.ContentHash, SignedAt: c.SignedAt, WithdrawnAt: c.WithdrawnAt})
	}
	return out, err
}

// ownAppointments answers GET /clients/{id}/appointments?from= for a signed-in client: the
// client's appointments ending after from (RFC 3339; default now, i.e. the upcoming ones).
func (s *server) ownAppointments(r *http.Request, a domain.Actor) (appointmentListResponse, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return appointmentListResponse{}, err
	}
	from := s.clock.Now()
	if v := r.URL.Query().Get("from"); v != "" {
		if from, err = requiredTime(v, "from"); err != nil {
			return appointmentListResponse{}, err
		}
	}
	as, err := commands.NewReadOwnDataHandler(s.deps()).Appointments(r.Context(), a, id, from)
	out := appointmentListResponse{Appointments: []appointmentView{}}
	for _, x := range as {
		v := appointmentView{ID: x.ID, TherapistID: x.TherapistID, ClientID: x.ClientID, ServiceTypeID: x.ServiceTypeID, SeriesID: x.SeriesID,
			Start: x.Start, End: x.End, Status: string(x.Status), BookedBy: string(x.BookedBy), Location: x.Location, VideoLink: x.VideoLink}
		if x.Fee != nil {
			v.FeeMinor, v.FeeCurrency = x.Fee.AmountMinor, x.Fee.Currency
		}
		out.Appointments = append(out.Appointments, v)
	}
	return out, err
}
