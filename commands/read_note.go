package commands

import (
	"context"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/note"
)

// ReadNote asks to read one note, or (NoteID zero) every note of the kind the actor may read,
// for a stated purpose (a slug such as "treatment"). Emergency asks to read progress notes under
// a break-glass grant (see ReadNoteHandler.Handle); Purpose is then ignored.
type ReadNote struct {
	ClientID  domain.ID
	NoteID    domain.ID
	Kind      note.Kind
	Purpose   string
	Emergency bool
}

// ActiveEmergencyGrants finds a therapist's live break-glass grant on a client: the API's
// PostgreSQL list of grants provides it.
type ActiveEmergencyGrants interface {
	// ActiveGrant returns the id of a grant therapist holds on client that is live at now, and
	// false when there is none.
	ActiveGrant(ctx context.Context, therapist, client domain.ID, now time.Time) (domain.ID, bool, error)
}

// ReadNoteHandler is the query side of session notes: it authorises, audits, then returns notes.
// It is safe for concurrent use.
type ReadNoteHandler struct {
	d      Deps
	grants ActiveEmergencyGrants
}

// NewReadNoteHandler returns a handler over d. It refuses emergency reads until given the grants
// with WithEmergencyGrants.
func NewReadNoteHandler(d Deps) *ReadNoteHandler { return &ReadNoteHandler{d: d} }

// WithEmergencyGrants returns a copy of h that lets therapists read progress notes under the
// live break-glass grants in grants.
func (h *ReadNoteHandler) WithEmergencyGrants(grants ActiveEmergencyGrants) *ReadNoteHandler {
	return &ReadNoteHandler{d: h.d, grants: grants}
}

// Handle returns the notes read: one note, or every readable note of the kind when NoteID is
// zero. Authorisation is note.Notebook.Read's: the therapist holding the record reads progress
// notes; psychotherapy notes only their author while holding it; other therapists get
// KindNotFound; managers, admins, DPOs and auditors KindForbidden, with no content in the error.
//
// With q.Emergency, a therapist reads the client's progress notes while they hold a live
// break-glass grant on this client (GrantEmergencyAccess), whether or not they hold the record;
// without one (or when h has no grants) the answer is KindNotFound, as for any record outside the
// caseload. Psychotherapy notes are never read this way: KindNotFound. The access is recorded
// with purpose client.EmergencyPurpose and the grant's id.
//
// Before anything is returned, RecordAccessed (who, what, which note, why) is appended to the
// client's stream at the version the authorisation was decided on. If the record changed
// meanwhile, the read is authorised again on the new state and retried (5 attempts in all, then
// KindConflict "concurrent_change"); if the append fails otherwise, nothing is returned.
func (h *ReadNoteHandler) Handle(ctx context.Context, actor domain.Actor, q ReadNote) ([]note.Note, error) {
	if q.Emergency {
		return h.emergency(ctx, actor, q)
	}
	var notes []note.Note
	err := retryConcurrent(func() error {
		nc, err := loadNotebook(ctx, h.d, actor, q.ClientID, q.Kind)
		if err != nil {
			return err
		}
		if q.NoteID.IsZero() {
			notes, err = nc.notebook.List(actor, nc.client)
		} else {
			var n note.Note
			n, err = nc.notebook.Read(actor, nc.client, q.NoteID)
			notes = []note.Note{n}
		}
		if err != nil {
			return err
		}
		what := client.AccessNote
		if nc.kind == note.KindPsychotherapy {
			what = client.AccessPsychotherapyNote
		}
		ev, err := nc.client.RecordAccess(actor, what, q.NoteID, q.Purpose, h.d.Clock.Now())
		if err != nil {
			return err
		}
		return appendToClient(ctx, h.d, q.ClientID, nc.clientLoaded, actor, ev)
	})
	if err != nil {
		return nil, err
	}
	return notes, nil
}

// emergency is Handle for a break-glass read.
func (h *ReadNoteHandler) emergency(ctx context.Context, actor domain.Actor, q ReadNote) ([]note.Note, error) {
	kind, err := noteKind(q.Kind)
	if err != nil {
		return nil, err
	}
	if actor.Role != domain.RoleTherapist {
		return nil, domain.Forbidden("read_note_forbidden", "only a therapist can read notes under emergency access")
	}
	if h.grants == nil || kind != note.KindProgress {
		return nil, domain.NotFound("client", q.ClientID)
	}
	grant, ok, err := h.grants.ActiveGrant(ctx, actor.UserID, q.ClientID, h.d.Clock.Now())
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, domain.NotFound("client", q.ClientID)
	}
	var notes []note.Note
	err = retryConcurrent(func() error {
		nc, err := openNotebook(ctx, h.d, q.ClientID, kind, func(*client.Client) error { return nil })
		if err != nil {
			return err
		}
		if q.NoteID.IsZero() {
			notes, err = nc.notebook.ListInEmergency(actor)
		} else {
			var n note.Note
			n, err = nc.notebook.ReadInEmergency(actor, q.NoteID)
			notes = []note.Note{n}
		}
		if err != nil {
			return err
		}
		ev, err := nc.client.RecordEmergencyAccess(actor, client.AccessNote, q.NoteID, grant, h.d.Clock.Now())
		if err != nil {
			return err
		}
		return appendToClient(ctx, h.d, q.ClientID, nc.clientLoaded, actor, ev)
	})
	if err != nil {
		return nil, err
	}
	return notes, nil
}
