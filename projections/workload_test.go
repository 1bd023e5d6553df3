package projections_test

import (
	"context"
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/note"
	"github.com/caseledger/caseledger/domain/scheduling"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/keyring"
)

// workload appends a random but reproducible mix of client, consent, appointment, transfer,
// access and erasure events.
type workload struct {
	e          *env
	rng        *rand.Rand
	therapists []domain.ID
	services   []domain.ID
	clients    []*wlClient
	appts      []*wlAppt
}

type wlClient struct {
	id, therapist domain.ID
	erased        bool
}

type wlAppt struct {
	id     domain.ID
	client *wlClient
	start  time.Time
	open   bool
}

func newWorkload(e *env, seed int64) *workload {
	return &workload{e: e, rng: rand.New(rand.NewSource(seed)),
		therapists: []domain.ID{newID(), newID(), newID()}, services: []domain.ID{newID(), newID()}}
}

func (w *workload) pick() domain.ID { return w.therapists[w.rng.Intn(len(w.therapists))] }

func (w *workload) liveClient() *wlClient {
	for range 5 {
		if len(w.clients) == 0 {
			return nil
		}
		c := w.clients[w.rng.Intn(len(w.clients))]
		if !c.erased {
			return c
		}
	}
	return nil
}

func (w *workload) openAppt() *wlAppt {
	for range 5 {
		if len(w.appts) == 0 {
			return nil
		}
		a := w.appts[w.rng.Intn(len(w.appts))]
		if a.open && !a.client.erased {
			return a
		}
	}
	return nil
}

// step appends one operation's event.
func (w *workload) step(tb testing.TB) {
	tb.Helper()
	e, n := w.e, len(w.clients)
	op := w.rng.Intn(100)
	c := w.liveClient()
	if n < 5 || c == nil || op < 12 {
		t := w.pick()
		id := e.registerClient(tb, t, client.Details{GivenName: fmt.Sprintf("Given%d", n), FamilyName: fmt.Sprintf("Family%d", n),
			DateOfBirth: "1980-01-02", Email: fmt.Sprintf("c%d@example.org", n)})
		w.clients = append(w.clients, &wlClient{id: id, therapist: t})
		return
	}
	cs := "client-" + c.id.String()
	actor := therapist(c.therapist)
	switch {
	case op < 16:
		e.emit(tb, cs, c.id, actor, client.ClientDetailsRectified{Details: client.Details{GivenName: "Renamed",
			FamilyName: fmt.Sprintf("Family%d", w.rng.Intn(1000)), DateOfBirth: "1980-01-02"}, Fields: []string{"given_name"}, By: domain.RoleTherapist, At: at})
	case op < 24:
		e.emit(tb, cs, c.id, actor, client.ConsentSigned{ServiceTypeID: w.services[w.rng.Intn(2)], Version: 1 + w.rng.Intn(3),
			ContentHash: "abc", Method: client.SignedPortal, Signer: client.SignerClient, SignedAt: at, At: at})
	case op < 27:
		e.emit(tb, cs, c.id, actor, client.ConsentWithdrawn{ServiceTypeID: w.services[w.rng.Intn(2)], By: domain.RoleClient, At: at})
	case op < 50:
		start := at.Add(time.Duration(w.rng.Intn(24*28)) * time.Hour)
		id := e.book(tb, c.therapist, c.id, w.services[w.rng.Intn(2)], start, "Room "+fmt.Sprint(w.rng.Intn(9)))
		w.appts = append(w.appts, &wlAppt{id: id, client: c, start: start, open: true})
	case op < 80:
		a := w.openAppt()
		if a == nil {
			return
		}
		as, actor := "appointment-"+a.id.String(), therapist(a.client.therapist)
		switch w.rng.Intn(4) {
		case 0:
			start := a.start.Add(time.Duration(1+w.rng.Intn(200)) * time.Hour)
			e.emit(tb, as, a.client.id, actor, scheduling.AppointmentRescheduled{AppointmentID: a.id, Start: start,
				End: start.Add(50 * time.Minute), PreviousStart: a.start, PreviousEnd: a.start.Add(50 * time.Minute), By: domain.RoleTherapist})
			a.start = start
		case 1:
			late := w.rng.Intn(2) == 0
			var fee *scheduling.Money
			if late {
				fee = &scheduling.Money{AmountMinor: 4000, Currency: "GBP"}
			}
			e.emit(tb, as, a.client.id, actor, scheduling.AppointmentCancelled{AppointmentID: a.id, By: domain.RoleClient, Late: late, Fee: fee})
			a.open = false
		case 2:
			e.emit(tb, as, a.client.id, actor, scheduling.AppointmentCompleted{AppointmentID: a.id})
			a.open = false
		default:
			e.emit(tb, as, a.client.id, actor, scheduling.AppointmentNoShow{AppointmentID: a.id})
			a.open = false
		}
	case op < 86:
		to := w.pick()
		e.emit(tb, cs, c.id, domain.Actor{UserID: newID(), Role: domain.RoleDPO}, client.RecordTransferred{
			From: c.therapist, To: to, Basis: client.TransferByDPO, Reason: "cover", At: at})
		c.therapist = to
	case op < 90:
		e.emit(tb, cs, c.id, actor, client.RecordAccessed{By: actor, What: "record", Purpose: "treatment", At: at})
	case op < 96:
		kind := note.KindProgress
		if w.rng.Intn(3) == 0 {
			kind = note.KindPsychotherapy
		}
		n := e.draftNote(tb, c.therapist, c.id, kind, fmt.Sprintf("Session %d went well", w.rng.Intn(50)))
		ns := "notes-"
		if kind == note.KindPsychotherapy {
			ns = "psychotherapynotes-"
		}
		e.emit(tb, ns+c.id.String(), c.id, actor, note.NoteRevised{NoteID: n, Fields: map[string]string{"plan": "review in two weeks"}, At: at})
		if w.rng.Intn(2) == 0 {
			e.emit(tb, ns+c.id.String(), c.id, actor, note.NoteSigned{NoteID: n, SignedBy: c.therapist, ContentHash: "h", At: at})
			e.emit(tb, ns+c.id.String(), c.id, actor, note.NoteAddendumAdded{NoteID: n, AddendumID: newID(), AuthorID: c.therapist,
				Text: "addendum " + fmt.Sprint(w.rng.Intn(9)), At: at})
		}
	default:
		e.erase(tb, c.id)
		c.erased = true
	}
}

// erase shreds the client's key, which appends SubjectErased to the client's stream.
func (e *env) erase(tb testing.TB, c domain.ID) {
	tb.Helper()
	_, err := e.keys.Shred(context.Background(), uuid.UUID(c), keyring.ShredRequest{
		RequestID: uuid.Must(uuid.NewV7()), Stream: eventstore.StreamID("client-" + c.String()),
		Actor: eventstore.Actor{UserID: uuid.Must(uuid.NewV7()), Role: string(domain.RoleDPO)}})
	if err != nil {
		tb.Fatalf("shred: %v", err)
	}
}
