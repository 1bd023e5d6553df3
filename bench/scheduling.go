package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/scheduling"
	"github.com/caseledger/caseledger/eventstore/pgstore"
	"github.com/caseledger/caseledger/keyring"
	"github.com/caseledger/caseledger/migrations"
)

// The scheduling suite measures:
//   - slot search (Calendar.FreeSlots) for one therapist over 8 weeks with 300 appointments, in
//     ns/op: a pure function, so no database baseline;
//   - booking throughput on one therapist's calendar with 8 concurrent clients, each booking its
//     own slots through commands.BookAppointmentHandler on the PostgreSQL store with the
//     PostgreSQL keyring (consent check, calendar reservation at its exact version, sealed
//     appointment details), against raw pgx doing the same number of single-row INSERT
//     transactions from 8 goroutines. Median of three rounds, each on a fresh calendar.
func init() { register("scheduling", benchScheduling) }

const (
	schedBenchWorkers = 8
	schedBenchRounds  = 3
)

func benchScheduling(ctx context.Context, env *Env) ([]Result, error) {
	search, err := schedBenchSearch()
	if err != nil {
		return nil, err
	}
	dsn, err := env.NewDatabase(ctx)
	if err != nil {
		return nil, err
	}
	pool, err := migrations.ConnectAs(ctx, dsn, migrations.RoleApp, 16)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	owner, err := migrations.ConnectAs(ctx, dsn, "", 2)
	if err != nil {
		return nil, err
	}
	defer owner.Close()
	if _, err := owner.Exec(ctx, `CREATE TABLE sched_bench_raw (id uuid PRIMARY KEY, therapist uuid NOT NULL, starts_at timestamptz NOT NULL, payload bytea NOT NULL);
		GRANT SELECT, INSERT ON sched_bench_raw TO caseledger_app`); err != nil {
		return nil, fmt.Errorf("create baseline table: %w", err)
	}
	deps, err := schedBenchDeps(ctx, pool)
	if err != nil {
		return nil, err
	}
	n := 400
	if env.Quick {
		n = 40
	}
	var booked, raw []float64
	for range schedBenchRounds {
		b, err := schedBenchBookings(ctx, deps, n)
		if err != nil {
			return nil, err
		}
		r, err := schedBenchRawInserts(ctx, pool, n)
		if err != nil {
			return nil, err
		}
		booked, raw = append(booked, b), append(raw, r)
	}
	return []Result{
		Less("slot search, 8 weeks, 300 appointments", search, "ns/op", "", 0, 0),
		More(fmt.Sprintf("bookings, one calendar, %d clients", schedBenchWorkers), median(booked), "bookings/s",
			"single-row INSERT transactions", median(raw), 0),
	}, nil
}

// schedBenchCalendar returns a calendar (Europe/London, Monday to Friday 09:00-17:00, 10 minute
// buffer) holding 300 50-minute appointments over the 8 weeks from from, and the zone.
func schedBenchCalendar(from time.Time) (*scheduling.Calendar, *time.Location, error) {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		return nil, nil, err
	}
	c := scheduling.NewCalendar(domain.ID(uuid.New()))
	cfg, err := c.Configure(scheduling.Policy{TimeZone: "Europe/London", BufferMinutes: 10, SlotStepMinutes: 15})
	if err != nil {
		return nil, nil, err
	}
	c.Apply(cfg)
	var week scheduling.WeeklyHours
	for d := time.Monday; d <= time.Friday; d++ {
		week = append(week, scheduling.WeeklyRange{Weekday: scheduling.Weekday(d), LocalRange: scheduling.LocalRange{Start: 9 * 60, End: 17 * 60}})
	}
	wh, err := c.SetWeeklyHours(week)
	if err != nil {
		return nil, nil, err
	}
	c.Apply(wh)
	booked := 0
	for day := 0; day < 56 && booked < 300; day++ {
		d := scheduling.DateOf(from, loc).AddDays(day)
		for slot := 0; slot < 8 && booked < 300; slot++ {
			start := d.At(scheduling.ClockTime(9*60+slot*60), loc)
			ev, err := c.Reserve(scheduling.ReserveRequest{AppointmentID: domain.ID(uuid.New()), Slot: scheduling.Interval{Start: start, End: start.Add(50 * time.Minute)}}, from, loc)
			if err != nil {
				continue // weekends
			}
			c.Apply(ev)
			booked++
		}
	}
	if booked != 300 {
		return nil, nil, fmt.Errorf("bench calendar holds %d appointments, want 300", booked)
	}
	return c, loc, nil
}

// schedBenchSearch times FreeSlots over the 8 weeks, in ns per search.
func schedBenchSearch() (float64, error) {
	from := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	c, loc, err := schedBenchCalendar(from)
	if err != nil {
		return 0, err
	}
	q := scheduling.SlotQuery{From: from, To: from.AddDate(0, 0, 56), Length: 50 * time.Minute}
	const iterations = 2000
	start := time.Now()
	for range iterations {
		if _, err := c.FreeSlots(q, from, loc); err != nil {
			return 0, err
		}
	}
	return float64(time.Since(start).Nanoseconds()) / iterations, nil
}

// schedBenchDeps builds Deps on the PostgreSQL store and keyring with a fresh random master.
func schedBenchDeps(ctx context.Context, pool *pgxpool.Pool) (commands.Deps, error) {
	store, err := pgstore.New(ctx, pool, pgstore.Config{})
	if err != nil {
		return commands.Deps{}, err
	}
	master, err := keyring.NewRandomMaster()
	if err != nil {
		return commands.Deps{}, err
	}
	keys, err := keyring.New(ctx, keyring.Config{Storage: keyring.NewPostgresStorage(pool), Master: master, Events: store})
	if err != nil {
		return commands.Deps{}, err
	}
	return commands.Deps{Log: store, Sealer: keys, Clock: commands.ClockFunc(time.Now)}, nil
}

// schedBenchPractice opens a practice with one therapist, a service type with a consent form,
// a calendar open every hour of every day, and n clients who signed the form.
func schedBenchPractice(ctx context.Context, d commands.Deps, n int) (therapist domain.Actor, service domain.ID, clients []domain.ID, err error) {
	admin := domain.Actor{UserID: domain.ID(uuid.New()), Role: domain.RoleAdmin}
	therapist = domain.Actor{UserID: domain.ID(uuid.New()), Role: domain.RoleTherapist}
	practiceID, service := domain.ID(uuid.New()), domain.ID(uuid.New())
	settings := commands.NewPracticeSettingsHandler(d)
	steps := []func() error{
		func() error {
			return commands.NewOpenPracticeHandler(d).Handle(ctx, admin, commands.OpenPractice{PracticeID: practiceID})
		},
		func() error {
			return settings.AddStaffMember(ctx, admin, practiceID, therapist.UserID, domain.RoleTherapist)
		},
		func() error {
			return settings.AddServiceType(ctx, admin, practiceID, service, "individual_therapy", "Individual therapy", 50)
		},
		func() error {
			return settings.PublishConsentTemplate(ctx, admin, practiceID, service, "I consent.", time.Now().Add(-time.Hour))
		},
		func() error {
			return commands.NewConfigureCalendarHandler(d).Handle(ctx, therapist, commands.ConfigureCalendar{
				TherapistID: therapist.UserID, Policy: scheduling.Policy{TimeZone: "Europe/London", SlotStepMinutes: 15},
			})
		},
		func() error {
			var week scheduling.WeeklyHours
			for day := time.Sunday; day <= time.Saturday; day++ {
				week = append(week, scheduling.WeeklyRange{Weekday: scheduling.Weekday(day), LocalRange: scheduling.LocalRange{Start: 0, End: scheduling.MaxClockTime}})
			}
			return commands.NewSetAvailabilityHandler(d).SetWeeklyHours(ctx, therapist, therapist.UserID, week)
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return domain.Actor{}, domain.ID{}, nil, err
		}
	}
	for range n {
		id, err := commands.NewRegisterClientHandler(d).Handle(ctx, therapist, commands.RegisterClient{
			PracticeID: practiceID, TherapistID: therapist.UserID,
			Details: client.Details{GivenName: "Bench", FamilyName: "Client", DateOfBirth: "1990-01-01", Email: "bench@example.org"},
		})
		if err != nil {
			return domain.Actor{}, domain.ID{}, nil, err
		}
		if err := commands.NewSignConsentHandler(d).Handle(ctx, domain.Actor{UserID: id, Role: domain.RoleClient}, commands.SignConsent{
			ClientID: id, ServiceTypeID: service, Version: 1, Method: client.SignedPortal, Signer: client.SignerClient, SignedAt: time.Now(),
		}); err != nil {
			return domain.Actor{}, domain.ID{}, nil, err
		}
		clients = append(clients, id)
	}
	return therapist, service, clients, nil
}

// schedBenchBookings books n 30-minute sessions on one fresh calendar from schedBenchWorkers
// goroutines, each for its own client and its own slots, and returns bookings per second.
func schedBenchBookings(ctx context.Context, d commands.Deps, n int) (float64, error) {
	therapist, service, clients, err := schedBenchPractice(ctx, d, schedBenchWorkers)
	if err != nil {
		return 0, err
	}
	h := commands.NewBookAppointmentHandler(d)
	base := time.Now().Add(48 * time.Hour).Truncate(time.Hour)
	errs := make(chan error, schedBenchWorkers)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range schedBenchWorkers {
		wg.Go(func() {
			for k := w; k < n; k += schedBenchWorkers {
				_, err := h.Handle(ctx, therapist, commands.BookAppointment{
					TherapistID: therapist.UserID, ClientID: clients[w], ServiceTypeID: service,
					Start: base.Add(time.Duration(k) * 30 * time.Minute), Duration: 30 * time.Minute,
					Place: scheduling.Place{Location: "Room 1"},
				})
				if err != nil {
					errs <- fmt.Errorf("booking %d: %w", k, err)
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		return 0, err
	}
	return float64(n) / elapsed.Seconds(), nil
}

// schedBenchRawInserts runs n single-row INSERT transactions from schedBenchWorkers goroutines
// and returns inserts per second.
func schedBenchRawInserts(ctx context.Context, pool *pgxpool.Pool, n int) (float64, error) {
	therapist := uuid.New()
	base := time.Now()
	payload := make([]byte, 256)
	errs := make(chan error, schedBenchWorkers)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range schedBenchWorkers {
		wg.Go(func() {
			for k := w; k < n; k += schedBenchWorkers {
				if _, err := pool.Exec(ctx, `INSERT INTO sched_bench_raw (id, therapist, starts_at, payload) VALUES ($1, $2, $3, $4)`,
					uuid.New(), therapist, base.Add(time.Duration(k)*30*time.Minute), payload); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		return 0, err
	}
	return float64(n) / elapsed.Seconds(), nil
}
