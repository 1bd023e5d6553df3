package commands_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/note"
	"github.com/caseledger/caseledger/domain/practice"
	"github.com/caseledger/caseledger/eventstore"
)

// interposedLog runs before, once, just before the first append made through it: it places another
// command between a note command's load and its writes.
type interposedLog struct {
	commands.EventLog
	once   sync.Once
	before func()
}

func (l *interposedLog) Append(ctx context.Context, s eventstore.StreamID, ex eventstore.ExpectedVersion, evs ...eventstore.EventData) (eventstore.AppendResult, error) {
	l.once.Do(l.before)
	return l.EventLog.Append(ctx, s, ex, evs...)
}

// TestNoteWriteLosesToTransferAfterItsLoad places a change of the record between a note command's
// load of the client and its appends: the command must decide again on the changed record, so the
// former holder writes nothing (after a transfer or an archive) and a restricted record takes no
// note.
func TestNoteWriteLosesToTransferAfterItsLoad(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	changes := []struct {
		name     string
		change   func(c *clinic, cl domain.ID) error
		wantKind domain.Kind
		wantCode string
	}{
		{"transfer by the dpo", func(c *clinic, cl domain.ID) error {
			return commands.NewTransferRecordHandler(c.deps).Handle(ctx, c.dpo, commands.TransferRecord{ClientID: cl, Transfer: client.Transfer{To: c.bob.UserID, Basis: client.TransferByDPO, Reason: "therapist leaving"}})
		}, domain.KindNotFound, "client_not_found"},
		{"caseload archived", func(c *clinic, _ domain.ID) error {
			_, err := commands.NewTransferCaseloadHandler(c.deps).Handle(ctx, c.dpo, commands.TransferCaseload{PracticeID: c.practiceID, From: c.alice.UserID, Reason: "therapist leaving"})
			return err
		}, domain.KindNotFound, "client_not_found"},
		{"processing restricted", func(c *clinic, cl domain.ID) error {
			return commands.NewRestrictProcessingHandler(c.deps).Handle(ctx, c.dpo, commands.RestrictProcessing{ClientID: cl, Ground: client.RestrictObjection})
		}, domain.KindConflict, "processing_restricted"},
	}
	writes := []struct {
		name  string
		kind  note.Kind
		write func(d commands.Deps, c *clinic, cl, noteID domain.ID) error
	}{
		{"draft progress note", note.KindProgress, func(d commands.Deps, c *clinic, cl, _ domain.ID) error {
			_, err := commands.NewDraftNoteHandler(d).Handle(ctx, c.alice, commands.DraftNote{ClientID: cl, NoteID: newID(t), TemplateID: practice.TemplateSOAP, Fields: soap("late")})
			return err
		}},
		{"draft psychotherapy note", note.KindPsychotherapy, func(d commands.Deps, c *clinic, cl, _ domain.ID) error {
			_, err := commands.NewDraftNoteHandler(d).Handle(ctx, c.alice, commands.DraftNote{ClientID: cl, Kind: note.KindPsychotherapy, NoteID: newID(t), TemplateID: practice.TemplateSOAP, Fields: soap("late")})
			return err
		}},
		{"revise", note.KindProgress, func(d commands.Deps, c *clinic, cl, id domain.ID) error {
			return commands.NewReviseNoteHandler(d).Handle(ctx, c.alice, commands.ReviseNote{ClientID: cl, NoteID: id, Fields: soap("late")})
		}},
		{"sign", note.KindProgress, func(d commands.Deps, c *clinic, cl, id domain.ID) error {
			return commands.NewSignNoteHandler(d).Handle(ctx, c.alice, commands.SignNote{ClientID: cl, NoteID: id})
		}},
	}
	for _, ch := range changes {
		for _, w := range writes {
			t.Run(ch.name+"/"+w.name, func(t *testing.T) {
				t.Parallel()
				c := newClinic(t)
				cl := c.register(t, c.alice)
				draft, err := commands.NewDraftNoteHandler(c.deps).Handle(ctx, c.alice, commands.DraftNote{ClientID: cl, Kind: w.kind, TemplateID: practice.TemplateSOAP, Fields: soap("v1")})
				must(t, err)
				before := notebookTypes(t, c, cl, w.kind)
				racing := c.deps
				racing.Log = &interposedLog{EventLog: c.deps.Log, before: func() { must(t, ch.change(c, cl)) }}

				wantKind(t, w.write(racing, c, cl, draft), ch.wantKind, ch.wantCode)
				if after := notebookTypes(t, c, cl, w.kind); len(after) != len(before) {
					t.Fatalf("notebook went from %v to %v: a write was appended after the record changed", before, after)
				}
			})
		}
	}
}

// TestNoteWritesRacingTransfer races a therapist writing notes against the DPO transferring the
// record, on the in-memory store and on PostgreSQL. Afterwards every note event has its
// NoteWriteAuthorised in the client's stream before the transfer, and every write that failed
// failed because the record had moved.
func TestNoteWritesRacingTransfer(t *testing.T) {
	t.Parallel()
	stores := []struct {
		name   string
		clinic func(testing.TB) *clinic
		rounds int
	}{
		{"memory", newClinic, 20},
		{"postgres", func(tb testing.TB) *clinic { c, _ := newPostgresClinic(tb); return c }, 4},
	}
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			c := s.clinic(t)
			for range s.rounds {
				cl := c.register(t, c.alice)
				const writers, notesPerWriter = 4, 6
				start := make(chan struct{})
				errs := make(chan error, writers+1)
				var wg sync.WaitGroup
				for range writers {
					wg.Go(func() {
						<-start
						for range notesPerWriter {
							_, err := commands.NewDraftNoteHandler(c.deps).Handle(ctx, c.alice, commands.DraftNote{ClientID: cl, TemplateID: practice.TemplateSOAP, Fields: soap("racing")})
							if err != nil {
								errs <- err
								return
							}
						}
					})
				}
				wg.Go(func() {
					<-start
					// The DPO tries again while the transfer loses every attempt to the writers.
					for {
						err := commands.NewTransferRecordHandler(c.deps).Handle(ctx, c.dpo, commands.TransferRecord{ClientID: cl, Transfer: client.Transfer{To: c.bob.UserID, Basis: client.TransferByDPO, Reason: "therapist leaving"}})
						var de *domain.Error
						if !errors.As(err, &de) || de.Code != "concurrent_change" {
							errs <- err
							return
						}
					}
				})
				close(start)
				wg.Wait()
				close(errs)
				transferred := false
				for err := range errs {
					var de *domain.Error
					switch {
					case err == nil:
						transferred = true
					case errors.As(err, &de) && (de.Code == "client_not_found" || de.Code == "concurrent_change"):
					default:
						t.Fatalf("unexpected error: %v", err)
					}
				}
				if !transferred {
					t.Fatal("the transfer failed")
				}
				assertNotesPinnedBeforeTransfer(t, c, cl)
			}
		})
	}
}

// notebookTypes returns the event types in cl's notebook of kind.
func notebookTypes(tb testing.TB, c *clinic, cl domain.ID, kind note.Kind) []string {
	tb.Helper()
	recs, err := c.store.ReadStream(context.Background(), commands.NotesStream(cl, kind), 0, 1000)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return nil
	}
	must(tb, err)
	types := make([]string, len(recs))
	for i, r := range recs {
		types[i] = r.Type
	}
	return types
}

// assertNotesPinnedBeforeTransfer fails unless every note event in cl's progress notebook has a
// NoteWriteAuthorised for its note and type, by its actor, in the client's stream before the first
// RecordTransferred.
func assertNotesPinnedBeforeTransfer(tb testing.TB, c *clinic, cl domain.ID) {
	tb.Helper()
	ctx := context.Background()
	recs, err := c.store.ReadStream(ctx, commands.ClientStream(cl), 0, 10000)
	must(tb, err)
	type pin struct {
		note  domain.ID
		write string
	}
	pinned := map[pin]int{}
	for _, r := range recs {
		if r.Type == "RecordTransferred" {
			break
		}
		if r.Type != "NoteWriteAuthorised" {
			continue
		}
		plain, err := c.keys.Open(ctx, r)
		must(tb, err)
		ev, err := client.Decode(r.Type, r.SchemaVersion, plain)
		must(tb, err)
		g := ev.(client.NoteWriteAuthorised)
		if g.By.UserID != c.alice.UserID || g.What != client.AccessNote {
			tb.Fatalf("pin %+v", g)
		}
		pinned[pin{g.NoteID, g.Write}]++
	}
	notes, err := c.store.ReadStream(ctx, commands.NotesStream(cl, note.KindProgress), 0, 10000)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return
	}
	must(tb, err)
	for _, r := range notes {
		plain, err := c.keys.Open(ctx, r)
		must(tb, err)
		ev, err := note.Decode(r.Type, r.SchemaVersion, plain)
		must(tb, err)
		id, _ := note.NoteOf(ev)
		if pinned[pin{id, r.Type}] == 0 {
			tb.Fatalf("note event %s of note %s has no NoteWriteAuthorised before the transfer", r.Type, id)
		}
	}
}
