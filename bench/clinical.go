package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/practice"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/migrations"
)

// The clinical suite measures, on the PostgreSQL store with the PostgreSQL keyring:
//   - audited note reads: commands.ReadNoteHandler reading one note of a client with 50 signed
//     progress notes (load and decrypt the client and the notebook, authorise, append a sealed
//     RecordAccessed at the record's exact version, return), against raw pgx reading the same
//     number of rows of the same sizes from two streams and inserting one row, in one transaction;
//   - consent checks: commands.ConsentCheck on another client who signed the form (load and decrypt
//     the client, load the practice, decide), against raw pgx reading the same rows. LoadClient
//     keeps recently loaded clients in a per-process cache and reads only the events appended
//     since (plus one decryption proving the key still exists), while the baseline reads the whole
//     streams every time: a ratio above 1 is that cache, not a faster database.
//
// Every audited read appends to the client's stream, and so does every baseline transaction to
// its copy: both grow alike during the run.
//
// One goroutine, median of three rounds.
func init() { register("clinical", benchClinical) }

const (
	clinicalBenchNotes  = 50
	clinicalBenchRounds = 3
)

func benchClinical(ctx context.Context, env *Env) ([]Result, error) {
	dsn, err := env.NewDatabase(ctx)
	if err != nil {
		return nil, err
	}
	pool, err := migrations.ConnectAs(ctx, dsn, migrations.RoleApp, 4)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	owner, err := migrations.ConnectAs(ctx, dsn, "", 2)
	if err != nil {
		return nil, err
	}
	defer owner.Close()
	if _, err := owner.Exec(ctx, `CREATE TABLE clinical_bench_raw (stream text NOT NULL, version bigint NOT NULL, payload bytea NOT NULL, PRIMARY KEY (stream, version));
		GRANT SELECT, INSERT ON clinical_bench_raw TO caseledger_app`); err != nil {
		return nil, fmt.Errorf("create baseline table: %w", err)
	}
	d, err := schedBenchDeps(ctx, pool)
	if err != nil {
		return nil, err
	}
	f, err := clinicalBenchFixture(ctx, d)
	if err != nil {
		return nil, err
	}
	clientRows, notebookRows, checkedRows, practiceRows, err := clinicalBenchRawStreams(ctx, pool, d, f)
	if err != nil {
		return nil, err
	}
	n := 300
	if env.Quick {
		n = 30
	}
	read := commands.NewReadNoteHandler(d)
	check := commands.NewConsentCheck(d)
	var reads, rawReads, checks, rawChecks []float64
	for range clinicalBenchRounds {
		r, err := perSecond(n, func() error {
			_, err := read.Handle(ctx, f.therapist, commands.ReadNote{ClientID: f.client, NoteID: f.note, Purpose: "treatment"})
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("audited read: %w", err)
		}
		rr, err := perSecond(n, func() error { return clinicalBenchRaw(ctx, pool, true, clientRows, notebookRows) })
		if err != nil {
			return nil, err
		}
		c, err := perSecond(n, func() error {
			_, err := check.Check(ctx, f.checked, f.service, time.Now())
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("consent check: %w", err)
		}
		rc, err := perSecond(n, func() error { return clinicalBenchRaw(ctx, pool, false, checkedRows, practiceRows) })
		if err != nil {
			return nil, err
		}
		reads, rawReads, checks, rawChecks = append(reads, r), append(rawReads, rr), append(checks, c), append(rawChecks, rc)
	}
	return []Result{
		More(fmt.Sprintf("audited note read, %d-note notebook", clinicalBenchNotes), median(reads), "reads/s",
			"SELECT two streams + INSERT one row", median(rawReads), 0),
		More("consent check", median(checks), "checks/s", "SELECT two streams", median(rawChecks), 0),
	}, nil
}

// perSecond runs op n times and returns how many ran per second.
func perSecond(n int, op func() error) (float64, error) {
	start := time.Now()
	for range n {
		if err := op(); err != nil {
			return 0, err
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

type clinicalBenchSetup struct {
	therapist           domain.Actor
	practiceID, service domain.ID
	client, note        domain.ID
	checked             domain.ID // a client with consent and no notes
}

// clinicalBenchFixture opens a practice and registers two clients who signed the consent form; the
// first has clinicalBenchNotes signed SOAP notes of about 500 bytes each.
func clinicalBenchFixture(ctx context.Context, d commands.Deps) (clinicalBenchSetup, error) {
	admin := domain.Actor{UserID: domain.ID(uuid.New()), Role: domain.RoleAdmin}
	f := clinicalBenchSetup{
		therapist:  domain.Actor{UserID: domain.ID(uuid.New()), Role: domain.RoleTherapist},
		practiceID: domain.ID(uuid.New()), service: domain.ID(uuid.New()),
	}
	settings := commands.NewPracticeSettingsHandler(d)
	if err := commands.NewOpenPracticeHandler(d).Handle(ctx, admin, commands.OpenPractice{PracticeID: f.practiceID}); err != nil {
		return f, err
	}
	if err := settings.AddStaffMember(ctx, admin, f.practiceID, f.therapist.UserID, domain.RoleTherapist); err != nil {
		return f, err
	}
	if err := settings.AddServiceType(ctx, admin, f.practiceID, f.service, "individual_therapy", "Individual therapy", 50); err != nil {
		return f, err
	}
	if err := settings.PublishConsentTemplate(ctx, admin, f.practiceID, f.service, "I consent.", time.Now().Add(-time.Hour)); err != nil {
		return f, err
	}
	for _, id := range []*domain.ID{&f.client, &f.checked} {
		var err error
		*id, err = commands.NewRegisterClientHandler(d).Handle(ctx, f.therapist, commands.RegisterClient{
			PracticeID: f.practiceID, TherapistID: f.therapist.UserID,
			Details: client.Details{GivenName: "Bench", FamilyName: "Client", DateOfBirth: "1985-04-02", Email: "bench@example.org"},
		})
		if err != nil {
			return f, err
		}
		if err := commands.NewSignConsentHandler(d).Handle(ctx, f.therapist, commands.SignConsent{
			ClientID: *id, ServiceTypeID: f.service, Version: 1, Method: client.SignedInPerson,
			Signer: client.SignerClient, SignedAt: time.Now().Add(-time.Minute),
		}); err != nil {
			return f, err
		}
	}
	text := strings.Repeat("session content ", 7)
	for range clinicalBenchNotes {
		id, err := commands.NewDraftNoteHandler(d).Handle(ctx, f.therapist, commands.DraftNote{
			ClientID: f.client, TemplateID: practice.TemplateSOAP,
			Fields: map[string]string{"subjective": text, "objective": text, "assessment": text, "plan": text},
		})
		if err != nil {
			return f, err
		}
		if err := commands.NewSignNoteHandler(d).Handle(ctx, f.therapist, commands.SignNote{ClientID: f.client, NoteID: id}); err != nil {
			return f, err
		}
		f.note = id
	}
	return f, nil
}

// clinicalBenchRawStreams copies the row counts and payload sizes of the fixture's streams (both
// clients, the notebook, the practice) into the baseline table and returns their baseline names.
func clinicalBenchRawStreams(ctx context.Context, pool *pgxpool.Pool, d commands.Deps, f clinicalBenchSetup) (clientRows, notebookRows, checkedRows, practiceRows string, err error) {
	copyStream := func(name string, stream string) error {
		recs, err := d.Log.ReadStream(ctx, eventstore.StreamID(stream), 0, 10000)
		if err != nil {
			return err
		}
		for _, r := range recs {
			payload := make([]byte, len(r.Payload))
			_, _ = rand.Read(payload)
			if _, err := pool.Exec(ctx, `INSERT INTO clinical_bench_raw (stream, version, payload) VALUES ($1, $2, $3)`, name, r.Version, payload); err != nil {
				return err
			}
		}
		return nil
	}
	clientRows, notebookRows, checkedRows, practiceRows = "raw-client", "raw-notes", "raw-checked", "raw-practice"
	for name, stream := range map[string]string{
		clientRows:   string(commands.ClientStream(f.client)),
		notebookRows: string(commands.NotesStream(f.client, "")),
		checkedRows:  string(commands.ClientStream(f.checked)),
		practiceRows: string(commands.PracticeStream(f.practiceID)),
	} {
		if err := copyStream(name, stream); err != nil {
			return "", "", "", "", err
		}
	}
	return clientRows, notebookRows, checkedRows, practiceRows, nil
}

// clinicalBenchRaw reads every row of two baseline streams in one transaction and, when insert is
// set, appends one row to the first.
func clinicalBenchRaw(ctx context.Context, pool *pgxpool.Pool, insert bool, first, second string) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		var last int64
		for _, s := range []string{first, second} {
			rows, err := tx.Query(ctx, `SELECT version, payload FROM clinical_bench_raw WHERE stream = $1 ORDER BY version`, s)
			if err != nil {
				return err
			}
			for rows.Next() {
				var v int64
				var p []byte
				if err := rows.Scan(&v, &p); err != nil {
					return err
				}
				if s == first {
					last = v
				}
			}
			if err := rows.Err(); err != nil {
				return err
			}
		}
		if !insert {
			return nil
		}
		payload := make([]byte, 200)
		_, _ = rand.Read(payload)
		_, err := tx.Exec(ctx, `INSERT INTO clinical_bench_raw (stream, version, payload) VALUES ($1, $2, $3)`, first, last+1, payload)
		return err
	})
}
