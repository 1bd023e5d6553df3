package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/mux"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
)

type calendarPolicyRequest = scheduling.Policy

type weeklyHoursRequest struct {
	Hours scheduling.WeeklyHours `json:"hours"`
}

type exceptionRequest struct {
	Closed bool                    `json:"closed,omitempty"`
	Hours  []scheduling.LocalRange `json:"hours,omitempty"`
}

type selfBookingRequest = scheduling.SelfBookingRules

type holdRequest struct {
	ServiceTypeID   domain.ID `json:"service_type_id"`
	Start           time.Time `json:"start"`
	DurationMinutes int       `json:"duration_minutes"`
}

type holdResponse struct {
	HoldID    domain.ID `json:"hold_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

type bookRequest struct {
	ID              domain.ID `json:"id,omitzero"`
	TherapistID     domain.ID `json:"therapist_id"`
	ClientID        domain.ID `json:"client_id"`
	ServiceTypeID   domain.ID `json:"service_type_id"`
	Start           time.Time `json:"start"`
	DurationMinutes int       `json:"duration_minutes"`
	Location        string    `json:"location,omitempty"`
	VideoLink       string    `json:"video_link,omitempty"`
	HoldID          domain.ID `json:"hold_id,omitzero"`
}

type bookingResponse struct {
	AppointmentID   domain.ID `json:"appointment_id"`
	PendingApproval bool      `json:"pending_approval"`
	ConsentWarning  string    `json:"consent_warning,omitempty"`
}

type seriesRequest struct {
	ID              domain.ID `json:"id,omitzero"`
	TherapistID     domain.ID `json:"therapist_id"`
	ClientID        domain.ID `json:"client_id"`
	ServiceTypeID   domain.ID `json:"service_type_id"`
	Start           time.Time `json:"start"`
	DurationMinutes int       `json:"duration_minutes"`
	Rule            string    `json:"rule"`
	Location        string    `json:"location,omitempty"`
	VideoLink       string    `json:"video_link,omitempty"`
}

type seriesResponse struct {
	SeriesID       domain.ID   `json:"series_id"`
	Appointments   []domain.ID `json:"appointments"`
	ConsentWarning string      `json:"consent_warning,omitempty"`
}

type moveRequest struct {
	Start           time.Time `json:"start"`
	DurationMinutes int       `json:"duration_minutes"`
	Reason          string    `json:"reason,omitempty"`
}

type reasonRequest struct {
	Reason string `json:"reason,omitempty"`
}

type cancelResponse struct {
	Late      bool                `json:"late"`
	Fee       *scheduling.Money   `json:"fee,omitempty"`
	FreedSlot scheduling.Interval `json:"freed_slot"`
}

type cancelFollowingResponse struct {
	Cancelled []cancelledAppointment `json:"cancelled"`
}

type cancelledAppointment struct {
	AppointmentID domain.ID         `json:"appointment_id"`
	Late          bool              `json:"late"`
	Fee           *scheduling.Money `json:"fee,omitempty"`
}

type feeResponse struct {
	Fee *scheduling.Money `json:"fee,omitempty"`
}

type slotsResponse struct {
	Slots []scheduling.Interval `json:"slots"`
}

type joinWaitlistRequest struct {
	ClientID      domain.ID              `json:"client_id"`
	TherapistID   domain.ID              `json:"therapist_id,omitzero"`
	ServiceTypeID domain.ID              `json:"service_type_id,omitzero"`
	Priority      int                    `json:"priority"`
	Preferred     scheduling.WeeklyHours `json:"preferred,omitempty"`
}

type waitlistMatchesResponse struct {
	Matches []waitlistMatch `json:"matches"`
}

type waitlistMatch struct {
	EntryID  domain.ID `json:"entry_id"`
	ClientID domain.ID `json:"client_id"`
	Priority int       `json:"priority"`
	JoinedAt time.Time `json:"joined_at"`
}

// schedulingRoutes are calendars (policy, hours, exceptions, self-booking rules, slot search,
// holds), appointments and series (book, reschedule, cancel, attendance, approval) and the
// waitlist. The commands authorise; a calendar or appointment the caller may not see answers 404.
func (s *server) schedulingRoutes() []route {
	avail := func() *commands.SetAvailabilityHandler { return commands.NewSetAvailabilityHandler(s.deps()) }
	withTherapist := func(r *http.Request) (domain.ID, error) { return pathID(r, "therapist_id") }
	return []route{
		{method: "PUT", path: "/calendars/{therapist_id}/policy", handle: withBody(s, http.StatusNoContent, func(r *http.Request, a domain.Actor, req calendarPolicyRequest) (none, error) {
			tid, err := withTherapist(r)
			if err != nil {
				return none{}, err
			}
			return none{}, commands.NewConfigureCalendarHandler(s.deps()).Handle(r.Context(), a, commands.ConfigureCalendar{TherapistID: tid, Policy: req})
		})},
		{method: "PUT", path: "/calendars/{therapist_id}/weekly-hours", handle: withBody(s, http.StatusNoContent, func(r *http.Request, a domain.Actor, req weeklyHoursRequest) (none, error) {
			tid, err := withTherapist(r)
			if err != nil {
				return none{}, err
			}
			return none{}, avail().SetWeeklyHours(r.Context(), a, tid, req.Hours)
		})},
		{method: "PUT", path: "/calendars/{therapist_id}/exceptions/{date}", handle: withBody(s, http.StatusNoContent, func(r *http.Request, a domain.Actor, req exceptionRequest) (none, error) {
			tid, day, err := therapistAndDate(r)
			if err != nil {
				return none{}, err
			}
			return none{}, avail().SetException(r.Context(), a, tid, scheduling.DayException{Date: day, Closed: req.Closed, Hours: req.Hours})
		})},
		{method: "DELETE", path: "/calendars/{therapist_id}/exceptions/{date}", handle: noBody(http.StatusNoContent, func(r *http.Request, a domain.Actor) (none, error) {
			tid, day, err := therapistAndDate(r)
			if err != nil {
				return none{}, err
			}
			return none{}, avail().ClearException(r.Context(), a, tid, day)
		})},
		{method: "PUT", path: "/calendars/{therapist_id}/self-booking", handle: withBody(s, http.StatusNoContent, func(r *http.Request, a domain.Actor, req selfBookingRequest) (none, error) {
			tid, err := withTherapist(r)
			if err != nil {
				return none{}, err
			}
			return none{}, avail().SetSelfBookingRules(r.Context(), a, tid, req)
		})},
		{method: "GET", path: "/calendars/{therapist_id}/slots", handle: noBody(http.StatusOK, func(r *http.Request, a domain.Actor) (slotsResponse, error) {
			tid, err := withTherapist(r)
			if err != nil {
				return slotsResponse{}, err
			}
			q, err := slotQuery(r)
			if err != nil {
				return slotsResponse{}, err
			}
			slots, err := commands.NewSlotSearchHandler(s.deps()).Search(r.Context(), a, tid, q)
			if slots == nil {
				slots = []scheduling.Interval{}
			}
			return slotsResponse{Slots: slots}, err
		})},
		{method: "GET", path: "/calendars/{therapist_id}/feed", handle: func(w http.ResponseWriter, r *http.Request) error {
			tid, err := withTherapist(r)
			if err != nil {
				return err
			}
			from, to, err := period(r)
			if err != nil {
				return err
			}
			b, err := commands.NewCalendarFeedHandler(s.deps()).Feed(r.Context(), actorFrom(r.Context()), tid, from, to)
			if err != nil {
				return err
			}
			w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
			_, err = w.Write(b)
			return err
		}},
		{method: "POST", path: "/calendars/{therapist_id}/holds", roles: []domain.Role{domain.RoleClient}, handle: withBody(s, http.StatusCreated, func(r *http.Request, a domain.Actor, req holdRequest) (holdResponse, error) {
			tid, err := withTherapist(r)
			if err != nil {
				return holdResponse{}, err
			}
			h, err := commands.NewHoldSlotHandler(s.deps()).Hold(r.Context(), a, commands.HoldSlot{TherapistID: tid, ServiceTypeID: req.ServiceTypeID, Start: req.Start, Duration: minutesOf(req.DurationMinutes)})
			return holdResponse{HoldID: h.HoldID, ExpiresAt: h.ExpiresAt}, err
		})},
		{method: "DELETE", path: "/calendars/{therapist_id}/holds/{hold_id}", roles: []domain.Role{domain.RoleClient}, handle: noBody(http.StatusNoContent, func(r *http.Request, a domain.Actor) (none, error) {
			ids, err := pathIDs(r, "therapist_id", "hold_id")
			if err != nil {
				return none{}, err
			}
			return none{}, commands.NewHoldSlotHandler(s.deps()).Release(r.Context(), a, ids[0], ids[1])
		})},
		{method: "POST", path: "/appointments", handle: withBody(s, http.StatusCreated, func(r *http.Request, a domain.Actor, req bookRequest) (bookingResponse, error) {
			id, err := orNewID(req.ID)
			if err != nil {
				return bookingResponse{}, err
			}
			b, err := commands.NewBookAppointmentHandler(s.deps()).Handle(r.Context(), a, commands.BookAppointment{
				AppointmentID: id, TherapistID: req.TherapistID, ClientID: req.ClientID, ServiceTypeID: req.ServiceTypeID,
				Start: req.Start, Duration: minutesOf(req.DurationMinutes), Place: scheduling.Place{Location: req.Location, VideoLink: req.VideoLink}, HoldID: req.HoldID,
			})
			return bookingResponse{AppointmentID: b.AppointmentID, PendingApproval: b.PendingApproval, ConsentWarning: b.ConsentWarning}, err
		})},
		{method: "POST", path: "/appointment-series", handle: withBody(s, http.StatusCreated, func(r *http.Request, a domain.Actor, req seriesRequest) (seriesResponse, error) {
			id, err := orNewID(req.ID)
			if err != nil {
				return seriesResponse{}, err
			}
			b, err := commands.NewBookSeriesHandler(s.deps()).Handle(r.Context(), a, commands.BookSeries{
				SeriesID: id, TherapistID: req.TherapistID, ClientID: req.ClientID, ServiceTypeID: req.ServiceTypeID,
				Start: req.Start, Duration: minutesOf(req.DurationMinutes), Rule: req.Rule, Place: scheduling.Place{Location: req.Location, VideoLink: req.VideoLink},
			})
			return seriesResponse{SeriesID: b.SeriesID, Appointments: b.Appointments, ConsentWarning: b.ConsentWarning}, err
		})},
		{method: "POST", path: "/appointments/{id}/reschedule", handle: withBody(s, http.StatusNoContent, func(r *http.Request, a domain.Actor, req moveRequest) (none, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return none{}, err
			}
			return none{}, commands.NewRescheduleAppointmentHandler(s.deps()).Handle(r.Context(), a, commands.RescheduleAppointment{AppointmentID: id, Start: req.Start, Duration: minutesOf(req.DurationMinutes), Reason: req.Reason})
		})},
		{method: "POST", path: "/appointments/{id}/cancellation", handle: withBody(s, http.StatusOK, func(r *http.Request, a domain.Actor, req reasonRequest) (cancelResponse, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return cancelResponse{}, err
			}
			o, err := commands.NewCancelAppointmentHandler(s.deps()).Handle(r.Context(), a, commands.CancelAppointment{AppointmentID: id, Reason: req.Reason})
			return cancelResponse{Late: o.Late, Fee: o.Fee, FreedSlot: o.FreedSlot}, err
		})},
		{method: "POST", path: "/appointments/{id}/cancel-following", handle: withBody(s, http.StatusOK, func(r *http.Request, a domain.Actor, req reasonRequest) (cancelFollowingResponse, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return cancelFollowingResponse{}, err
			}
			cs, err := commands.NewChangeSeriesHandler(s.deps()).CancelFrom(r.Context(), a, id, req.Reason)
			out := cancelFollowingResponse{Cancelled: []cancelledAppointment{}}
			for _, c := range cs {
				out.Cancelled = append(out.Cancelled, cancelledAppointment{AppointmentID: c.Event.AppointmentID, Late: c.Late, Fee: c.Fee})
			}
			return out, err
		})},
		{method: "POST", path: "/appointments/{id}/move-following", handle: withBody(s, http.StatusNoContent, func(r *http.Request, a domain.Actor, req moveRequest) (none, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return none{}, err
			}
			return none{}, commands.NewChangeSeriesHandler(s.deps()).MoveFrom(r.Context(), a, id, req.Start, minutesOf(req.DurationMinutes), req.Reason)
		})},
		{method: "POST", path: "/appointments/{id}/completion", handle: noBody(http.StatusNoContent, func(r *http.Request, a domain.Actor) (none, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return none{}, err
			}
			return none{}, commands.NewRecordAttendanceHandler(s.deps()).Complete(r.Context(), a, id)
		})},
		{method: "POST", path: "/appointments/{id}/no-show", handle: noBody(http.StatusOK, func(r *http.Request, a domain.Actor) (feeResponse, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return feeResponse{}, err
			}
			fee, err := commands.NewRecordAttendanceHandler(s.deps()).NoShow(r.Context(), a, id)
			return feeResponse{Fee: fee}, err
		})},
		{method: "POST", path: "/appointments/{id}/approval", handle: noBody(http.StatusNoContent, func(r *http.Request, a domain.Actor) (none, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return none{}, err
			}
			return none{}, commands.NewReviewBookingHandler(s.deps()).Approve(r.Context(), a, id)
		})},
		{method: "POST", path: "/appointments/{id}/decline", handle: withBody(s, http.StatusNoContent, func(r *http.Request, a domain.Actor, req reasonRequest) (none, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return none{}, err
			}
			return none{}, commands.NewReviewBookingHandler(s.deps()).Decline(r.Context(), a, id, req.Reason)
		})},
		{method: "POST", path: "/practices/{id}/waitlist", handle: withBody(s, http.StatusCreated, func(r *http.Request, a domain.Actor, req joinWaitlistRequest) (idResponse, error) {
			pid, err := pathID(r, "id")
			if err != nil {
				return idResponse{}, err
			}
			id, err := commands.NewWaitlistHandler(s.deps()).Join(r.Context(), a, commands.JoinWaitlist{
				PracticeID: pid, ClientID: req.ClientID, TherapistID: req.TherapistID, ServiceTypeID: req.ServiceTypeID, Priority: req.Priority, Preferred: req.Preferred,
			})
			return idResponse{ID: id}, err
		})},
		{method: "POST", path: "/practices/{id}/waitlist/{entry_id}/removal", handle: withBody(s, http.StatusNoContent, func(r *http.Request, a domain.Actor, req reasonRequest) (none, error) {
			ids, err := pathIDs(r, "id", "entry_id")
			if err != nil {
				return none{}, err
			}
			return none{}, commands.NewWaitlistHandler(s.deps()).Leave(r.Context(), a, ids[0], ids[1], req.Reason)
		})},
		{method: "GET", path: "/practices/{id}/waitlist/matches", handle: noBody(http.StatusOK, func(r *http.Request, a domain.Actor) (waitlistMatchesResponse, error) {
			pid, err := pathID(r, "id")
			if err != nil {
				return waitlistMatchesResponse{}, err
			}
			q := r.URL.Query()
			therapist, err1 := optionalID(q.Get("therapist_id"))
			service, err2 := optionalID(q.Get("service_type_id"))
			start, err3 := requiredTime(q.Get("start"), "start")
			end, err4 := requiredTime(q.Get("end"), "end")
			for _, e := range []error{err1, err2, err3, err4} {
				if e != nil {
					return waitlistMatchesResponse{}, e
				}
			}
			ms, err := commands.NewWaitlistHandler(s.deps()).Matches(r.Context(), a, pid, therapist, service, scheduling.Interval{Start: start, End: end})
			out := waitlistMatchesResponse{Matches: []waitlistMatch{}}
			for _, m := range ms {
				out.Matches = append(out.Matches, waitlistMatch{EntryID: m.EntryID, ClientID: m.ClientID, Priority: m.Priority, JoinedAt: m.JoinedAt})
			}
			return out, err
		})},
	}
}

// minutesOf turns a whole number of minutes into a duration.
func minutesOf(m int) time.Duration { return time.Duration(m) * time.Minute }

// therapistAndDate parses the {therapist_id} and {date} (YYYY-MM-DD) route variables.
func therapistAndDate(r *http.Request) (domain.ID, scheduling.Date, error) {
	tid, err := pathID(r, "therapist_id")
	if err != nil {
		return domain.ID{}, scheduling.Date{}, err
	}
	day, err := scheduling.ParseDate(mux.Vars(r)["date"])
	return tid, day, err
}

// slotQuery reads ?from=&to= (RFC 3339), ?length_minutes=, ?service_type_id= and ?self_booking=true.
func slotQuery(r *http.Request) (scheduling.SlotQuery, error) {
	q := r.URL.Query()
	from, err := requiredTime(q.Get("from"), "from")
	if err != nil {
		return scheduling.SlotQuery{}, err
	}
	to, err := requiredTime(q.Get("to"), "to")
	if err != nil {
		return scheduling.SlotQuery{}, err
	}
	length, err := strconv.Atoi(q.Get("length_minutes"))
	if err != nil || length <= 0 || length > 24*60 {
		return scheduling.SlotQuery{}, domain.Invalid("length_minutes", "must be 1 to 1440")
	}
	service, err := optionalID(q.Get("service_type_id"))
	if err != nil {
		return scheduling.SlotQuery{}, err
	}
	return scheduling.SlotQuery{From: from, To: to, Length: minutesOf(length), SelfBooking: q.Get("self_booking") == "true", ServiceTypeID: service}, nil
}

// requiredTime parses an RFC 3339 query value named name.
func requiredTime(v, name string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, domain.Invalid(name, "must be an RFC 3339 time")
	}
	return t, nil
}

// optionalID parses an id query value; empty is the zero id.
func optionalID(v string) (domain.ID, error) {
	if v == "" {
		return domain.ID{}, nil
	}
	return domain.ParseID(v)
}
