package client_test

import (
	"errors"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/practice"
)

func TestReadmit(t *testing.T) {
	t.Parallel()
	registered, discharged := t0.AddDate(-3, 0, 0), t0.AddDate(-2, 0, 0)
	today := time.Date(t0.Year(), t0.Month(), t0.Day(), 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		setup     func(tb testing.TB, c *client.Client, p *practice.Practice)
		actor     domain.Actor
		startedOn time.Time
		wantKind  domain.Kind
		wantCode  string
	}{
		{name: "holder readmits a discharged client", actor: alice, startedOn: t0},
		{name: "on the day of discharge", actor: alice, startedOn: discharged},
		{name: "after a refused erasure request", actor: alice, startedOn: t0, setup: func(tb testing.TB, c *client.Client, _ *practice.Practice) {
			_, err := c.RequestErasure(self, domain.ID{21}, "", t0)
			ok(tb, err)
			_, err = c.RefuseErasure(dpo, domain.ID{21}, client.ExemptLegalClaims, "complaint open", t0)
			ok(tb, err)
		}},
		{name: "client in treatment", actor: alice, startedOn: t0, setup: func(tb testing.TB, c *client.Client, _ *practice.Practice) {
			_, err := c.Readmit(alice, t0.AddDate(0, 0, -1), t0)
			ok(tb, err)
		}, wantKind: domain.KindConflict, wantCode: "not_discharged"},
		{name: "before the discharge", actor: alice, startedOn: discharged.AddDate(0, 0, -1), wantKind: domain.KindInvalid, wantCode: "invalid_started_on"},
		{name: "in the future", actor: alice, startedOn: t0.AddDate(0, 0, 1), wantKind: domain.KindInvalid, wantCode: "invalid_started_on"},
		{name: "no date", actor: alice, wantKind: domain.KindInvalid, wantCode: "invalid_started_on"},
		{name: "another therapist", actor: bob, startedOn: t0, wantKind: domain.KindNotFound, wantCode: "client_not_found"},
		{name: "manager", actor: manager, startedOn: t0, wantKind: domain.KindForbidden, wantCode: "readmit_forbidden"},
		{name: "the client", actor: self, startedOn: t0, wantKind: domain.KindForbidden, wantCode: "readmit_forbidden"},
		{name: "open erasure request", actor: alice, startedOn: t0, setup: func(tb testing.TB, c *client.Client, _ *practice.Practice) {
			_, err := c.RequestErasure(self, domain.ID{21}, "", t0)
			ok(tb, err)
		}, wantKind: domain.KindConflict, wantCode: "erasure_pending"},
		{name: "deferred erasure request", actor: alice, startedOn: t0, setup: func(tb testing.TB, c *client.Client, _ *practice.Practice) {
			_, err := c.RequestErasure(self, domain.ID{21}, "", t0)
			ok(tb, err)
			_, err = c.DeferErasure(dpo, domain.ID{21}, nil, t0)
			ok(tb, err)
		}, wantKind: domain.KindConflict, wantCode: "erasure_pending"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newPractice(t)
			c, _, err := client.Register(alice, p, clientID, alice.UserID, practice.RecordGeneralAdult, person("1980-06-01"), registered)
			ok(t, err)
			_, err = c.Discharge(alice, discharged, discharged)
			ok(t, err)
			if tt.setup != nil {
				tt.setup(t, c, p)
			}
			ev, err := c.Readmit(tt.actor, tt.startedOn, t0)
			if tt.wantKind != "" {
				var de *domain.Error
				if !errors.As(err, &de) || de.Kind != tt.wantKind || de.Code != tt.wantCode {
					t.Fatalf("error = %v, want %s %s", err, tt.wantKind, tt.wantCode)
				}
				return
			}
			ok(t, err)
			if want := (client.ClientReadmitted{StartedOn: time.Date(tt.startedOn.Year(), tt.startedOn.Month(), tt.startedOn.Day(), 0, 0, 0, 0, time.UTC), At: t0}); ev != want {
				t.Fatalf("event = %+v, want %+v", ev, want)
			}
			if _, isDischarged := c.Discharged(); isDischarged {
				t.Fatal("still discharged after readmission")
			}
			if _, known := c.RetentionEnds(nil); known {
				t.Fatal("retention known during the new episode")
			}
			// A discharge before the new episode began is refused; retention counts from the
			// latest discharge.
			_, err = c.Discharge(alice, tt.startedOn.AddDate(0, 0, -1), t0)
			if de := (*domain.Error)(nil); !errors.As(err, &de) || de.Code != "invalid_ended_on" {
				t.Fatalf("discharge before readmission: %v", err)
			}
			_, err = c.Discharge(alice, t0, t0)
			ok(t, err)
			if got, known := c.RetentionEnds(nil); !known || !got.Equal(today.AddDate(8, 0, 0)) {
				t.Fatalf("retention ends %v (%v), want 8 years after the latest discharge", got, known)
			}
			// The rebuilt record agrees.
			rebuilt := client.Rebuild([]domain.Event{
				client.ClientRegistered{ClientID: clientID, PracticeID: p.ID(), TherapistID: alice.UserID, RecordKind: practice.RecordGeneralAdult, Details: person("1980-06-01"), At: registered},
				client.ClientDischarged{EndedOn: discharged, At: discharged}, ev, client.ClientDischarged{EndedOn: today, At: t0},
			})
			if ended, _ := rebuilt.Discharged(); !ended.Equal(today) {
				t.Fatalf("rebuilt discharge %v", ended)
			}
		})
	}
}
