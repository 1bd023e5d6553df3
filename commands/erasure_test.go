package commands_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/note"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/keyring"
)

// keyringShredder adapts the keyring's Shred to commands.Shredder, as cmd/ wires it.
func keyringShredder(k *keyring.Keyring) commands.Shredder {
	return commands.ShredFunc(func(ctx context.Context, subject domain.ID, o commands.ShredOrder) error {
		_, err := k.Shred(ctx, uuid.UUID(subject), keyring.ShredRequest{
			RequestID: uuid.UUID(o.RequestID), Stream: o.Stream,
			Actor: eventstore.Actor{UserID: uuid.UUID(o.Actor.UserID), Role: string(o.Actor.Role)},
		})
		return err
	})
}

func TestErasureApprovedShredsTheClient(t *testing.T) {
	t.Parallel()
	c := newClinic(t)
	ctx := context.Background()
	cl := c.register(t, c.alice)
	c.sign(t, cl, 1)
	c.draftSigned(t, c.alice, cl, note.KindProgress)
	c.draftSigned(t, c.alice, cl, note.KindPsychotherapy)
	self := domain.Actor{UserID: cl, Role: domain.RoleClient}
	req, err := commands.NewRequestErasureHandler(c.deps).Handle(ctx, self, commands.RequestErasure{ClientID: cl, Grounds: "I have moved away"})
	must(t, err)
	decide := commands.NewDecideErasureHandler(c.deps, keyringShredder(c.keys))
	wantKind(t, decide.Handle(ctx, c.alice, commands.DecideErasure{ClientID: cl, RequestID: req, Decision: commands.EraseApprove}), domain.KindForbidden, "approve_erasure_forbidden")
	must(t, decide.Handle(ctx, c.dpo, commands.DecideErasure{ClientID: cl, RequestID: req, Decision: commands.EraseApprove}))

	_, _, err = commands.LoadClient(ctx, c.deps, cl)
	wantKind(t, err, domain.KindErased, "client_erased")
	_, err = c.readNote(ctx, c.alice, cl, domain.ID{}, note.KindProgress)
	wantKind(t, err, domain.KindErased, "client_erased")
	_, err = commands.NewConsentCheck(c.deps).Check(ctx, cl, c.service, c.clock.Now())
	wantKind(t, err, domain.KindErased, "client_erased")

	recs, err := c.store.ReadStream(ctx, commands.ClientStream(cl), 0, 100)
	must(t, err)
	types := []string{}
	for _, r := range recs {
		types = append(types, r.Type)
	}
	if n := len(types); n < 2 || types[n-2] != "ErasureApproved" || types[n-1] != keyring.SubjectErasedType {
		t.Fatalf("client stream ends %v", types)
	}
	for _, s := range []eventstore.StreamID{commands.NotesStream(cl, note.KindProgress), commands.NotesStream(cl, note.KindPsychotherapy)} {
		recs, err := c.store.ReadStream(ctx, s, 0, 10)
		must(t, err)
		if _, err := c.keys.Open(ctx, recs[0]); !errors.Is(err, domain.ErrErased) {
			t.Fatalf("%s still opens: %v", s, err)
		}
	}
	// Approving again only retries the (idempotent) shred.
	must(t, decide.Handle(ctx, c.dpo, commands.DecideErasure{ClientID: cl, RequestID: req, Decision: commands.EraseApprove}))
	_, err = commands.NewRegisterClientHandler(c.deps).Handle(ctx, c.alice, commands.RegisterClient{ClientID: cl, PracticeID: c.practiceID, TherapistID: c.alice.UserID, Details: details()})
	if err == nil {
		t.Fatal("an erased client id was registered again")
	}
}

func TestErasureRefusedOrDeferred(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name      string
		discharge bool
		cmd       commands.DecideErasure
		wantKind  domain.Kind
		wantCode  string
		want      client.ErasureStatus
	}{
		{name: "refused under legal claims", cmd: commands.DecideErasure{Decision: commands.EraseRefuse, Exemption: client.ExemptLegalClaims, Explanation: "complaint pending"}, want: client.ErasureRefusal},
		{name: "refused without an exemption", cmd: commands.DecideErasure{Decision: commands.EraseRefuse}, wantKind: domain.KindInvalid, wantCode: "invalid_exemption"},
		{name: "deferred while in treatment", cmd: commands.DecideErasure{Decision: commands.EraseDefer}, wantKind: domain.KindConflict, wantCode: "treatment_ongoing"},
		{name: "deferred after discharge", discharge: true, cmd: commands.DecideErasure{Decision: commands.EraseDefer}, want: client.ErasureDeferral},
		{name: "unknown decision", cmd: commands.DecideErasure{Decision: "shrug"}, wantKind: domain.KindInvalid, wantCode: "invalid_decision"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newClinic(t)
			cl := c.register(t, c.alice)
			if tt.discharge {
				must(t, commands.NewDischargeClientHandler(c.deps).Handle(ctx, c.alice, commands.DischargeClient{ClientID: cl, EndedOn: clinicStart}))
			}
			req, err := commands.NewRequestErasureHandler(c.deps).Handle(ctx, c.dpo, commands.RequestErasure{ClientID: cl})
			must(t, err)
			tt.cmd.ClientID, tt.cmd.RequestID = cl, req
			shredder := commands.ShredFunc(func(context.Context, domain.ID, commands.ShredOrder) error {
				t.Error("shredded without approval")
				return nil
			})
			err = commands.NewDecideErasureHandler(c.deps, shredder).Handle(ctx, c.dpo, tt.cmd)
			if tt.wantKind != "" {
				wantKind(t, err, tt.wantKind, tt.wantCode)
				return
			}
			must(t, err)
			got, _, err := commands.LoadClient(ctx, c.deps, cl)
			must(t, err)
			r := got.ErasureRequests()[0]
			if r.Status != tt.want {
				t.Fatalf("status %s, want %s", r.Status, tt.want)
			}
			if tt.want == client.ErasureDeferral && !r.Until.Equal(time.Date(2046, 3, 2, 0, 0, 0, 0, time.UTC)) {
				t.Fatalf("deferred until %s, want 20 years after discharge", r.Until)
			}
		})
	}
}
