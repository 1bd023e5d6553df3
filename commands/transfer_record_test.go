package commands_test

import (
	"context"
	"testing"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/note"
)

func TestTransferRecord(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name     string
		by       func(c *clinic, cl domain.ID) domain.Actor
		transfer func(c *clinic) client.Transfer
		wantKind domain.Kind
		wantCode string
	}{
		{name: "holder with the client's consent in person",
			by: func(c *clinic, _ domain.ID) domain.Actor { return c.alice },
			transfer: func(c *clinic) client.Transfer {
				return client.Transfer{To: c.bob.UserID, Basis: client.TransferByConsent, ConsentMethod: client.SignedInPerson, ConsentedAt: clinicStart}
			}},
		{name: "client through the portal",
			by: func(_ *clinic, cl domain.ID) domain.Actor { return domain.Actor{UserID: cl, Role: domain.RoleClient} },
			transfer: func(c *clinic) client.Transfer {
				return client.Transfer{To: c.bob.UserID, Basis: client.TransferByConsent}
			}},
		{name: "dpo decision with reason",
			by: func(c *clinic, _ domain.ID) domain.Actor { return c.dpo },
			transfer: func(c *clinic) client.Transfer {
				return client.Transfer{To: c.bob.UserID, Basis: client.TransferByDPO, Reason: "therapist on long leave"}
			}},
		{name: "dpo decision without reason", wantKind: domain.KindInvalid, wantCode: "invalid_reason",
			by: func(c *clinic, _ domain.ID) domain.Actor { return c.dpo },
			transfer: func(c *clinic) client.Transfer {
				return client.Transfer{To: c.bob.UserID, Basis: client.TransferByDPO}
			}},
		{name: "consent without its time", wantKind: domain.KindInvalid, wantCode: "invalid_consented_at",
			by: func(c *clinic, _ domain.ID) domain.Actor { return c.alice },
			transfer: func(c *clinic) client.Transfer {
				return client.Transfer{To: c.bob.UserID, Basis: client.TransferByConsent, ConsentMethod: client.SignedPaperScanned}
			}},
		{name: "to someone who is not a therapist", wantKind: domain.KindNotFound, wantCode: "therapist_not_found",
			by: func(c *clinic, _ domain.ID) domain.Actor { return c.dpo },
			transfer: func(c *clinic) client.Transfer {
				return client.Transfer{To: c.manager.UserID, Basis: client.TransferByDPO, Reason: "x"}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newClinic(t)
			cl := c.register(t, c.alice)
			noteID := c.draftSigned(t, c.alice, cl, note.KindProgress)
			psy := c.draftSigned(t, c.alice, cl, note.KindPsychotherapy)
			c.clock.Advance(1e9)
			err := commands.NewTransferRecordHandler(c.deps).Handle(ctx, tt.by(c, cl), commands.TransferRecord{ClientID: cl, Transfer: tt.transfer(c)})
			if tt.wantKind != "" {
				wantKind(t, err, tt.wantKind, tt.wantCode)
				return
			}
			must(t, err)
			// The old therapist has no access at all; the new one reads progress notes but not the
			// author's psychotherapy notes.
			_, err = c.readNote(ctx, c.alice, cl, noteID, note.KindProgress)
			wantKind(t, err, domain.KindNotFound, "client_not_found")
			_, err = c.readNote(ctx, c.alice, cl, psy, note.KindPsychotherapy)
			wantKind(t, err, domain.KindNotFound, "client_not_found")
			_, err = c.readNote(ctx, c.bob, cl, noteID, note.KindProgress)
			must(t, err)
			_, err = c.readNote(ctx, c.bob, cl, psy, note.KindPsychotherapy)
			wantKind(t, err, domain.KindNotFound, "note_not_found")
			// The history shows who had the record when.
			got, _, err := commands.LoadClient(ctx, c.deps, cl)
			must(t, err)
			custody := got.Custody()
			if len(custody) != 2 || custody[0].TherapistID != c.alice.UserID || custody[1].TherapistID != c.bob.UserID ||
				!custody[0].Until.Equal(custody[1].From) || !custody[1].Until.IsZero() || !custody[1].From.Equal(clinicStart.Add(1e9)) {
				t.Fatalf("custody = %+v", custody)
			}
		})
	}
}

func TestTransferCaseload(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, archive := range []bool{false, true} {
		name := map[bool]string{false: "to another therapist", true: "into the archive"}[archive]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := newClinic(t)
			a, b, moved := c.register(t, c.alice), c.register(t, c.alice), c.register(t, c.alice)
			bobs := c.register(t, c.bob)
			must(t, commands.NewTransferRecordHandler(c.deps).Handle(ctx, c.dpo, commands.TransferRecord{ClientID: moved, Transfer: client.Transfer{To: c.bob.UserID, Basis: client.TransferByDPO, Reason: "earlier move"}}))
			cmd := commands.TransferCaseload{PracticeID: c.practiceID, From: c.alice.UserID, To: c.bob.UserID, Reason: "therapist leaving"}
			if archive {
				cmd.To = domain.ID{}
			}
			wantKind(t, commandsErr(commands.NewTransferCaseloadHandler(c.deps).Handle(ctx, c.manager, cmd)), domain.KindForbidden, "transfer_caseload_forbidden")
			res, err := commands.NewTransferCaseloadHandler(c.deps).Handle(ctx, c.dpo, cmd)
			must(t, err)
			if len(res.Moved) != 2 || len(res.Skipped) != 1 || res.Skipped[0] != moved || len(res.Failed) != 0 {
				t.Fatalf("result = %+v", res)
			}
			for _, id := range []domain.ID{a, b} {
				got, _, err := commands.LoadClient(ctx, c.deps, id)
				must(t, err)
				holder, held := got.Holder()
				if archive != !held || (!archive && holder != c.bob.UserID) {
					t.Fatalf("client %s holder %s held %v", id, holder, held)
				}
				recs, err := c.store.ReadStream(ctx, commands.ClientStream(id), 0, 100)
				must(t, err)
				wantType := map[bool]string{false: "RecordTransferred", true: "RecordArchived"}[archive]
				if last := recs[len(recs)-1]; last.Type != wantType {
					t.Fatalf("client %s last event %s, want %s", id, last.Type, wantType)
				}
			}
			if got, _, _ := commands.LoadClient(ctx, c.deps, bobs); !got.HeldBy(c.bob.UserID) {
				t.Fatal("bob's own client was touched")
			}
			again, err := commands.NewTransferCaseloadHandler(c.deps).Handle(ctx, c.dpo, cmd)
			must(t, err)
			if len(again.Moved) != 0 {
				t.Fatalf("rerun moved %v", again.Moved)
			}
		})
	}
}

func commandsErr(_ commands.CaseloadResult, err error) error { return err }
