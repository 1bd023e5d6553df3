package api

import (
	"net/http"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
)

// portalRoutes are the client portal's reads of the client's own data, served from the event log
// through commands.ReadOwnDataHandler (the read models give the client role no rows). A client
// only ever reaches their own id: any other id answers 404 exactly like a missing client. Each
// read is recorded as RecordAccessed by the client before anything is returned.
func (s *server) portalRoutes() []route {
	return []route{
		{method: "GET", path: "/clients/{id}/appointments", roles: []domain.Role{domain.RoleClient}, handle: noBody(http.StatusOK, s.ownAppointments)},
	}
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
