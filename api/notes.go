package api

import (
	"net/http"
	"time"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/note"
)

type draftNoteRequest struct {
	ID            domain.ID         `json:"id,omitzero"`
	Kind          note.Kind         `json:"kind"`
	TemplateID    domain.ID         `json:"template_id"`
	AppointmentID domain.ID         `json:"appointment_id,omitzero"`
	Fields        map[string]string `json:"fields"`
}

type reviseNoteRequest struct {
	Kind   note.Kind         `json:"kind"`
	Fields map[string]string `json:"fields"`
}

type signNoteRequest struct {
	Kind note.Kind `json:"kind"`
}

type addendumRequest struct {
	ID   domain.ID `json:"id,omitzero"`
	Kind note.Kind `json:"kind"`
	Text string    `json:"text"`
}

type noteResponse struct {
	ID            domain.ID         `json:"id"`
	ClientID      domain.ID         `json:"client_id"`
	AuthorID      domain.ID         `json:"author_id"`
	Kind          note.Kind         `json:"kind"`
	TemplateID    domain.ID         `json:"template_id"`
	AppointmentID domain.ID         `json:"appointment_id,omitzero"`
	Status        note.Status       `json:"status"`
	Fields        map[string]string `json:"fields"`
	Versions      []noteVersion     `json:"versions"`
	SignedBy      domain.ID         `json:"signed_by,omitzero"`
	SignedAt      time.Time         `json:"signed_at,omitzero"`
	ContentHash   string            `json:"content_hash,omitempty"`
	Addenda       []noteAddendum    `json:"addenda"`
}

type noteVersion struct {
	Fields map[string]string `json:"fields"`
	At     time.Time         `json:"at"`
}

type noteAddendum struct {
	ID       domain.ID `json:"id"`
	AuthorID domain.ID `json:"author_id"`
	Text     string    `json:"text"`
	At       time.Time `json:"at"`
}

type notesResponse struct {
	Notes []noteResponse `json:"notes"`
}

// noteRoutes are session notes. Only therapists reach them (a practice manager, DPO, admin or
// auditor gets 403 "role_forbidden" before anything is loaded); the commands then allow the
// therapist holding the record (psychotherapy notes: their author only) and answer 404 to others.
// Every read appends RecordAccessed before the notes are sent.
func (s *server) noteRoutes() []route {
	therapist := []domain.Role{domain.RoleTherapist}
	return []route{
		{method: "POST", path: "/clients/{id}/notes", roles: therapist, handle: withBody(s, http.StatusCreated, func(r *http.Request, a domain.Actor, req draftNoteRequest) (idResponse, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return idResponse{}, err
			}
			nid, err := commands.NewDraftNoteHandler(s.deps()).Handle(r.Context(), a, commands.DraftNote{
				ClientID: id, NoteID: req.ID, Kind: req.Kind, TemplateID: req.TemplateID, AppointmentID: req.AppointmentID, Fields: req.Fields,
			})
			return idResponse{ID: nid}, err
		})},
		{method: "GET", path: "/clients/{id}/notes", roles: therapist, handle: noBody(http.StatusOK, func(r *http.Request, a domain.Actor) (notesResponse, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return notesResponse{}, err
			}
			return s.readNotes(r, a, id, domain.ID{})
		})},
		{method: "GET", path: "/clients/{id}/notes/{note_id}", roles: therapist, handle: noBody(http.StatusOK, func(r *http.Request, a domain.Actor) (noteResponse, error) {
			ids, err := pathIDs(r, "id", "note_id")
			if err != nil {
				return noteResponse{}, err
			}
			res, err := s.readNotes(r, a, ids[0], ids[1])
			if err != nil || len(res.Notes) == 0 {
				return noteResponse{}, orNotFound(err, "note", ids[1])
			}
			return res.Notes[0], nil
		})},
		{method: "PUT", path: "/clients/{id}/notes/{note_id}", roles: therapist, handle: withBody(s, http.StatusNoContent, func(r *http.Request, a domain.Actor, req reviseNoteRequest) (none, error) {
			ids, err := pathIDs(r, "id", "note_id")
			if err != nil {
				return none{}, err
			}
			return none{}, commands.NewReviseNoteHandler(s.deps()).Handle(r.Context(), a, commands.ReviseNote{ClientID: ids[0], NoteID: ids[1], Kind: req.Kind, Fields: req.Fields})
		})},
		{method: "POST", path: "/clients/{id}/notes/{note_id}/signature", roles: therapist, handle: withBody(s, http.StatusNoContent, func(r *http.Request, a domain.Actor, req signNoteRequest) (none, error) {
			ids, err := pathIDs(r, "id", "note_id")
			if err != nil {
				return none{}, err
			}
			return none{}, commands.NewSignNoteHandler(s.deps()).Handle(r.Context(), a, commands.SignNote{ClientID: ids[0], NoteID: ids[1], Kind: req.Kind})
		})},
		{method: "POST", path: "/clients/{id}/notes/{note_id}/addenda", roles: therapist, handle: withBody(s, http.StatusCreated, func(r *http.Request, a domain.Actor, req addendumRequest) (idResponse, error) {
			ids, err := pathIDs(r, "id", "note_id")
			if err != nil {
				return idResponse{}, err
			}
			aid, err := commands.NewAddNoteAddendumHandler(s.deps()).Handle(r.Context(), a, commands.AddNoteAddendum{ClientID: ids[0], NoteID: ids[1], Kind: req.Kind, AddendumID: req.ID, Text: req.Text})
			return idResponse{ID: aid}, err
		})},
	}
}

// readNotes runs the audited ReadNote query (?kind=progress|psychotherapy, default progress;
// ?purpose=, default treatment) for one note or, with a zero note id, all readable ones.
func (s *server) readNotes(r *http.Request, a domain.Actor, clientID, noteID domain.ID) (notesResponse, error) {
	kind := note.Kind(r.URL.Query().Get("kind"))
	if kind == "" {
		kind = note.KindProgress
	}
	notes, err := commands.NewReadNoteHandler(s.deps()).WithEmergencyGrants(s.grants).Handle(r.Context(), a, commands.ReadNote{ClientID: clientID, NoteID: noteID, Kind: kind, Purpose: purposeParam(r), Emergency: r.URL.Query().Get("emergency") == "true"})
	if err != nil {
		return notesResponse{}, err
	}
	out := notesResponse{Notes: make([]noteResponse, 0, len(notes))}
	for _, n := range notes {
		nr := noteResponse{
			ID: n.ID, ClientID: n.ClientID, AuthorID: n.AuthorID, Kind: n.Kind, TemplateID: n.TemplateID, AppointmentID: n.AppointmentID,
			Status: n.Status, Fields: n.Fields, SignedBy: n.SignedBy, SignedAt: n.SignedAt, ContentHash: n.ContentHash,
			Versions: []noteVersion{}, Addenda: []noteAddendum{},
		}
		for _, v := range n.Versions {
			nr.Versions = append(nr.Versions, noteVersion{Fields: v.Fields, At: v.At})
		}
		for _, ad := range n.Addenda {
			nr.Addenda = append(nr.Addenda, noteAddendum{ID: ad.ID, AuthorID: ad.AuthorID, Text: ad.Text, At: ad.At})
		}
		out.Notes = append(out.Notes, nr)
	}
	return out, nil
}

// orNotFound returns err, or a not-found error for entity id when err is nil.
func orNotFound(err error, entity string, id domain.ID) error {
	if err != nil {
		return err
	}
	return domain.NotFound(entity, id)
}
