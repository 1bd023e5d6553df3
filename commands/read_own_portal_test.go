package commands_test

import (
	"context"
	"testing"
	"time"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/google/uuid"
)

func TestReadOwnData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newSchedClinic(t)
	h := commands.NewReadOwnDataHandler(s.deps)
	first := s.at(t, "2026-03-10", 10, 0)
	later := s.book(t, s.at(t, "2026-03-12", 11, 0))
	earlier := s.book(t, first)
	if _, err := commands.NewCancelAppointmentHandler(s.deps).Handle(ctx, s.alice, commands.CancelAppointment{AppointmentID: later, Reason: "therapist unwell"}); err != nil {
		t.Fatal(err)
	}
	other := s.register(t, s.alice)

	t.Run("own appointments in start order with their status", func(t *testing.T) {
		got, err := h.Appointments(ctx, s.asClient(), s.client, time.Time{})
		must(t, err)
		if len(got) != 2 || got[0].ID != earlier || got[1].ID != later || got[1].Status != scheduling.StatusCancelled ||
			got[0].Status != scheduling.StatusBooked || got[0].BookedBy != domain.RoleTherapist || got[0].Location != "Room 2" || !got[0].Start.Equal(first) {
			t.Fatalf("appointments: %+v", got)
		}
	})
	t.Run("from leaves out appointments that ended", func(t *testing.T) {
		got, err := h.Appointments(ctx, s.asClient(), s.client, first.Add(50*time.Minute))
		must(t, err)
		if len(got) != 1 || got[0].ID != later {
			t.Fatalf("appointments: %+v", got)
		}
	})
	t.Run("consents, then withdrawn", func(t *testing.T) {
		got, err := h.Consents(ctx, s.asClient(), s.client)
		must(t, err)
		if len(got) != 1 || got[0].ServiceTypeID != s.service || got[0].Status != "signed" || got[0].Version != 1 || !got[0].WithdrawnAt.IsZero() {
			t.Fatalf("consents: %+v", got)
		}
		must(t, commands.NewWithdrawConsentHandler(s.deps).Handle(ctx, s.asClient(), commands.WithdrawConsent{ClientID: s.client, ServiceTypeID: s.service}))
		got, err = h.Consents(ctx, s.asClient(), s.client)
		must(t, err)
		if len(got) != 1 || got[0].Status != "withdrawn" || got[0].WithdrawnAt.IsZero() {
			t.Fatalf("consents after withdrawal: %+v", got)
		}
	})
	t.Run("a client with nothing yet", func(t *testing.T) {
		me := domain.Actor{UserID: other, Role: domain.RoleClient}
		as, err := h.Appointments(ctx, me, other, time.Time{})
		must(t, err)
		cs, err := h.Consents(ctx, me, other)
		must(t, err)
		if len(as) != 0 || len(cs) != 0 {
			t.Fatalf("appointments %+v, consents %+v", as, cs)
		}
	})
	refusals := []struct {
		name  string
		actor domain.Actor
		id    domain.ID
		kind  domain.Kind
		code  string
	}{
		{"another client's id", domain.Actor{UserID: other, Role: domain.RoleClient}, s.client, domain.KindNotFound, "client_not_found"},
		{"a missing client", domain.Actor{UserID: newID(t), Role: domain.RoleClient}, newID(t), domain.KindNotFound, "client_not_found"},
		{"the holding therapist", s.alice, s.client, domain.KindForbidden, "own_data_only"},
		{"the DPO", s.dpo, s.client, domain.KindForbidden, "own_data_only"},
	}
	for _, r := range refusals {
		t.Run(r.name, func(t *testing.T) {
			before := len(accessesBy(t, s.clinic, s.client))
			_, err := h.Consents(ctx, r.actor, r.id)
			wantKind(t, err, r.kind, r.code)
			_, err = h.Appointments(ctx, r.actor, r.id, time.Time{})
			wantKind(t, err, r.kind, r.code)
			if after := len(accessesBy(t, s.clinic, s.client)); after != before {
				t.Fatalf("a refused read was recorded: %d RecordAccessed, was %d", after, before)
			}
		})
	}
	t.Run("every read is recorded by the client", func(t *testing.T) {
		actors := accessesBy(t, s.clinic, s.client)
		if len(actors) != 4 {
			t.Fatalf("%d RecordAccessed, want its 4 successful reads (2 of appointments, 2 of consents)", len(actors))
		}
		for _, a := range actors {
			if a.UserID != uuid.UUID(s.client) || a.Role != string(domain.RoleClient) {
				t.Fatalf("RecordAccessed by %+v", a)
			}
		}
	})
}

// accessesBy returns the actors of the RecordAccessed events on client's stream, in order.
func accessesBy(tb testing.TB, c *clinic, client domain.ID) []eventstore.Actor {
	tb.Helper()
	recs, err := c.store.ReadStream(context.Background(), commands.ClientStream(client), 0, 1000)
	must(tb, err)
	var out []eventstore.Actor
	for _, r := range recs {
		if r.Type == "RecordAccessed" {
			out = append(out, r.Actor)
		}
	}
	return out
}
