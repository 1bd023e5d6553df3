package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/note"
	"github.com/caseledger/caseledger/domain/practice"
)

// TestClinicalAuthorisation runs every (actor, command) pair on a record held by alice, with its
// note and psychotherapy note, and checks allow or deny with the kind of the refusal. Denied
// errors never carry note content or personal data.
func TestClinicalAuthorisation(t *testing.T) {
	t.Parallel()
	type fixture struct {
		c                     *clinic
		client, note, psyNote domain.ID
	}
	commandsUnderTest := map[string]func(ctx context.Context, f fixture, a domain.Actor) error{
		"read note": func(ctx context.Context, f fixture, a domain.Actor) error {
			_, err := f.c.readNote(ctx, a, f.client, f.note, note.KindProgress)
			return err
		},
		"read psychotherapy note": func(ctx context.Context, f fixture, a domain.Actor) error {
			_, err := f.c.readNote(ctx, a, f.client, f.psyNote, note.KindPsychotherapy)
			return err
		},
		"draft note": func(ctx context.Context, f fixture, a domain.Actor) error {
			_, err := commands.NewDraftNoteHandler(f.c.deps).Handle(ctx, a, commands.DraftNote{ClientID: f.client, TemplateID: practice.TemplateSOAP, Fields: soap("x")})
			return err
		},
		"add addendum": func(ctx context.Context, f fixture, a domain.Actor) error {
			_, err := commands.NewAddNoteAddendumHandler(f.c.deps).Handle(ctx, a, commands.AddNoteAddendum{ClientID: f.client, NoteID: f.note, Text: "more"})
			return err
		},
		"rectify": func(ctx context.Context, f fixture, a domain.Actor) error {
			d := details()
			d.Phone = "+44 113 496 0000"
			return commands.NewRectifyClientHandler(f.c.deps).Handle(ctx, a, commands.RectifyClient{ClientID: f.client, Details: d})
		},
		"restrict": func(ctx context.Context, f fixture, a domain.Actor) error {
			return commands.NewRestrictProcessingHandler(f.c.deps).Handle(ctx, a, commands.RestrictProcessing{ClientID: f.client, Ground: client.RestrictObjection})
		},
		"discharge": func(ctx context.Context, f fixture, a domain.Actor) error {
			return commands.NewDischargeClientHandler(f.c.deps).Handle(ctx, a, commands.DischargeClient{ClientID: f.client, EndedOn: clinicStart})
		},
		"transfer by dpo decision": func(ctx context.Context, f fixture, a domain.Actor) error {
			return commands.NewTransferRecordHandler(f.c.deps).Handle(ctx, a, commands.TransferRecord{ClientID: f.client, Transfer: client.Transfer{To: f.c.bob.UserID, Basis: client.TransferByDPO, Reason: "caseload balancing"}})
		},
		"readmit": func(ctx context.Context, f fixture, a domain.Actor) error {
			must(t, commands.NewDischargeClientHandler(f.c.deps).Handle(ctx, f.c.alice, commands.DischargeClient{ClientID: f.client, EndedOn: clinicStart}))
			return commands.NewReadmitClientHandler(f.c.deps).Handle(ctx, a, commands.ReadmitClient{ClientID: f.client, StartedOn: clinicStart})
		},
		"request erasure": func(ctx context.Context, f fixture, a domain.Actor) error {
			_, err := commands.NewRequestErasureHandler(f.c.deps).Handle(ctx, a, commands.RequestErasure{ClientID: f.client})
			return err
		},
	}
	const (
		allow     = domain.Kind("")
		notFound  = domain.KindNotFound
		forbidden = domain.KindForbidden
	)
	// want[command][actor]
	want := map[string]map[string]domain.Kind{
		"read note":                {"holder": allow, "other therapist": notFound, "manager": forbidden, "dpo": forbidden, "admin": forbidden, "auditor": forbidden, "client": forbidden, "other client": notFound},
		"read psychotherapy note":  {"holder": allow, "other therapist": notFound, "manager": forbidden, "dpo": forbidden, "admin": forbidden, "auditor": forbidden, "client": forbidden, "other client": notFound},
		"draft note":               {"holder": allow, "other therapist": notFound, "manager": forbidden, "dpo": forbidden, "admin": forbidden, "auditor": forbidden, "client": forbidden, "other client": notFound},
		"add addendum":             {"holder": allow, "other therapist": notFound, "manager": forbidden, "dpo": forbidden, "admin": forbidden, "auditor": forbidden, "client": forbidden, "other client": notFound},
		"rectify":                  {"holder": allow, "other therapist": notFound, "manager": forbidden, "dpo": allow, "admin": forbidden, "auditor": forbidden, "client": allow, "other client": notFound},
		"restrict":                 {"holder": forbidden, "other therapist": notFound, "manager": forbidden, "dpo": allow, "admin": forbidden, "auditor": forbidden, "client": forbidden, "other client": notFound},
		"discharge":                {"holder": allow, "other therapist": notFound, "manager": forbidden, "dpo": forbidden, "admin": forbidden, "auditor": forbidden, "client": forbidden, "other client": notFound},
		"readmit":                  {"holder": allow, "other therapist": notFound, "manager": forbidden, "dpo": forbidden, "admin": forbidden, "auditor": forbidden, "client": forbidden, "other client": notFound},
		"transfer by dpo decision": {"holder": forbidden, "other therapist": notFound, "manager": forbidden, "dpo": allow, "admin": forbidden, "auditor": forbidden, "client": forbidden, "other client": notFound},
		"request erasure":          {"holder": forbidden, "other therapist": notFound, "manager": forbidden, "dpo": allow, "admin": forbidden, "auditor": forbidden, "client": allow, "other client": notFound},
	}
	for cmdName, run := range commandsUnderTest {
		for actorName, wantKind := range want[cmdName] {
			t.Run(cmdName+"/"+actorName, func(t *testing.T) {
				t.Parallel()
				c := newClinic(t)
				f := fixture{c: c, client: c.register(t, c.alice)}
				f.note = c.draftSigned(t, c.alice, f.client, note.KindProgress)
				f.psyNote = c.draftSigned(t, c.alice, f.client, note.KindPsychotherapy)
				actors := map[string]domain.Actor{
					"holder": c.alice, "other therapist": c.bob, "manager": c.manager, "dpo": c.dpo,
					"admin": c.admin, "auditor": c.auditor,
					"client":       {UserID: f.client, Role: domain.RoleClient},
					"other client": {UserID: c.register(t, c.bob), Role: domain.RoleClient},
				}
				err := run(context.Background(), f, actors[actorName])
				if got := domain.KindOf(err); got != wantKind || (wantKind != allow && err == nil) {
					t.Fatalf("%s by %s: error %v (kind %q), want kind %q", cmdName, actorName, err, got, wantKind)
				}
				if err != nil && (strings.Contains(err.Error(), noteSecret) || strings.Contains(err.Error(), secret)) {
					t.Fatalf("error leaks content: %v", err)
				}
			})
		}
	}
}
