package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/identity"
	"github.com/caseledger/caseledger/domain/note"
	"github.com/caseledger/caseledger/domain/practice"
	"github.com/caseledger/caseledger/domain/scheduling"
)

// demoFile is the shape of testdata/demo/practice.json. People are referred to by their "key"
// within the file; ids are minted when seeding.
type demoFile struct {
	Practice struct {
		ConsentRule      practice.ConsentRule `json:"consent_rule"`
		Location         string               `json:"location"`
		Calendar         scheduling.Policy    `json:"calendar"`
		ServiceTypes     []demoServiceType    `json:"service_types"`
		ConsentTemplates []struct {
			Service string `json:"service"`
			Text    string `json:"text"`
		} `json:"consent_templates"`
	} `json:"practice"`
	Users        []demoUser `json:"users"`
	Availability []struct {
		Therapist   string                      `json:"therapist"`
		Hours       scheduling.WeeklyHours      `json:"hours"`
		SelfBooking scheduling.SelfBookingRules `json:"self_booking"`
	} `json:"availability"`
	Clients []demoClient `json:"clients"`
}

type demoServiceType struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	Minutes int    `json:"minutes"`
}

// demoUser is a staff account; its password is printed for signing in to the demo.
type demoUser struct {
	Key      string      `json:"key"`
	Role     domain.Role `json:"role"`
	Email    string      `json:"email"`
	Password string      `json:"password"`
}

type demoClient struct {
	Key       string         `json:"key"`
	Therapist string         `json:"therapist"`
	Details   client.Details `json:"details"`
	// Portal, when set, is the client's portal account (its user id is the client's id).
	Portal *struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	} `json:"portal"`
	Consents []struct {
		Service string               `json:"service"`
		Method  client.SigningMethod `json:"method"`
	} `json:"consents"`
	Appointments []demoAppointment `json:"appointments"`
	Notes        []struct {
		Appointment int               `json:"appointment"`
		Template    string            `json:"template"`
		Sign        bool              `json:"sign"`
		Fields      map[string]string `json:"fields"`
	} `json:"notes"`
}

// demoAppointment is placed relative to the seeding date: Weekday of the week Week weeks from the
// current one (Monday-based), at local Time in the practice's zone. Week is never 0, so that
// "completed" sessions lie in the past and "booked" ones in the future whatever today is.
type demoAppointment struct {
	Service string             `json:"service"`
	Week    int                `json:"week"`
	Weekday scheduling.Weekday `json:"weekday"`
	Time    string             `json:"time"`
	Status  string             `json:"status"` // booked, completed or cancelled
}

// demoSummary counts what seeding created.
type demoSummary struct {
	Users, Clients, PortalAccounts, Consents, Appointments, Completed, Cancelled, Notes, SignedNotes int
}

// parseDemo decodes the demo file strictly: an unknown field is an error.
func parseDemo(data []byte) (demoFile, error) {
	var f demoFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return f, fmt.Errorf("demo practice file: %w", err)
	}
	return f, nil
}

// demoClock is the clock the demo's commands run on: seeding replays the practice's last few
// weeks in order, setting the time before each step.
type demoClock struct{ now time.Time }

func (c *demoClock) Now() time.Time { return c.now }

// demoSeeder runs the real command handlers to build the demo practice.
type demoSeeder struct {
	clock    *demoClock
	deps     commands.Deps
	identity commands.IdentityDeps
	file     demoFile
	loc      *time.Location

	practiceID domain.ID
	users      map[string]domain.Actor
	services   map[string]demoService
	summary    demoSummary
}

type demoService struct {
	id       domain.ID
	duration time.Duration
}

// seedDemo seeds the practice described by f through the command handlers, as it would have
// been built over the weeks before now: opened four weeks before the current week, clients
// registered and consents signed that day, sessions completed and notes written after each
// session, later sessions booked. log, sealer, directory and index are the production
// dependencies; the clock is seeding's own.
func seedDemo(ctx context.Context, log commands.EventLog, sealer commands.Sealer, directory commands.UserDirectory,
	index commands.BlindIndex, f demoFile, now time.Time) (demoSummary, error) {
	loc, err := time.LoadLocation(f.Practice.Calendar.TimeZone)
	if err != nil {
		return demoSummary{}, fmt.Errorf("demo: time zone: %w", err)
	}
	clock := &demoClock{}
	deps := commands.Deps{Log: log, Sealer: sealer, Clock: clock}
	s := &demoSeeder{
		clock: clock, deps: deps, file: f, loc: loc,
		identity: commands.IdentityDeps{Deps: deps, Directory: directory, Index: index,
			Hasher: commands.DefaultPasswordHasher(), Policy: identity.DefaultPolicy()},
		users:    map[string]domain.Actor{},
		services: map[string]demoService{},
	}
	thisMonday := mondayOf(now.In(loc))
	opened := thisMonday.AddDate(0, 0, -28).Add(9 * time.Hour)
	if err := s.setUp(ctx, opened); err != nil {
		return s.summary, err
	}
	steps, err := s.clientSteps(ctx, opened.Add(time.Hour), thisMonday)
	if err != nil {
		return s.summary, err
	}
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].at.Before(steps[j].at) })
	for _, st := range steps {
		if st.at.After(now) {
			return s.summary, fmt.Errorf("demo: step %q would happen in the future", st.name)
		}
		clock.now = st.at
		if err := st.run(ctx); err != nil {
			return s.summary, fmt.Errorf("demo: %s: %w", st.name, err)
		}
	}
	return s.summary, nil
}

// setUp registers the staff, opens the practice and configures services, consent forms and
// calendars, all at the opening time.
func (s *demoSeeder) setUp(ctx context.Context, at time.Time) error {
	s.clock.now = at
	system := domain.Actor{Role: domain.RoleSystem}
	register := commands.NewRegisterUserHandler(s.identity)
	for _, u := range s.file.Users {
		id, err := register.Handle(ctx, system, commands.RegisterUser{Role: u.Role, Email: u.Email, Password: u.Password})
		if err != nil {
			return fmt.Errorf("demo: register user %s: %w", u.Key, err)
		}
		s.users[u.Key] = domain.Actor{UserID: id, Role: u.Role}
		s.summary.Users++
	}
	admin, ok := s.firstWithRole(domain.RoleAdmin)
	if !ok {
		return errors.New("demo: the file has no admin")
	}
	s.practiceID = newDemoID()
	if err := commands.NewOpenPracticeHandler(s.deps).Handle(ctx, admin, commands.OpenPractice{
		PracticeID: s.practiceID, ConsentRule: s.file.Practice.ConsentRule}); err != nil {
		return fmt.Errorf("demo: open practice: %w", err)
	}
	settings := commands.NewPracticeSettingsHandler(s.deps)
	for _, u := range s.file.Users {
		a := s.users[u.Key]
		if err := settings.AddStaffMember(ctx, admin, s.practiceID, a.UserID, a.Role); err != nil {
			return fmt.Errorf("demo: add staff member %s: %w", u.Key, err)
		}
	}
	for _, st := range s.file.Practice.ServiceTypes {
		svc := demoService{id: newDemoID(), duration: time.Duration(st.Minutes) * time.Minute}
		if err := settings.AddServiceType(ctx, admin, s.practiceID, svc.id, st.Code, st.Name, st.Minutes); err != nil {
			return fmt.Errorf("demo: add service type %s: %w", st.Code, err)
		}
		s.services[st.Code] = svc
	}
	for _, ct := range s.file.Practice.ConsentTemplates {
		svc, ok := s.services[ct.Service]
		if !ok {
			return fmt.Errorf("demo: consent template for unknown service %q", ct.Service)
		}
		if err := settings.PublishConsentTemplate(ctx, admin, s.practiceID, svc.id, ct.Text, at); err != nil {
			return fmt.Errorf("demo: publish consent template %s: %w", ct.Service, err)
		}
	}
	configure := commands.NewConfigureCalendarHandler(s.deps)
	hours := commands.NewSetAvailabilityHandler(s.deps)
	for _, av := range s.file.Availability {
		therapist, err := s.user(av.Therapist, domain.RoleTherapist)
		if err != nil {
			return err
		}
		if err := configure.Handle(ctx, therapist, commands.ConfigureCalendar{TherapistID: therapist.UserID, Policy: s.file.Practice.Calendar}); err != nil {
			return fmt.Errorf("demo: configure calendar of %s: %w", av.Therapist, err)
		}
		if err := hours.SetWeeklyHours(ctx, therapist, therapist.UserID, av.Hours); err != nil {
			return fmt.Errorf("demo: weekly hours of %s: %w", av.Therapist, err)
		}
		if av.SelfBooking.Enabled {
			if err := hours.SetSelfBookingRules(ctx, therapist, therapist.UserID, av.SelfBooking); err != nil {
				return fmt.Errorf("demo: self-booking rules of %s: %w", av.Therapist, err)
			}
		}
	}
	return nil
}

// demoStep is one command of the demo timeline.
type demoStep struct {
	at   time.Time
	name string
	run  func(ctx context.Context) error
}

// clientSteps registers every client and signs their consents at registered, and returns the
// timeline of their sessions: bookings right after registration, cancellations three days
// ahead, completions, notes and signatures after each session.
func (s *demoSeeder) clientSteps(ctx context.Context, registered, thisMonday time.Time) ([]demoStep, error) {
	s.clock.now = registered
	registerClient := commands.NewRegisterClientHandler(s.deps)
	sign := commands.NewSignConsentHandler(s.deps)
	book := commands.NewBookAppointmentHandler(s.deps)
	cancel := commands.NewCancelAppointmentHandler(s.deps)
	attend := commands.NewRecordAttendanceHandler(s.deps)
	draft := commands.NewDraftNoteHandler(s.deps)
	signNote := commands.NewSignNoteHandler(s.deps)

	var steps []demoStep
	for _, c := range s.file.Clients {
		therapist, err := s.user(c.Therapist, domain.RoleTherapist)
		if err != nil {
			return nil, err
		}
		clientID, err := registerClient.Handle(ctx, therapist, commands.RegisterClient{
			PracticeID: s.practiceID, TherapistID: therapist.UserID, Details: c.Details})
		if err != nil {
			return nil, fmt.Errorf("demo: register client %s: %w", c.Key, err)
		}
		s.summary.Clients++
		if c.Portal != nil {
			if _, err := commands.NewRegisterUserHandler(s.identity).Handle(ctx, domain.Actor{Role: domain.RoleSystem}, commands.RegisterUser{
				UserID: clientID, Role: domain.RoleClient, Email: c.Portal.Email, Password: c.Portal.Password}); err != nil {
				return nil, fmt.Errorf("demo: portal account of %s: %w", c.Key, err)
			}
			s.summary.PortalAccounts++
		}
		for _, cs := range c.Consents {
			svc, err := s.service(cs.Service)
			if err != nil {
				return nil, err
			}
			signer := therapist
			if cs.Method == client.SignedPortal {
				signer = domain.Actor{UserID: clientID, Role: domain.RoleClient}
			}
			if err := sign.Handle(ctx, signer, commands.SignConsent{ClientID: clientID, ServiceTypeID: svc.id,
				Version: 1, Method: cs.Method, Signer: client.SignerClient, SignedAt: registered}); err != nil {
				return nil, fmt.Errorf("demo: consent of %s to %s: %w", c.Key, cs.Service, err)
			}
			s.summary.Consents++
		}

		appointments := make([]domain.ID, len(c.Appointments))
		ends := make([]time.Time, len(c.Appointments))
		for i, ap := range c.Appointments {
			svc, err := s.service(ap.Service)
			if err != nil {
				return nil, err
			}
			start, err := s.appointmentStart(thisMonday, ap)
			if err != nil {
				return nil, fmt.Errorf("demo: appointment %d of %s: %w", i, c.Key, err)
			}
			id := newDemoID()
			appointments[i], ends[i] = id, start.Add(svc.duration)
			name := fmt.Sprintf("appointment %d of %s", i, c.Key)
			steps = append(steps, demoStep{at: registered.Add(time.Duration(i+1) * time.Minute), name: "book " + name,
				run: func(ctx context.Context) error {
					_, err := book.Handle(ctx, therapist, commands.BookAppointment{AppointmentID: id,
						TherapistID: therapist.UserID, ClientID: clientID, ServiceTypeID: svc.id, Start: start,
						Duration: svc.duration, Place: scheduling.Place{Location: s.file.Practice.Location}})
					return s.count(&s.summary.Appointments, err)
				}})
			switch ap.Status {
			case "booked":
			case "completed":
				steps = append(steps, demoStep{at: ends[i].Add(5 * time.Minute), name: "complete " + name,
					run: func(ctx context.Context) error {
						return s.count(&s.summary.Completed, attend.Complete(ctx, therapist, id))
					}})
			case "cancelled":
				steps = append(steps, demoStep{at: start.AddDate(0, 0, -3), name: "cancel " + name,
					run: func(ctx context.Context) error {
						_, err := cancel.Handle(ctx, therapist, commands.CancelAppointment{AppointmentID: id})
						return s.count(&s.summary.Cancelled, err)
					}})
			default:
				return nil, fmt.Errorf("demo: appointment %d of %s: status %q, want booked, completed or cancelled", i, c.Key, ap.Status)
			}
		}

		for i, n := range c.Notes {
			if n.Appointment < 0 || n.Appointment >= len(appointments) || c.Appointments[n.Appointment].Status != "completed" {
				return nil, fmt.Errorf("demo: note %d of %s must refer to a completed appointment", i, c.Key)
			}
			template, err := templateID(n.Template)
			if err != nil {
				return nil, err
			}
			noteID, fields, sign := newDemoID(), n.Fields, n.Sign
			appointment, end := appointments[n.Appointment], ends[n.Appointment]
			name := fmt.Sprintf("note %d of %s", i, c.Key)
			steps = append(steps, demoStep{at: end.Add(30 * time.Minute), name: "draft " + name,
				run: func(ctx context.Context) error {
					_, err := draft.Handle(ctx, therapist, commands.DraftNote{ClientID: clientID, NoteID: noteID,
						Kind: note.KindProgress, TemplateID: template, AppointmentID: appointment, Fields: fields})
					return s.count(&s.summary.Notes, err)
				}})
			if sign {
				steps = append(steps, demoStep{at: end.Add(time.Hour), name: "sign " + name,
					run: func(ctx context.Context) error {
						err := signNote.Handle(ctx, therapist, commands.SignNote{ClientID: clientID, NoteID: noteID, Kind: note.KindProgress})
						return s.count(&s.summary.SignedNotes, err)
					}})
			}
		}
	}
	return steps, nil
}

// count adds one to *n when err is nil, and returns err.
func (s *demoSeeder) count(n *int, err error) error {
	if err == nil {
		*n++
	}
	return err
}

// appointmentStart returns the start of ap in the practice's zone.
func (s *demoSeeder) appointmentStart(thisMonday time.Time, ap demoAppointment) (time.Time, error) {
	if ap.Week == 0 {
		return time.Time{}, errors.New("week must not be 0")
	}
	clock, err := scheduling.ParseClockTime(ap.Time)
	if err != nil {
		return time.Time{}, err
	}
	offset := (int(ap.Weekday) + 6) % 7 // days after Monday
	day := thisMonday.AddDate(0, 0, 7*ap.Week+offset)
	return time.Date(day.Year(), day.Month(), day.Day(), int(clock)/60, int(clock)%60, 0, 0, s.loc), nil
}

func (s *demoSeeder) user(key string, role domain.Role) (domain.Actor, error) {
	a, ok := s.users[key]
	if !ok || a.Role != role {
		return domain.Actor{}, fmt.Errorf("demo: no %s with key %q", role, key)
	}
	return a, nil
}

func (s *demoSeeder) firstWithRole(role domain.Role) (domain.Actor, bool) {
	for _, u := range s.file.Users {
		if u.Role == role {
			return s.users[u.Key], true
		}
	}
	return domain.Actor{}, false
}

func (s *demoSeeder) service(code string) (demoService, error) {
	svc, ok := s.services[code]
	if !ok {
		return demoService{}, fmt.Errorf("demo: unknown service type %q", code)
	}
	return svc, nil
}

// templateID returns the id of a built-in note template by name.
func templateID(name string) (domain.ID, error) {
	for _, t := range practice.BuiltinNoteTemplates() {
		if t.Name == name {
			return t.ID, nil
		}
	}
	return domain.ID{}, fmt.Errorf("demo: unknown note template %q", name)
}

// mondayOf returns midnight at the start of the Monday of t's week, in t's location.
func mondayOf(t time.Time) time.Time {
	offset := (int(t.Weekday()) + 6) % 7
	d := t.AddDate(0, 0, -offset)
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, t.Location())
}

// newDemoID returns a fresh UUIDv7 id.
func newDemoID() domain.ID {
	return domain.ID(uuid.Must(uuid.NewV7()))
}
