package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/sar"
	"github.com/caseledger/caseledger/projections"
)

// ReadModels is the query side the API serves lists and reports from: the projections' Reader,
// which reads as the caller under row-level security. *projections.Reader satisfies it.
type ReadModels interface {
	Clients(ctx context.Context, actor domain.Actor) ([]projections.ClientRecord, error)
	FindClients(ctx context.Context, actor domain.Actor, q projections.ClientQuery) ([]projections.ClientRecord, error)
	Client(ctx context.Context, actor domain.Actor, id domain.ID) (projections.ClientRecord, error)
	ClientConsents(ctx context.Context, actor domain.Actor, clientID domain.ID) ([]projections.Consent, error)
	Appointments(ctx context.Context, actor domain.Actor, from, to time.Time) ([]projections.Appointment, error)
	Audit(ctx context.Context, actor domain.Actor, q projections.AuditQuery) ([]projections.AuditEntry, error)
	Utilisation(ctx context.Context, actor domain.Actor, from, to time.Time) ([]projections.WeeklyUtilisation, error)
	OpenErasureRequests(ctx context.Context, actor domain.Actor) ([]projections.OpenErasureRequest, error)
}

type openErasureRequestView struct {
	ClientID    domain.ID `json:"client_id"`
	RequestedAt time.Time `json:"requested_at"`
	DueBy       sar.Date  `json:"due_by"`
}

type openErasureRequestsResponse struct {
	Requests []openErasureRequestView `json:"requests"`
}

type clientSummary struct {
	ID             domain.ID      `json:"id"`
	PracticeID     domain.ID      `json:"practice_id"`
	TherapistID    domain.ID      `json:"therapist_id,omitzero"`
	RecordKind     string         `json:"record_kind"`
	Status         string         `json:"status"`
	Restricted     bool           `json:"restricted"`
	ErasurePending bool           `json:"erasure_pending"`
	Details        client.Details `json:"details"`
	RegisteredAt   time.Time      `json:"registered_at"`
	DischargedOn   string         `json:"discharged_on,omitempty"`
}

type clientListResponse struct {
	Clients []clientSummary `json:"clients"`
}

// clientSearchRequest is the body of POST /client-searches: search terms travel in the body, never
// in a URL that proxies and browsers would log.
type clientSearchRequest struct {
	Name        string `json:"name,omitempty"`
	Email       string `json:"email,omitempty"`
	DateOfBirth string `json:"date_of_birth,omitempty"`
}

type consentView struct {
	ServiceTypeID domain.ID `json:"service_type_id"`
	Status        string    `json:"status"`
	Version       int       `json:"version"`
	ContentHash   string    `json:"content_hash"`
	SignedAt      time.Time `json:"signed_at"`
	WithdrawnAt   time.Time `json:"withdrawn_at,omitzero"`
}

type consentListResponse struct {
	Consents []consentView `json:"consents"`
}

type appointmentView struct {
	ID            domain.ID `json:"id"`
	TherapistID   domain.ID `json:"therapist_id"`
	ClientID      domain.ID `json:"client_id"`
	ServiceTypeID domain.ID `json:"service_type_id"`
	SeriesID      domain.ID `json:"series_id,omitzero"`
	Start         time.Time `json:"start"`
	End           time.Time `json:"end"`
	Status        string    `json:"status"`
	BookedBy      string    `json:"booked_by"`
	Location      string    `json:"location,omitempty"`
	VideoLink     string    `json:"video_link,omitempty"`
	FeeMinor      int64     `json:"fee_minor,omitempty"`
	FeeCurrency   string    `json:"fee_currency,omitempty"`
}

type appointmentListResponse struct {
	Appointments []appointmentView `json:"appointments"`
}

type auditView struct {
	Seq          int64     `json:"seq"`
	EventID      domain.ID `json:"event_id"`
	StreamID     string    `json:"stream_id"`
	EventType    string    `json:"event_type"`
	OccurredAt   time.Time `json:"occurred_at"`
	RecordedAt   time.Time `json:"recorded_at"`
	ActorID      domain.ID `json:"actor_id"`
	ActorRole    string    `json:"actor_role"`
	SubjectID    domain.ID `json:"subject_id,omitzero"`
	AccessedWhat string    `json:"accessed_what,omitempty"`
	AccessedID   domain.ID `json:"accessed_id,omitzero"`
}

type auditListResponse struct {
	Entries []auditView `json:"entries"`
}

type utilisationResponse struct {
	Weeks []utilisationWeek `json:"weeks"`
}

type utilisationWeek struct {
	TherapistID      domain.ID        `json:"therapist_id"`
	ServiceTypeID    domain.ID        `json:"service_type_id"`
	WeekStart        time.Time        `json:"week_start"`
	Scheduled        int              `json:"scheduled"`
	Completed        int              `json:"completed"`
	NoShow           int              `json:"no_show"`
	Cancelled        int              `json:"cancelled"`
	LateCancelled    int              `json:"late_cancelled"`
	Declined         int              `json:"declined"`
	BookedMinutes    int64            `json:"booked_minutes"`
	DeliveredMinutes int64            `json:"delivered_minutes"`
	FeesMinor        map[string]int64 `json:"fees_minor"`
}

// readModelRoutes are the lists and reports served from the read models. What each caller sees
// is decided by row-level security in the database (a therapist: their caseload; the DPO: the
// practice), not by these handlers. Lists of clients are not clinical records and are not audited
// one by one; opening a record (GET /clients/{id}) is.
func (s *server) readModelRoutes() []route {
	caseload := []domain.Role{domain.RoleTherapist, domain.RoleDPO}
	return []route{
		{method: "GET", path: "/clients", roles: caseload, handle: noBody(http.StatusOK, func(r *http.Request, a domain.Actor) (clientListResponse, error) {
			cs, err := s.cfg.ReadModels.Clients(r.Context(), a)
			return clientList(cs), err
		})},
		{method: "POST", path: "/client-searches", roles: caseload, handle: withBody(s, http.StatusOK, func(r *http.Request, a domain.Actor, req clientSearchRequest) (clientListResponse, error) {
			cs, err := s.cfg.ReadModels.FindClients(r.Context(), a, projections.ClientQuery{Name: req.Name, Email: req.Email, DateOfBirth: req.DateOfBirth})
			return clientList(cs), err
		})},
		{method: "GET", path: "/clients/{id}/consents", roles: []domain.Role{domain.RoleTherapist, domain.RoleDPO, domain.RoleClient}, handle: noBody(http.StatusOK, func(r *http.Request, a domain.Actor) (consentListResponse, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return consentListResponse{}, err
			}
			if a.Role == domain.RoleClient {
				return s.ownConsents(r, a, id)
			}
			// A client the caller may not see answers 404, like a missing one, not an empty list.
			cs, err := s.cfg.ReadModels.ClientConsents(r.Context(), a, id)
			out := consentListResponse{Consents: []consentView{}}
			for _, c := range cs {
				out.Consents = append(out.Consents, consentView{ServiceTypeID: c.ServiceTypeID, Status: c.Status, Version: c.Version, ContentHash: c.ContentHash, SignedAt: c.SignedAt, WithdrawnAt: c.WithdrawnAt})
			}
			return out, err
		})},
		{method: "GET", path: "/appointments", roles: caseload, handle: noBody(http.StatusOK, func(r *http.Request, a domain.Actor) (appointmentListResponse, error) {
			from, to, err := period(r)
			if err != nil {
				return appointmentListResponse{}, err
			}
			as, err := s.cfg.ReadModels.Appointments(r.Context(), a, from, to)
			out := appointmentListResponse{Appointments: []appointmentView{}}
			for _, x := range as {
				out.Appointments = append(out.Appointments, appointmentView{
					ID: x.AppointmentID, TherapistID: x.TherapistID, ClientID: x.ClientID, ServiceTypeID: x.ServiceTypeID, SeriesID: x.SeriesID,
					Start: x.Start, End: x.End, Status: x.Status, BookedBy: x.BookedBy, Location: x.Location, VideoLink: x.VideoLink,
					FeeMinor: x.FeeMinor, FeeCurrency: x.FeeCurrency,
				})
			}
			return out, err
		})},
		{method: "GET", path: "/audit", roles: []domain.Role{domain.RoleTherapist, domain.RoleDPO, domain.RoleAuditor}, handle: noBody(http.StatusOK, func(r *http.Request, a domain.Actor) (auditListResponse, error) {
			from, to, err := period(r)
			if err != nil {
				return auditListResponse{}, err
			}
			q := r.URL.Query()
			subject, err1 := optionalID(q.Get("subject_id"))
			actor, err2 := optionalID(q.Get("actor_id"))
			limit, err3 := optionalInt(q.Get("limit"), "limit")
			for _, e := range []error{err1, err2, err3} {
				if e != nil {
					return auditListResponse{}, e
				}
			}
			es, err := s.cfg.ReadModels.Audit(r.Context(), a, projections.AuditQuery{From: from, To: to, Subject: subject, Actor: actor, EventType: q.Get("event_type"), Limit: limit})
			out := auditListResponse{Entries: []auditView{}}
			for _, e := range es {
				out.Entries = append(out.Entries, auditView{Seq: e.Seq, EventID: e.EventID, StreamID: e.StreamID, EventType: e.EventType, OccurredAt: e.OccurredAt,
					RecordedAt: e.RecordedAt, ActorID: e.ActorID, ActorRole: e.ActorRole, SubjectID: e.SubjectID, AccessedWhat: e.AccessedWhat, AccessedID: e.AccessedID})
			}
			return out, err
		})},
		{method: "GET", path: "/erasure-requests", roles: []domain.Role{domain.RoleDPO}, handle: noBody(http.StatusOK, func(r *http.Request, a domain.Actor) (openErasureRequestsResponse, error) {
			rs, err := s.cfg.ReadModels.OpenErasureRequests(r.Context(), a)
			out := openErasureRequestsResponse{Requests: []openErasureRequestView{}}
			for _, x := range rs {
				out.Requests = append(out.Requests, openErasureRequestView{ClientID: x.ClientID, RequestedAt: x.RequestedAt, DueBy: x.DueBy})
			}
			return out, err
		})},
		{method: "GET", path: "/reports/utilisation", roles: []domain.Role{domain.RolePracticeManager, domain.RoleAdmin}, handle: noBody(http.StatusOK, func(r *http.Request, a domain.Actor) (utilisationResponse, error) {
			from, to, err := period(r)
			if err != nil {
				return utilisationResponse{}, err
			}
			ws, err := s.cfg.ReadModels.Utilisation(r.Context(), a, from, to)
			out := utilisationResponse{Weeks: []utilisationWeek{}}
			for _, w := range ws {
				out.Weeks = append(out.Weeks, utilisationWeek{TherapistID: w.TherapistID, ServiceTypeID: w.ServiceTypeID, WeekStart: w.WeekStart,
					Scheduled: w.Scheduled, Completed: w.Completed, NoShow: w.NoShow, Cancelled: w.Cancelled, LateCancelled: w.LateCancelled,
					Declined: w.Declined, BookedMinutes: w.BookedMinutes, DeliveredMinutes: w.DeliveredMinutes, FeesMinor: w.FeesMinor})
			}
			return out, err
		})},
	}
}

// clientList shapes read-model clients for JSON.
func clientList(cs []projections.ClientRecord) clientListResponse {
	out := clientListResponse{Clients: []clientSummary{}}
	for _, c := range cs {
		v := clientSummary{ID: c.ClientID, PracticeID: c.PracticeID, TherapistID: c.TherapistID, RecordKind: c.RecordKind, Status: c.Status,
			Restricted: c.Restricted, ErasurePending: c.ErasurePending, Details: c.Details, RegisteredAt: c.RegisteredAt}
		if !c.DischargedOn.IsZero() {
			v.DischargedOn = c.DischargedOn.Format(client.DateLayout)
		}
		out.Clients = append(out.Clients, v)
	}
	return out
}

// period reads the required ?from=&to= (RFC 3339).
func period(r *http.Request) (time.Time, time.Time, error) {
	q := r.URL.Query()
	from, err := requiredTime(q.Get("from"), "from")
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	to, err := requiredTime(q.Get("to"), "to")
	return from, to, err
}

// optionalInt parses an integer query value named name; empty is 0.
func optionalInt(v, name string) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, domain.Invalid(name, "must be an integer")
	}
	return n, nil
}
