package commands

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/scheduling"
)

// Purposes recorded in RecordAccessed when a client reads their own data through the portal.
const (
	PurposeOwnConsents     = "portal_own_consents"
	PurposeOwnConsentForms = "portal_own_consent_forms"
	PurposeOwnAppointments = "portal_own_appointments"
	PurposeOwnBooking      = "portal_own_booking_options"
	PurposeOwnErasures     = "portal_own_erasure_requests"
	PurposeOwnWaitlist     = "portal_own_waitlist"
	// PurposeDataProtection is the DPO's reading of a client's erasure requests.
	PurposeDataProtection = "data_protection"
)

// OwnConsent is one of a client's consents to treatment as the client sees it in the portal:
// Status is "signed" or "withdrawn" (the same words as the staff read model).
type OwnConsent struct {
	ServiceTypeID domain.ID
	Status        string
	Version       int
	ContentHash   string
	SignedAt      time.Time
	WithdrawnAt   time.Time // zero unless withdrawn
}

// ConsentForm is the consent form in force for one of the practice's service types, with the
// client's consent to it, as the client sees it in the portal before signing: the text, and the
// version to sign it as.
type ConsentForm struct {
	ServiceTypeID domain.ID
	ServiceName   string
	Version       int
	Text          string
	ContentHash   string
	EffectiveFrom time.Time
	// Consent is the client's consent to the service type now: client.StatusValid when the client
	// has signed this version, otherwise what is missing (never signed, an older version, withdrawn).
	Consent client.ConsentState
}

// BookingOptions is what a client may book themselves, as the portal offers it: the calendar of
// the therapist who holds their record and the services they can book on it.
type BookingOptions struct {
	// TherapistID is the therapist holding the record (zero: nobody, and nothing can be booked).
	TherapistID domain.ID
	// Enabled reports whether the therapist takes self-bookings and the record is open.
	Enabled bool
	// HorizonDays, MinNoticeMinutes and HoldMinutes are the calendar's self-booking rules:
	// how far ahead, how soon at the earliest, and how long a chosen slot is held.
	HorizonDays, MinNoticeMinutes, HoldMinutes int
	// NeedsApproval reports whether the client's booking waits for the therapist's approval (the
	// rules ask it of a new client, and this client is new to the therapist: clientIsNew).
	NeedsApproval bool
	// Services are the services the client can book, with their session length and the client's
	// consent to each, ordered by name; empty when Enabled is false.
	Services []BookableService
}

// BookableService is a service a client can book themselves.
type BookableService struct {
	ServiceTypeID domain.ID
	Name          string
	Minutes       int
	Consent       client.ConsentStatus
}

// OwnAppointment is one of a client's appointments as the client sees it in the portal.
type OwnAppointment struct {
	ID            domain.ID
	TherapistID   domain.ID
	ClientID      domain.ID
	ServiceTypeID domain.ID
	SeriesID      domain.ID
	Start, End    time.Time
	Status        scheduling.Status
	BookedBy      domain.Role
	Location      string
	VideoLink     string
	Fee           *scheduling.Money // nil when the appointment has no fee
}

// ReadOwnDataHandler serves a signed-in client their own consents, the consent forms they may
// sign, what they may book, and their appointments straight from the event log (the client
// stream, the practice and calendar streams, "clientschedule-<client>" and each
// "appointment-<id>"), never from read models. Every read appends RecordAccessed (by the client,
// what "record", one of the Purpose constants above) to the client's stream before anything is
// returned, so the access log a SAR discloses shows it. It is safe for concurrent use.
type ReadOwnDataHandler struct {
	d Deps
}

// NewReadOwnDataHandler returns a handler over d.
func NewReadOwnDataHandler(d Deps) *ReadOwnDataHandler { return &ReadOwnDataHandler{d: d} }

// Consents returns the consents to treatment of client clientID, one per service type that was
// ever signed, ordered by service type id. Only the client themself may read them: another
// client's id, and a missing client, are KindNotFound ("client_not_found") alike; staff roles are
// KindForbidden ("own_data_only") because they read consents through the read models. An erased
// client is KindErased.
func (h *ReadOwnDataHandler) Consents(ctx context.Context, actor domain.Actor, clientID domain.ID) ([]OwnConsent, error) {
	_, l, err := h.recordOwnAccess(ctx, actor, clientID, PurposeOwnConsents)
	if err != nil {
		return nil, err
	}
	byService := map[domain.ID]*OwnConsent{}
	for _, ev := range l.Events {
		switch e := ev.(type) {
		case client.ConsentSigned:
			byService[e.ServiceTypeID] = &OwnConsent{ServiceTypeID: e.ServiceTypeID, Status: "signed", Version: e.Version, ContentHash: e.ContentHash, SignedAt: e.SignedAt.UTC()}
		case client.ConsentWithdrawn:
			if c, ok := byService[e.ServiceTypeID]; ok {
				c.Status, c.WithdrawnAt = "withdrawn", e.At.UTC()
			}
		}
	}
	out := make([]OwnConsent, 0, len(byService))
	for _, c := range byService {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ServiceTypeID.String() < out[j].ServiceTypeID.String() })
	return out, nil
}

// ConsentForms returns the consent form in force at the clock's now for each service type of the
// client's practice that has one, with the client's consent to it, ordered by service name and
// id. The client signs a form by its service type and Version (SignConsent), so a version
// published after this read makes that signature fail as outdated rather than bind the client
// to a text they have not seen. Authorisation and errors are as for Consents; the read is
// recorded with purpose PurposeOwnConsentForms.
func (h *ReadOwnDataHandler) ConsentForms(ctx context.Context, actor domain.Actor, clientID domain.ID) ([]ConsentForm, error) {
	c, _, err := h.recordOwnAccess(ctx, actor, clientID, PurposeOwnConsentForms)
	if err != nil {
		return nil, err
	}
	p, _, err := LoadPractice(ctx, h.d, c.PracticeID())
	if err != nil {
		return nil, err
	}
	now := h.d.Clock.Now()
	out := []ConsentForm{}
	for _, st := range p.ServiceTypes() {
		tpl, ok := p.ConsentTemplate(st.ID, now)
		if !ok {
			continue
		}
		out = append(out, ConsentForm{ServiceTypeID: st.ID, ServiceName: st.Name, Version: tpl.Version, Text: tpl.Text,
			ContentHash: tpl.ContentHash, EffectiveFrom: tpl.EffectiveFrom.UTC(), Consent: c.ConsentState(p, st.ID, now)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ServiceName != out[j].ServiceName {
			return out[i].ServiceName < out[j].ServiceName
		}
		return out[i].ServiceTypeID.String() < out[j].ServiceTypeID.String()
	})
	return out, nil
}

// BookingOptions returns what client clientID may book themselves at the clock's now: the
// services of their practice that have a session length and that the calendar of the therapist
// holding their record opens to self-booking. A discharged client, a record nobody holds, and a
// calendar closed to self-booking give Enabled false and no services. Authorisation and errors are
// as for Consents; the read is recorded with purpose PurposeOwnBooking.
func (h *ReadOwnDataHandler) BookingOptions(ctx context.Context, actor domain.Actor, clientID domain.ID) (BookingOptions, error) {
	c, _, err := h.recordOwnAccess(ctx, actor, clientID, PurposeOwnBooking)
	if err != nil {
		return BookingOptions{}, err
	}
	therapist, held := c.Holder()
	out := BookingOptions{TherapistID: therapist, Services: []BookableService{}}
	if !held || c.RequireActive() != nil {
		return out, nil
	}
	cal, _, _, err := LoadCalendar(ctx, h.d, therapist)
	if err != nil {
		return BookingOptions{}, err
	}
	rules := cal.SelfBooking()
	if !rules.Enabled {
		return out, nil
	}
	p, _, err := LoadPractice(ctx, h.d, c.PracticeID())
	if err != nil {
		return BookingOptions{}, err
	}
	out.Enabled, out.HorizonDays, out.MinNoticeMinutes, out.HoldMinutes = true, rules.HorizonDays, rules.MinNoticeMinutes, rules.HoldMinutes
	if rules.NewClientApproval {
		if out.NeedsApproval, err = clientIsNew(ctx, h.d, clientID, therapist); err != nil {
			return BookingOptions{}, err
		}
	}
	now := h.d.Clock.Now()
	for _, st := range p.ServiceTypes() {
		if st.Minutes == 0 || (len(rules.ServiceTypes) > 0 && !slices.Contains(rules.ServiceTypes, st.ID)) {
			continue
		}
		out.Services = append(out.Services, BookableService{ServiceTypeID: st.ID, Name: st.Name, Minutes: st.Minutes,
			Consent: c.ConsentState(p, st.ID, now).Status})
	}
	sort.Slice(out.Services, func(i, j int) bool { return out.Services[i].Name < out.Services[j].Name })
	return out, nil
}

// ErasureRequests returns client clientID's erasure requests, oldest first, each with the DPO's
// decision once made: refused (with the Art. 17(3) exemption and explanation) or deferred (with
// the end of retention). An approved request ends in erasure, after which the client's data, and
// this read, are gone (KindErased). The client reads their own, recorded with purpose
// PurposeOwnErasures, with authorisation and errors as for Consents; the DPO reads any client's,
// to decide them, recorded with purpose PurposeDataProtection.
func (h *ReadOwnDataHandler) ErasureRequests(ctx context.Context, actor domain.Actor, clientID domain.ID) ([]client.ErasureRequest, error) {
	var (
		c   *client.Client
		err error
	)
	if actor.Role == domain.RoleDPO {
		c, _, err = h.recordAccess(ctx, actor, clientID, client.DPO, PurposeDataProtection)
	} else {
		c, _, err = h.recordOwnAccess(ctx, actor, clientID, PurposeOwnErasures)
	}
	if err != nil {
		return nil, err
	}
	return c.ErasureRequests(), nil
}

// OwnWaitlistEntry is one of a client's entries on their practice's waitlist.
type OwnWaitlistEntry struct {
	EntryID    domain.ID
	PracticeID domain.ID
	// TherapistID and ServiceTypeID are what the client waits for (zero: any).
	TherapistID, ServiceTypeID domain.ID
	// Preferred are the hours of the week the client can come, in the therapist's local time
	// (empty: any time).
	Preferred scheduling.WeeklyHours
	JoinedAt  time.Time
}

// WaitlistEntries returns the entries client clientID has on their practice's waitlist now,
// oldest first: those their schedule indexes (ClientWaitlistJoined) that the waitlist still holds.
// Entries made before the index existed are not found. Authorisation and errors are as for
// Consents; the read is recorded with purpose PurposeOwnWaitlist.
func (h *ReadOwnDataHandler) WaitlistEntries(ctx context.Context, actor domain.Actor, clientID domain.ID) ([]OwnWaitlistEntry, error) {
	c, _, err := h.recordOwnAccess(ctx, actor, clientID, PurposeOwnWaitlist)
	if err != nil {
		return nil, err
	}
	sl, err := loadStream(ctx, h.d, ClientScheduleStream(clientID), scheduling.Decode)
	if err != nil {
		return nil, err
	}
	waitlist, err := loadStream(ctx, h.d, WaitlistStream(c.PracticeID()), scheduling.Decode)
	if err != nil {
		return nil, err
	}
	w := scheduling.RebuildWaitlist(waitlist.Events)
	out := []OwnWaitlistEntry{}
	for _, j := range scheduling.RebuildClientSchedule(sl.Events).WaitlistEntries() {
		if e, ok := w.Entry(j.EntryID); ok && j.PracticeID == c.PracticeID() {
			out = append(out, OwnWaitlistEntry{EntryID: e.ID, PracticeID: j.PracticeID, TherapistID: e.TherapistID, ServiceTypeID: e.ServiceTypeID,
				Preferred: e.Preferred, JoinedAt: e.JoinedAt.UTC()})
		}
	}
	return out, nil
}

// Appointments returns the appointments of client clientID that end after from (zero: all),
// ordered by start. Appointment ids in the client's schedule whose stream does not exist (a
// booking that failed) are skipped, and so are appointments whose slot could not be reserved
// (status "booking_failed"). Authorisation and errors are as for Consents.
func (h *ReadOwnDataHandler) Appointments(ctx context.Context, actor domain.Actor, clientID domain.ID, from time.Time) ([]OwnAppointment, error) {
	if _, _, err := h.recordOwnAccess(ctx, actor, clientID, PurposeOwnAppointments); err != nil {
		return nil, err
	}
	sl, err := loadStream(ctx, h.d, ClientScheduleStream(clientID), scheduling.Decode)
	if err != nil {
		return nil, err
	}
	out := []OwnAppointment{}
	for _, id := range scheduling.RebuildClientSchedule(sl.Events).All() {
		al, err := loadStream(ctx, h.d, AppointmentStream(id), scheduling.Decode)
		if err != nil {
			return nil, err
		}
		a := scheduling.RebuildAppointment(al.Events)
		if !a.VisibleTo(actor) || a.Status() == scheduling.StatusBookingFailed || (!from.IsZero() && !a.Slot().End.After(from)) {
			continue
		}
		v := OwnAppointment{
			ID: a.ID(), TherapistID: a.Therapist(), ClientID: a.Client(), ServiceTypeID: a.ServiceType(), SeriesID: a.Series(),
			Start: a.Slot().Start.UTC(), End: a.Slot().End.UTC(), Status: a.Status(), Location: a.Location(), VideoLink: a.VideoLink(), Fee: a.Fee(),
		}
		for _, ev := range al.Events {
			if b, ok := ev.(scheduling.AppointmentBooked); ok {
				v.BookedBy = b.BookedBy
			}
		}
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out, nil
}

// recordOwnAccess is recordAccess for the client themself: another role is KindForbidden
// ("own_data_only"), another client's id KindNotFound, as for a missing client.
func (h *ReadOwnDataHandler) recordOwnAccess(ctx context.Context, actor domain.Actor, clientID domain.ID, purpose string) (*client.Client, Loaded, error) {
	if actor.Role != domain.RoleClient {
		return nil, Loaded{}, domain.Forbidden("own_data_only", "only a client reads their own data here")
	}
	if actor.UserID != clientID {
		return nil, Loaded{}, domain.NotFound("client", clientID)
	}
	return h.recordAccess(ctx, actor, clientID, client.Self, purpose)
}

// recordAccess authorises actor as one of parties of client clientID and appends RecordAccessed
// for purpose to the client's stream at the version it authorised on, deciding again on fresh
// state when the stream changed meanwhile (accessAttempts in all). It returns the client and its
// stream as loaded for the append.
func (h *ReadOwnDataHandler) recordAccess(ctx context.Context, actor domain.Actor, clientID domain.ID, parties client.Party, purpose string) (*client.Client, Loaded, error) {
	var (
		c *client.Client
		l Loaded
	)
	err := retryConcurrentN(accessAttempts, func() error {
		var err error
		if c, l, err = LoadClient(ctx, h.d, clientID); err != nil {
			return err
		}
		if err := c.Authorise(actor, "read_record", parties); err != nil {
			return err
		}
		ev, err := c.RecordAccess(actor, client.AccessRecord, domain.ID{}, purpose, h.d.Clock.Now())
		if err != nil {
			return err
		}
		return appendToClient(ctx, h.d, clientID, l, actor, ev)
	})
	if err != nil {
		return nil, Loaded{}, err
	}
	return c, l, nil
}
