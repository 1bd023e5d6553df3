package commands

import (
	"context"
	"fmt"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/note"
	"github.com/caseledger/caseledger/domain/practice"
	"github.com/caseledger/caseledger/eventstore"
)

// NotesStream returns the stream of a client's notes of a kind: "notes-<client id>" for progress
// notes, "psychotherapynotes-<client id>" for psychotherapy notes. Both are sealed under the
// client's key.
func NotesStream(clientID domain.ID, kind note.Kind) eventstore.StreamID {
	if kind == note.KindPsychotherapy {
		return StreamFor("psychotherapynotes", clientID)
	}
	return StreamFor("notes", clientID)
}

// noteKind defaults an empty kind to progress and refuses unknown kinds.
func noteKind(k note.Kind) (note.Kind, error) {
	if k == "" {
		return note.KindProgress, nil
	}
	if !k.Valid() {
		return "", domain.Invalid("kind", "must be progress or psychotherapy")
	}
	return k, nil
}

// notebookContext is a client, their practice (nil for reads) and one of their notebooks, loaded
// for a command.
type notebookContext struct {
	client         *client.Client
	clientLoaded   Loaded
	practice       *practice.Practice
	notebook       *note.Notebook
	notebookLoaded Loaded
	kind           note.Kind
}

// loadNotebook loads the client (checking actor may see them) and their notebook of kind. The
// practice is left nil: only writing commands need it (changeNotebook loads it).
func loadNotebook(ctx context.Context, d Deps, actor domain.Actor, clientID domain.ID, kind note.Kind) (notebookContext, error) {
	return openNotebook(ctx, d, clientID, kind, func(c *client.Client) error { return c.Visible(actor) })
}

// openNotebook loads the client, lets check refuse (before any note is read), then loads their
// notebook of kind.
func openNotebook(ctx context.Context, d Deps, clientID domain.ID, kind note.Kind, check func(*client.Client) error) (notebookContext, error) {
	kind, err := noteKind(kind)
	if err != nil {
		return notebookContext{}, err
	}
	c, cl, err := LoadClient(ctx, d, clientID)
	if err != nil {
		return notebookContext{}, err
	}
	if err := check(c); err != nil {
		return notebookContext{}, err
	}
	l, err := loadStream(ctx, d, NotesStream(clientID, kind), note.Decode)
	if err != nil {
		return notebookContext{}, err
	}
	return notebookContext{
		client: c, clientLoaded: cl, kind: kind,
		notebook: note.Rebuild(clientID, kind, l.Events), notebookLoaded: l,
	}, nil
}

// changeNotebook is the body of every note-writing command: load, decide, pin the decision to the
// client's record, then append the event to the notebook's stream sealed under the client's key.
//
// The pin is client.NoteWriteAuthorised, appended to the client's stream at the version the
// authorisation was decided on. A transfer, archive or restriction that reached the client's stream
// after the load makes that append fail, and the write is decided again on the new record (where
// the former holder gets KindNotFound); so no note event follows a transfer of the record in the
// client's history unless its author held the record at that point. The note event is then
// appended if the notebook is unchanged since the load. Either append losing a race is retried on
// fresh state; after the last attempt it is KindConflict "concurrent_change".
func changeNotebook(ctx context.Context, d Deps, actor domain.Actor, clientID domain.ID, kind note.Kind, decide func(notebookContext) (domain.Event, error)) error {
	return retryConcurrent(func() error {
		nc, err := loadNotebook(ctx, d, actor, clientID, kind)
		if err != nil {
			return err
		}
		if nc.practice, _, err = LoadPractice(ctx, d, nc.client.PracticeID()); err != nil {
			return err
		}
		ev, err := decide(nc)
		if err != nil {
			return err
		}
		noteID, ok := note.NoteOf(ev)
		if !ok {
			return fmt.Errorf("change notebook: %s is not a notebook event", ev.EventType())
		}
		what := client.AccessNote
		if nc.kind == note.KindPsychotherapy {
			what = client.AccessPsychotherapyNote
		}
		pin, err := nc.client.AuthoriseNoteWrite(actor, what, noteID, ev.EventType(), d.Clock.Now())
		if err != nil {
			return err
		}
		if err := appendToClient(ctx, d, clientID, nc.clientLoaded, actor, pin); err != nil {
			return err
		}
		_, err = appendEvents(ctx, d, NotesStream(clientID, nc.kind), nc.notebookLoaded.Expected(), Envelope{Actor: actor, Subject: clientID}, ev)
		return concurrentChange(err)
	})
}
