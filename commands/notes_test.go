package commands_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/note"
	"github.com/caseledger/caseledger/domain/practice"
	"github.com/caseledger/caseledger/eventstore"
)

const noteSecret = "Quixotrellian"

func soap(s string) map[string]string {
	return map[string]string{"subjective": noteSecret + " " + s, "objective": "calm", "assessment": "improving", "plan": "continue"}
}

// draftSigned drafts and signs a SOAP note of kind by therapist and returns its id.
func (c *clinic) draftSigned(tb testing.TB, therapist domain.Actor, clientID domain.ID, kind note.Kind) domain.ID {
	tb.Helper()
	ctx := context.Background()
	id, err := commands.NewDraftNoteHandler(c.deps).Handle(ctx, therapist, commands.DraftNote{ClientID: clientID, Kind: kind, TemplateID: practice.TemplateSOAP, Fields: soap("v1")})
	must(tb, err)
	must(tb, commands.NewSignNoteHandler(c.deps).Handle(ctx, therapist, commands.SignNote{ClientID: clientID, NoteID: id, Kind: kind}))
	return id
}

func (c *clinic) readNote(ctx context.Context, a domain.Actor, clientID, noteID domain.ID, kind note.Kind) ([]note.Note, error) {
	return commands.NewReadNoteHandler(c.deps).Handle(ctx, a, commands.ReadNote{ClientID: clientID, NoteID: noteID, Kind: kind, Purpose: "treatment"})
}

func TestNoteLifecycle(t *testing.T) {
	t.Parallel()
	c := newClinic(t)
	ctx := context.Background()
	cl := c.register(t, c.alice)
	appointment := newID(t)

	id, err := commands.NewDraftNoteHandler(c.deps).Handle(ctx, c.alice, commands.DraftNote{
		ClientID: cl, TemplateID: practice.TemplateSOAP, AppointmentID: appointment,
		Fields: map[string]string{"subjective": noteSecret},
	})
	must(t, err)
	sign := commands.NewSignNoteHandler(c.deps)
	wantKind(t, sign.Handle(ctx, c.alice, commands.SignNote{ClientID: cl, NoteID: id}), domain.KindInvalid, "invalid_note_field")
	c.clock.Advance(1)
	must(t, commands.NewReviseNoteHandler(c.deps).Handle(ctx, c.alice, commands.ReviseNote{ClientID: cl, NoteID: id, Fields: soap("v2")}))
	must(t, sign.Handle(ctx, c.alice, commands.SignNote{ClientID: cl, NoteID: id}))
	wantKind(t, commands.NewReviseNoteHandler(c.deps).Handle(ctx, c.alice, commands.ReviseNote{ClientID: cl, NoteID: id, Fields: soap("v3")}), domain.KindConflict, "note_signed")
	wantKind(t, sign.Handle(ctx, c.alice, commands.SignNote{ClientID: cl, NoteID: id}), domain.KindConflict, "note_signed")
	_, err = commands.NewAddNoteAddendumHandler(c.deps).Handle(ctx, c.alice, commands.AddNoteAddendum{ClientID: cl, NoteID: id, Text: "Correction: " + noteSecret})
	must(t, err)

	notes, err := c.readNote(ctx, c.alice, cl, id, "")
	must(t, err)
	n := notes[0]
	if n.Status != note.StatusSigned || len(n.Versions) != 2 || len(n.Addenda) != 1 || n.AppointmentID != appointment {
		t.Fatalf("note = %+v", n)
	}
	if n.Fields["subjective"] != noteSecret+" v2" || n.ContentHash != note.ContentHash(n.Fields) || n.Addenda[0].AuthorID != c.alice.UserID {
		t.Fatalf("signed content or addendum wrong: %+v", n)
	}
	assertSealed(t, c.store, noteSecret)
}

// assertSealed fails if s appears in any payload in the log: personal data is sealed.
func assertSealed(tb testing.TB, store eventstore.Store, s string) {
	tb.Helper()
	evs, err := store.ReadAll(context.Background(), eventstore.Position{}, 100000)
	must(tb, err)
	if len(evs) == 0 {
		tb.Fatal("empty log")
	}
	for _, e := range evs {
		if strings.Contains(string(e.Payload), s) || strings.Contains(string(e.StreamID), s) {
			tb.Fatalf("%s@%d (%s) holds plaintext personal data", e.StreamID, e.Version, e.Type)
		}
	}
}

// failingLog refuses to append events of one type.
type failingLog struct {
	commands.EventLog
	failType string
}

var errLogDown = errors.New("log unavailable")

func (f failingLog) Append(ctx context.Context, s eventstore.StreamID, ex eventstore.ExpectedVersion, evs ...eventstore.EventData) (eventstore.AppendResult, error) {
	for _, e := range evs {
		if e.Type == f.failType {
			return eventstore.AppendResult{}, errLogDown
		}
	}
	return f.EventLog.Append(ctx, s, ex, evs...)
}

func TestReadNoteIsAuditedBeforeReturning(t *testing.T) {
	t.Parallel()
	c := newClinic(t)
	ctx := context.Background()
	cl := c.register(t, c.alice)
	id := c.draftSigned(t, c.alice, cl, note.KindProgress)

	t.Run("the access is in the client's stream", func(t *testing.T) {
		_, err := c.readNote(ctx, c.alice, cl, id, note.KindProgress)
		must(t, err)
		recs, err := c.store.ReadStream(ctx, commands.ClientStream(cl), 0, 100)
		must(t, err)
		last := recs[len(recs)-1]
		if last.Type != "RecordAccessed" || last.Subject.String() != cl.String() || last.Actor.UserID.String() != c.alice.UserID.String() {
			t.Fatalf("last event = %s subject %s actor %s", last.Type, last.Subject, last.Actor.UserID)
		}
		payload, err := c.keys.Open(ctx, last)
		must(t, err)
		ev, err := client.Decode(last.Type, last.SchemaVersion, payload)
		must(t, err)
		if a := ev.(client.RecordAccessed); a.ID != id || a.What != client.AccessNote || a.Purpose != "treatment" || a.By != c.alice {
			t.Fatalf("RecordAccessed = %+v", a)
		}
	})
	t.Run("no audit, no data", func(t *testing.T) {
		d := c.deps
		d.Log = failingLog{EventLog: c.store, failType: "RecordAccessed"}
		notes, err := commands.NewReadNoteHandler(d).Handle(ctx, c.alice, commands.ReadNote{ClientID: cl, NoteID: id, Purpose: "treatment"})
		if !errors.Is(err, errLogDown) || notes != nil {
			t.Fatalf("read with failing audit = %v, %v; want no notes and the append error", notes, err)
		}
	})
	t.Run("a purpose is required", func(t *testing.T) {
		_, err := commands.NewReadNoteHandler(c.deps).Handle(ctx, c.alice, commands.ReadNote{ClientID: cl, NoteID: id})
		wantKind(t, err, domain.KindInvalid, "invalid_purpose")
	})
}

func TestRestrictedClientGetsNoNotes(t *testing.T) {
	t.Parallel()
	c := newClinic(t)
	ctx := context.Background()
	cl := c.register(t, c.alice)
	must(t, commands.NewRestrictProcessingHandler(c.deps).Handle(ctx, c.dpo, commands.RestrictProcessing{ClientID: cl, Ground: client.RestrictLegalClaims}))
	_, err := commands.NewDraftNoteHandler(c.deps).Handle(ctx, c.alice, commands.DraftNote{ClientID: cl, TemplateID: practice.TemplateDAP, Fields: map[string]string{"data": "x"}})
	wantKind(t, err, domain.KindConflict, "processing_restricted")
	must(t, commands.NewRestrictProcessingHandler(c.deps).Handle(ctx, c.dpo, commands.RestrictProcessing{ClientID: cl, Lift: true}))
	_, err = commands.NewDraftNoteHandler(c.deps).Handle(ctx, c.alice, commands.DraftNote{ClientID: cl, TemplateID: practice.TemplateDAP, Fields: map[string]string{"data": "x"}})
	must(t, err)
}

func TestPracticeNoteTemplate(t *testing.T) {
	t.Parallel()
	c := newClinic(t)
	ctx := context.Background()
	tpl := newID(t)
	must(t, commands.NewPracticeSettingsHandler(c.deps).AddNoteTemplate(ctx, c.admin, c.practiceID, tpl, "Intake", []practice.NoteField{
		{Key: "presenting_problem", Label: "Presenting problem", Required: true}, {Key: "risk", Label: "Risk"},
	}))
	cl := c.register(t, c.alice)
	id, err := commands.NewDraftNoteHandler(c.deps).Handle(ctx, c.alice, commands.DraftNote{ClientID: cl, TemplateID: tpl, Fields: map[string]string{"presenting_problem": "low mood"}})
	must(t, err)
	must(t, commands.NewSignNoteHandler(c.deps).Handle(ctx, c.alice, commands.SignNote{ClientID: cl, NoteID: id}))
	_, err = commands.NewDraftNoteHandler(c.deps).Handle(ctx, c.alice, commands.DraftNote{ClientID: cl, TemplateID: tpl, Fields: map[string]string{"plan": "x"}})
	wantKind(t, err, domain.KindInvalid, "invalid_note_field")
}

// TestConcurrentReadsAreEachAudited races four reads of one note with a consent signature on the
// same client stream. Five racing writers and five attempts each: in every round one append wins,
// so every read is recorded, exactly once.
func TestConcurrentReadsAreEachAudited(t *testing.T) {
	t.Parallel()
	c := newClinic(t)
	ctx := context.Background()
	cl := c.register(t, c.alice)
	id := c.draftSigned(t, c.alice, cl, note.KindProgress)
	const readers = 4
	errs := make([]error, readers+1)
	var wg sync.WaitGroup
	for i := range readers {
		wg.Go(func() { _, errs[i] = c.readNote(ctx, c.alice, cl, id, note.KindProgress) })
	}
	wg.Go(func() {
		errs[readers] = commands.NewSignConsentHandler(c.deps).Handle(ctx, c.alice, commands.SignConsent{
			ClientID: cl, ServiceTypeID: c.service, Version: 1, Method: client.SignedInPerson, Signer: client.SignerClient, SignedAt: clinicStart,
		})
	})
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("call %d: %v", i, err)
		}
	}
	recs, err := c.store.ReadStream(ctx, commands.ClientStream(cl), 0, 100)
	must(t, err)
	accessed := 0
	for _, r := range recs {
		if r.Type == "RecordAccessed" {
			accessed++
		}
	}
	if accessed != readers {
		t.Fatalf("%d reads recorded, want %d", accessed, readers)
	}
}
