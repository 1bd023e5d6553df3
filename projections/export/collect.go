package export

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/note"
	"github.com/caseledger/caseledger/domain/sar"
	"github.com/caseledger/caseledger/domain/scheduling"
	"github.com/caseledger/caseledger/eventstore"
)

// Options shape what Collect folds.
type Options struct {
	// GeneratedAt stamps the record (the caller's clock).
	GeneratedAt time.Time
	// AsOf, when not zero, folds only events recorded at or before it (replay).
	AsOf time.Time
	// IncludePsychotherapyNotes adds the psychotherapy notebook. Off by default, as HIPAA
	// 164.524(a)(1)(i) excludes them from the right of access.
	IncludePsychotherapyNotes bool
	// WithEvents lists every folded event in Record.Events (replay).
	WithEvents bool
}

// readBatch is how many events Collect reads per round trip.
const readBatch = 2000

// Collect reads everything kept about client from log, opening sealed payloads with sealer, and
// folds it into a Record. A client whose record stream does not exist (or did not yet exist at
// opts.AsOf) is a KindNotFound error. Payloads sealed under a shredded key are not an error: the
// record is marked Erased and those events are listed as erased. A payload that fails to open for
// any other reason (tampering) is an error. Collect does not authorise and appends nothing.
func Collect(ctx context.Context, log commands.EventLog, sealer commands.Sealer, clientID domain.ID, opts Options) (*Record, error) {
	c := &collector{ctx: ctx, log: log, sealer: sealer, opts: opts, rec: newRecord(clientID, opts)}
	found, err := c.stream(commands.ClientStream(clientID), client.Decode, c.foldClient)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, domain.NotFound("client", clientID)
	}
	if _, err := c.stream(commands.NotesStream(clientID, note.KindProgress), note.Decode, c.foldNote); err != nil {
		return nil, err
	}
	if opts.IncludePsychotherapyNotes {
		c.rec.PsychotherapyNotesIncluded = true
		if _, err := c.stream(commands.NotesStream(clientID, note.KindPsychotherapy), note.Decode, c.foldNote); err != nil {
			return nil, err
		}
	}
	c.finishNotes()
	if err := c.appointments(clientID); err != nil {
		return nil, err
	}
	if _, err := c.stream(commands.StreamFor("retention", clientID), sar.DecodeRetention, c.foldRetention); err != nil {
		return nil, err
	}
	return c.rec, nil
}

func newRecord(clientID domain.ID, opts Options) *Record {
	r := &Record{
		Schema: SchemaID, ClientID: clientID, GeneratedAt: opts.GeneratedAt.UTC(),
		DetailsHistory: []DetailsChange{}, Custody: []Custody{}, Consents: []Consent{}, SharingConsents: []SharingConsent{},
		Appointments: []Appointment{}, Notes: []Note{}, AccessLog: []Access{}, ErasureRequests: []ErasureRequest{},
		RetentionEvents: []RetentionEvent{}, Events: []EventEntry{},
	}
	if !opts.AsOf.IsZero() {
		asOf := opts.AsOf.UTC()
		r.AsOf = &asOf
	}
	return r
}

// collector holds the state of one Collect.
type collector struct {
	ctx    context.Context
	log    commands.EventLog
	sealer commands.Sealer
	opts   Options
	rec    *Record

	notes   map[domain.ID]*Note
	noteIDs []domain.ID
}

// stream reads stream (up to AsOf), opens and decodes each event and passes it to fold. Events
// that are erased or of a type decode does not know (such as the keyring's SubjectErased) are
// listed but not folded. It reports whether the stream had any event in range.
func (c *collector) stream(stream eventstore.StreamID, decode domain.Decoder, fold func(domain.Event, eventstore.RecordedEvent)) (bool, error) {
	found := false
	var from uint64
	for {
		recs, err := c.log.ReadStream(c.ctx, stream, from, readBatch)
		if errors.Is(err, eventstore.ErrStreamNotFound) {
			return found, nil
		}
		if err != nil {
			return false, fmt.Errorf("export: read %s: %w", stream, err)
		}
		for _, r := range recs {
			if !c.opts.AsOf.IsZero() && r.RecordedAt.After(c.opts.AsOf) {
				continue // recorded times need not rise with versions under concurrent appends
			}
			found = true
			entry := EventEntry{Stream: string(r.StreamID), Version: r.Version, Type: r.Type, OccurredAt: r.OccurredAt.UTC(),
				RecordedAt: r.RecordedAt.UTC(), ActorID: domain.ID(r.Actor.UserID), ActorRole: r.Actor.Role}
			payload := r.Payload
			if r.Subject != uuid.Nil {
				payload, err = c.sealer.Open(c.ctx, r)
				if errors.Is(err, domain.ErrErased) {
					entry.Erased, c.rec.Erased = true, true
					c.event(entry)
					continue
				}
				if err != nil {
					return false, fmt.Errorf("export: open %s@%d: %w", stream, r.Version, err)
				}
			}
			c.event(entry)
			if r.Type == "SubjectErased" {
				c.rec.Erased = true
				continue
			}
			ev, err := decode(r.Type, r.SchemaVersion, payload)
			if err != nil {
				continue // an event of another aggregate: listed, not folded
			}
			fold(ev, r)
		}
		if len(recs) < readBatch {
			return found, nil
		}
		from = recs[len(recs)-1].Version + 1
	}
}

func (c *collector) event(e EventEntry) {
	if c.opts.WithEvents {
		c.rec.Events = append(c.rec.Events, e)
	}
}

// foldClient folds one event of the client's record.
func (c *collector) foldClient(ev domain.Event, r eventstore.RecordedEvent) {
	rec := c.rec
	switch e := ev.(type) {
	case client.ClientRegistered:
		rec.Person = person(e.Details)
		rec.DetailsHistory = append(rec.DetailsHistory, DetailsChange{At: e.At.UTC(), Fields: []string{"all"}, By: r.Actor.Role})
		rec.Treatment = Treatment{PracticeID: e.PracticeID, RecordKind: string(e.RecordKind), RegisteredAt: e.At.UTC()}
		rec.Custody = append(rec.Custody, Custody{TherapistID: e.TherapistID, From: e.At.UTC(), Basis: "registration"})
	case client.ClientDetailsRectified:
		rec.Person = person(e.Details)
		rec.DetailsHistory = append(rec.DetailsHistory, DetailsChange{At: e.At.UTC(), Fields: nonNil(e.Fields), By: string(e.By)})
	case client.ProcessingRestricted:
		at := e.At.UTC()
		rec.Treatment.Restricted, rec.Treatment.RestrictedAt, rec.Treatment.RestrictGround = true, &at, e.Ground
	case client.ProcessingRestrictionLifted:
		rec.Treatment.Restricted, rec.Treatment.RestrictedAt, rec.Treatment.RestrictGround = false, nil, ""
	case client.ClientDischarged:
		rec.Treatment.DischargedOn = e.EndedOn.UTC().Format(time.DateOnly)
	case client.ClientReadmitted:
		rec.Treatment.DischargedOn, rec.Treatment.ReadmittedOn = "", e.StartedOn.UTC().Format(time.DateOnly)
	case client.ConsentSigned:
		rec.Consents = append(rec.Consents, Consent{ServiceTypeID: e.ServiceTypeID, Version: e.Version, ContentHash: e.ContentHash,
			Method: string(e.Method), Signer: string(e.Signer), GuardianName: e.GuardianName, SignedAt: e.SignedAt.UTC()})
	case client.ConsentWithdrawn:
		for i := len(rec.Consents) - 1; i >= 0; i-- {
			if k := &rec.Consents[i]; k.ServiceTypeID == e.ServiceTypeID && k.WithdrawnAt == nil {
				at := e.At.UTC()
				k.WithdrawnAt = &at
			}
		}
	case client.SharingConsentGiven:
		rec.SharingConsents = append(rec.SharingConsents, SharingConsent{ID: e.ConsentID, RecipientKind: e.Recipient.Kind,
			RecipientName: e.Recipient.Name, Purpose: e.Purpose, Expires: e.Expires.UTC(), SignedAt: e.SignedAt.UTC()})
	case client.SharingConsentWithdrawn:
		for i := range rec.SharingConsents {
			if k := &rec.SharingConsents[i]; k.ID == e.ConsentID && k.WithdrawnAt == nil {
				at := e.At.UTC()
				k.WithdrawnAt = &at
			}
		}
	case client.RecordTransferred:
		c.closeCustody(e.At)
		rec.Custody = append(rec.Custody, Custody{TherapistID: e.To, From: e.At.UTC(), Basis: string(e.Basis)})
	case client.RecordArchived:
		c.closeCustody(e.At)
	case client.RecordAccessed:
		rec.AccessLog = append(rec.AccessLog, Access{At: e.At.UTC(), UserID: e.By.UserID, Role: string(e.By.Role), What: e.What, ItemID: e.ID, Purpose: e.Purpose})
	case client.ErasureRequested:
		rec.ErasureRequests = append(rec.ErasureRequests, ErasureRequest{ID: e.RequestID, RequestedBy: string(e.By), RequestedAt: e.At.UTC(), Decision: "open"})
	case client.ErasureApproved:
		c.decide(e.RequestID, "approved", e.At, "", time.Time{})
	case client.ErasureRefused:
		c.decide(e.RequestID, "refused", e.At, string(e.Exemption), time.Time{})
	case client.ErasureDeferred:
		c.decide(e.RequestID, "deferred", e.At, "", e.Until)
	}
}

func (c *collector) closeCustody(at time.Time) {
	if n := len(c.rec.Custody); n > 0 && c.rec.Custody[n-1].Until == nil {
		u := at.UTC()
		c.rec.Custody[n-1].Until = &u
	}
}

func (c *collector) decide(id domain.ID, decision string, at time.Time, exemption string, until time.Time) {
	for i := range c.rec.ErasureRequests {
		if r := &c.rec.ErasureRequests[i]; r.ID == id {
			a := at.UTC()
			r.Decision, r.DecidedAt, r.Exemption = decision, &a, exemption
			if !until.IsZero() {
				u := until.UTC()
				r.Until = &u
			}
		}
	}
}

// foldNote folds one notebook event.
func (c *collector) foldNote(ev domain.Event, _ eventstore.RecordedEvent) {
	if c.notes == nil {
		c.notes = map[domain.ID]*Note{}
	}
	switch e := ev.(type) {
	case note.NoteDrafted:
		n := &Note{ID: e.NoteID, Kind: string(e.Kind), AuthorID: e.AuthorID, TemplateID: e.TemplateID, AppointmentID: e.AppointmentID,
			Status: string(note.StatusDraft), Fields: maps.Clone(e.Fields), Addenda: []Addendum{},
			Versions: []NoteVersion{{Fields: maps.Clone(e.Fields), At: e.At.UTC()}}}
		c.notes[e.NoteID] = n
		c.noteIDs = append(c.noteIDs, e.NoteID)
	case note.NoteRevised:
		if n := c.notes[e.NoteID]; n != nil {
			n.Fields = maps.Clone(e.Fields)
			n.Versions = append(n.Versions, NoteVersion{Fields: maps.Clone(e.Fields), At: e.At.UTC()})
		}
	case note.NoteSigned:
		if n := c.notes[e.NoteID]; n != nil {
			at := e.At.UTC()
			n.Status, n.SignedAt, n.ContentHash = string(note.StatusSigned), &at, e.ContentHash
		}
	case note.NoteAddendumAdded:
		if n := c.notes[e.NoteID]; n != nil {
			n.Addenda = append(n.Addenda, Addendum{ID: e.AddendumID, AuthorID: e.AuthorID, Text: e.Text, At: e.At.UTC()})
		}
	}
}

func (c *collector) finishNotes() {
	for _, id := range c.noteIDs {
		c.rec.Notes = append(c.rec.Notes, *c.notes[id])
	}
}

// appointments folds the client's appointments, found through their schedule index.
func (c *collector) appointments(clientID domain.ID) error {
	var index []domain.Event
	if _, err := c.stream(commands.ClientScheduleStream(clientID), scheduling.Decode, func(ev domain.Event, _ eventstore.RecordedEvent) {
		index = append(index, ev)
	}); err != nil {
		return err
	}
	for _, id := range scheduling.RebuildClientSchedule(index).All() {
		var a *Appointment
		if _, err := c.stream(commands.AppointmentStream(id), scheduling.Decode, func(ev domain.Event, r eventstore.RecordedEvent) {
			a = foldAppointment(a, ev, r)
		}); err != nil {
			return err
		}
		if a != nil {
			c.rec.Appointments = append(c.rec.Appointments, *a)
		}
	}
	slices.SortStableFunc(c.rec.Appointments, func(x, y Appointment) int { return x.Start.Compare(y.Start) })
	return nil
}

func foldAppointment(a *Appointment, ev domain.Event, r eventstore.RecordedEvent) *Appointment {
	at := r.OccurredAt.UTC()
	if e, ok := ev.(scheduling.AppointmentBooked); ok {
		status := scheduling.StatusBooked
		if e.PendingApproval {
			status = scheduling.StatusPendingApproval
		}
		return &Appointment{ID: e.AppointmentID, TherapistID: e.TherapistID, ServiceTypeID: e.ServiceTypeID, Start: e.Start.UTC(),
			End: e.End.UTC(), Status: string(status), Location: e.Location, BookedBy: string(e.BookedBy), Changes: []AppointmentChange{}}
	}
	if a == nil {
		return nil
	}
	switch e := ev.(type) {
	case scheduling.AppointmentApproved:
		a.Status = string(scheduling.StatusBooked)
		a.Changes = append(a.Changes, AppointmentChange{Kind: "approved", At: at})
	case scheduling.AppointmentDeclined:
		a.Status = string(scheduling.StatusDeclined)
		a.Changes = append(a.Changes, AppointmentChange{Kind: "declined", Reason: e.Reason, At: at})
	case scheduling.AppointmentRescheduled:
		a.Start, a.End = e.Start.UTC(), e.End.UTC()
		a.Changes = append(a.Changes, AppointmentChange{Kind: "rescheduled", By: string(e.By), Reason: e.Reason, At: at})
	case scheduling.AppointmentCancelled:
		a.Status = string(scheduling.StatusCancelled)
		if e.Late {
			a.Status = string(scheduling.StatusLateCancelled)
		}
		a.Changes = append(a.Changes, AppointmentChange{Kind: "cancelled", By: string(e.By), Reason: e.Reason, At: at})
	case scheduling.AppointmentCompleted:
		a.Status = string(scheduling.StatusCompleted)
	case scheduling.AppointmentNoShow:
		a.Status = string(scheduling.StatusNoShow)
	}
	return a
}

// foldRetention folds one retention review event.
func (c *collector) foldRetention(ev domain.Event, _ eventstore.RecordedEvent) {
	switch e := ev.(type) {
	case sar.RetentionReviewQueued:
		c.rec.RetentionEvents = append(c.rec.RetentionEvents, RetentionEvent{Kind: "queued", RecordKind: e.RecordKind,
			Detail: "retention period ended " + e.Until.String(), At: e.At.UTC()})
	case sar.RetentionReviewResolved:
		detail := string(e.Outcome)
		if e.Outcome == sar.RetentionKept {
			detail += " until " + e.ReviewOn.String()
		}
		c.rec.RetentionEvents = append(c.rec.RetentionEvents, RetentionEvent{Kind: "resolved", RecordKind: e.RecordKind, Detail: detail, At: e.At.UTC()})
	}
}

// person returns a deep copy of d that shares no memory with the decoded event, with address
// lines never nil so the JSON is stable.
func person(d client.Details) *Person {
	d.Address = address(d.Address)
	if d.EmergencyContact != nil {
		c := *d.EmergencyContact
		d.EmergencyContact = &c
	}
	if d.PrimaryCare != nil {
		pc := *d.PrimaryCare
		pc.Address = address(pc.Address)
		d.PrimaryCare = &pc
	}
	return &d
}

func address(a *client.Address) *Address {
	if a == nil {
		return nil
	}
	c := *a
	c.Lines = nonNil(a.Lines)
	return &c
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return slices.Clone(s)
}
