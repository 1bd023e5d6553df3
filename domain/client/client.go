package client

import (
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/practice"
)

// Client is the aggregate of one client's record. Its zero value is not usable: a client is
// created by Register or rebuilt from its stream by Rebuild. It is not safe for concurrent use.
type Client struct {
	id         domain.ID
	practiceID domain.ID
	holder     domain.ID // the therapist who holds the record; zero once archived
	recordKind practice.RecordKind
	details    Details
	registered time.Time
	restricted bool
	endedOn    time.Time // zero while in treatment
	startedOn  time.Time // the day the current episode of treatment began (registration or readmission)
	consents   map[domain.ID]treatmentConsent
	sharing    map[domain.ID]SharingConsent
	custody    []Custody
	erasures   map[domain.ID]*ErasureRequest
	erasureIDs []domain.ID // in request order
}

// Custody is one period during which a therapist held the record. Until is zero for the current
// holder.
type Custody struct {
	TherapistID domain.ID
	From        time.Time
	Until       time.Time
}

// Register creates a client's record held by therapist in practice p. A therapist may register
// clients for themselves only; practice managers and admins may register them for any therapist
// of the practice. recordKind is practice.RecordAdultMentalHealth or practice.RecordGeneralAdult
// (children's rules apply by age at discharge); empty means RecordAdultMentalHealth.
func Register(actor domain.Actor, p *practice.Practice, id, therapist domain.ID, recordKind practice.RecordKind, d Details, at time.Time) (*Client, domain.Event, error) {
	if actor.UserID.IsZero() {
		return nil, nil, domain.Forbidden("register_client_forbidden", "an actor without a user id may not register clients")
	}
	switch actor.Role {
	case domain.RoleTherapist:
		if actor.UserID != therapist {
			return nil, nil, domain.Forbidden("register_client_forbidden", "a therapist registers clients only for themselves")
		}
	case domain.RolePracticeManager, domain.RoleAdmin:
	default:
		return nil, nil, domain.Forbidden("register_client_forbidden", "role "+string(actor.Role)+" may not register clients")
	}
	if id.IsZero() {
		return nil, nil, domain.Invalid("client_id", "is required")
	}
	if !p.HasStaff(therapist, domain.RoleTherapist) {
		return nil, nil, domain.NotFound("therapist", therapist)
	}
	switch recordKind {
	case "":
		recordKind = practice.RecordAdultMentalHealth
	case practice.RecordAdultMentalHealth, practice.RecordGeneralAdult:
	default:
		return nil, nil, domain.Invalid("record_kind", "must be adult_mental_health or general_adult")
	}
	d, err := d.Normalised(at)
	if err != nil {
		return nil, nil, err
	}
	c := empty()
	ev := ClientRegistered{ClientID: id, PracticeID: p.ID(), TherapistID: therapist, RecordKind: recordKind, Details: d, At: at.UTC()}
	c.Apply(ev)
	return c, ev, nil
}

func empty() *Client {
	return &Client{
		consents: map[domain.ID]treatmentConsent{},
		sharing:  map[domain.ID]SharingConsent{},
		erasures: map[domain.ID]*ErasureRequest{},
	}
}

// Rebuild replays a client's stream. It is not a constructor: it checks nothing and returns nil
// when history is empty or does not start with ClientRegistered.
func Rebuild(history []domain.Event) *Client {
	if len(history) == 0 {
		return nil
	}
	if _, ok := history[0].(ClientRegistered); !ok {
		return nil
	}
	c := empty()
	for _, ev := range history {
		c.Apply(ev)
	}
	return c
}

// Apply changes the state by one event. It cannot fail; events of other aggregates are ignored.
func (c *Client) Apply(ev domain.Event) {
	switch e := ev.(type) {
	case ClientRegistered:
		c.id, c.practiceID, c.holder, c.recordKind = e.ClientID, e.PracticeID, e.TherapistID, e.RecordKind
		c.details, c.registered, c.startedOn = e.Details, e.At, dayOf(e.At)
		c.custody = []Custody{{TherapistID: e.TherapistID, From: e.At}}
	case ClientDetailsRectified:
		c.details = e.Details
	case ProcessingRestricted:
		c.restricted = true
	case ProcessingRestrictionLifted:
		c.restricted = false
	case ClientDischarged:
		c.endedOn = e.EndedOn
	case ClientReadmitted:
		c.endedOn, c.startedOn = time.Time{}, e.StartedOn
	case ConsentSigned, ConsentWithdrawn:
		c.applyConsent(ev)
	case SharingConsentGiven, SharingConsentWithdrawn:
		c.applySharing(ev)
	case RecordTransferred:
		c.endCustody(e.At)
		c.holder = e.To
		c.custody = append(c.custody, Custody{TherapistID: e.To, From: e.At})
	case RecordArchived:
		c.endCustody(e.At)
		c.holder = domain.ID{}
	case ErasureRequested, ErasureApproved, ErasureRefused, ErasureDeferred:
		c.applyErasure(ev)
	}
}

func (c *Client) endCustody(at time.Time) {
	if n := len(c.custody); n > 0 && c.custody[n-1].Until.IsZero() {
		c.custody[n-1].Until = at
	}
}

// ID returns the client's id.
func (c *Client) ID() domain.ID { return c.id }

// PracticeID returns the id of the client's practice.
func (c *Client) PracticeID() domain.ID { return c.practiceID }

// Holder returns the therapist who holds the record; ok is false once it is archived.
func (c *Client) Holder() (therapist domain.ID, ok bool) { return c.holder, !c.holder.IsZero() }

// HeldBy reports whether therapist holds the record now.
func (c *Client) HeldBy(therapist domain.ID) bool { return !c.holder.IsZero() && c.holder == therapist }

// Details returns the client's current details.
func (c *Client) Details() Details { return c.details }

// Restricted reports whether processing is restricted (Art. 18).
func (c *Client) Restricted() bool { return c.restricted }

// Discharged returns the date treatment ended; ok is false while in treatment.
func (c *Client) Discharged() (endedOn time.Time, ok bool) { return c.endedOn, !c.endedOn.IsZero() }

// Custody returns who held the record when, oldest first.
func (c *Client) Custody() []Custody { return append([]Custody(nil), c.custody...) }

// Visible fails with KindNotFound unless actor may see that this record exists: its holder, the
// client themself, or a role that works across records (DPO, practice manager, admin, auditor,
// system). Everything else that reads or changes the record authorises further.
func (c *Client) Visible(actor domain.Actor) error {
	switch actor.Role {
	case domain.RoleTherapist:
		if c.HeldBy(actor.UserID) {
			return nil
		}
	case domain.RoleClient:
		if actor.UserID == c.id {
			return nil
		}
	case domain.RoleDPO, domain.RolePracticeManager, domain.RoleAdmin, domain.RoleAuditor, domain.RoleSystem:
		return nil
	}
	return domain.NotFound("client", c.id)
}

// Party is who may take an action on a record. Practice managers and auditors are never a party:
// they see that a record exists (Visible) but act on none.
type Party uint8

// The parties of a record.
const (
	Holder Party = 1 << iota // the therapist who holds the record
	Self                     // the client, through the portal
	DPO                      // the data protection officer
	Admin                    // an admin
)

// Authorise returns nil when actor is one of parties for this record. A therapist who does not
// hold the record and a client acting on another client get KindNotFound (existence is not
// leaked); any other refused actor gets KindForbidden with code "<action>_forbidden".
func (c *Client) Authorise(actor domain.Actor, action string, parties Party) error {
	if err := c.Visible(actor); err != nil {
		return err
	}
	var p Party
	switch actor.Role {
	case domain.RoleTherapist:
		p = Holder
	case domain.RoleClient:
		p = Self
	case domain.RoleDPO:
		p = DPO
	case domain.RoleAdmin:
		p = Admin
	}
	if p != 0 && parties&p != 0 && !actor.UserID.IsZero() {
		return nil
	}
	return domain.Forbidden(action+"_forbidden", "role "+string(actor.Role)+" may not "+action+" for client "+c.id.String())
}

// Rectify replaces the client's details (Art. 16). The holder, the client and the DPO may.
func (c *Client) Rectify(actor domain.Actor, d Details, at time.Time) (domain.Event, error) {
	if err := c.Authorise(actor, "rectify", Holder|Self|DPO); err != nil {
		return nil, err
	}
	d, err := d.Normalised(at)
	if err != nil {
		return nil, err
	}
	fields := changedFields(c.details, d)
	if len(fields) == 0 {
		return nil, domain.Invalid("details", "nothing changed")
	}
	ev := ClientDetailsRectified{Details: d, Fields: fields, By: actor.Role, At: at.UTC()}
	c.Apply(ev)
	return ev, nil
}

// The grounds for restricting processing, Art. 18(1)(a)-(d).
const (
	RestrictAccuracyContested = "accuracy_contested"
	RestrictUnlawful          = "unlawful_processing"
	RestrictLegalClaims       = "legal_claims"
	RestrictObjection         = "objection_pending"
)

// Restrict restricts processing on an Art. 18 ground. Only the DPO may.
func (c *Client) Restrict(actor domain.Actor, ground string, at time.Time) (domain.Event, error) {
	if err := c.Authorise(actor, "restrict", DPO); err != nil {
		return nil, err
	}
	switch ground {
	case RestrictAccuracyContested, RestrictUnlawful, RestrictLegalClaims, RestrictObjection:
	default:
		return nil, domain.Invalid("ground", "is not an Art. 18 ground")
	}
	if c.restricted {
		return nil, domain.Conflict("already_restricted", "client "+c.id.String()+" is already restricted")
	}
	ev := ProcessingRestricted{Ground: ground, At: at.UTC()}
	c.Apply(ev)
	return ev, nil
}

// LiftRestriction lifts a restriction. Only the DPO may.
func (c *Client) LiftRestriction(actor domain.Actor, at time.Time) (domain.Event, error) {
	if err := c.Authorise(actor, "lift_restriction", DPO); err != nil {
		return nil, err
	}
	if !c.restricted {
		return nil, domain.Conflict("not_restricted", "client "+c.id.String()+" is not restricted")
	}
	ev := ProcessingRestrictionLifted{At: at.UTC()}
	c.Apply(ev)
	return ev, nil
}

// Discharge ends treatment on endedOn (a date, not after at and not before the current episode
// began: registration, or the latest readmission). Only the holder may.
func (c *Client) Discharge(actor domain.Actor, endedOn, at time.Time) (domain.Event, error) {
	if err := c.Authorise(actor, "discharge", Holder); err != nil {
		return nil, err
	}
	if !c.endedOn.IsZero() {
		return nil, domain.Conflict("already_discharged", "client "+c.id.String()+" is already discharged")
	}
	day := time.Date(endedOn.Year(), endedOn.Month(), endedOn.Day(), 0, 0, 0, 0, time.UTC)
	if endedOn.IsZero() || day.After(at) || day.Before(c.startedOn) {
		return nil, domain.Invalid("ended_on", "must be between the start of treatment and today")
	}
	ev := ClientDischarged{EndedOn: day, At: at.UTC()}
	c.Apply(ev)
	return ev, nil
}

// RequireActive fails with KindConflict when the record may not be used for new processing:
// code "processing_restricted" when restricted, "record_archived" when nobody holds it.
func (c *Client) RequireActive() error {
	if c.restricted {
		return domain.Conflict("processing_restricted", "processing of client "+c.id.String()+" is restricted")
	}
	if c.holder.IsZero() {
		return domain.Conflict("record_archived", "the record of client "+c.id.String()+" is archived")
	}
	return nil
}

func dayOf(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
