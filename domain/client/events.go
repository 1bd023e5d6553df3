package client

import (
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/practice"
)

// ClientRegistered opens a client's stream under the therapist who holds the record.
type ClientRegistered struct {
	ClientID    domain.ID           `json:"client_id"`
	PracticeID  domain.ID           `json:"practice_id"`
	TherapistID domain.ID           `json:"therapist_id"`
	RecordKind  practice.RecordKind `json:"record_kind"`
	Details     Details             `json:"details"`
	At          time.Time           `json:"at"`
}

// ClientDetailsRectified replaces the client's details (UK GDPR Art. 16). Fields names what
// changed; By is the role that made the change.
type ClientDetailsRectified struct {
	Details Details     `json:"details"`
	Fields  []string    `json:"fields"`
	By      domain.Role `json:"by"`
	At      time.Time   `json:"at"`
}

// ProcessingRestricted restricts processing of the client's data (Art. 18). Ground is one of the
// Restrict* constants.
type ProcessingRestricted struct {
	Ground string    `json:"ground"`
	At     time.Time `json:"at"`
}

// ProcessingRestrictionLifted lifts a restriction.
type ProcessingRestrictionLifted struct {
	At time.Time `json:"at"`
}

// ClientDischarged ends treatment on EndedOn; retention periods count from that date.
type ClientDischarged struct {
	EndedOn time.Time `json:"ended_on"`
	At      time.Time `json:"at"`
}

// ClientReadmitted starts a new episode of treatment on StartedOn for a discharged client who
// returns: the client is in treatment again, and retention counts from the next discharge.
type ClientReadmitted struct {
	StartedOn time.Time `json:"started_on"`
	At        time.Time `json:"at"`
}

// ConsentSigned records that the client (or their guardian) signed a version of a service type's
// consent form. ContentHash is the signed text's SHA-256, copied from the template.
type ConsentSigned struct {
	ServiceTypeID domain.ID     `json:"service_type_id"`
	Version       int           `json:"version"`
	ContentHash   string        `json:"content_hash"`
	Method        SigningMethod `json:"method"`
	Signer        Signer        `json:"signer"`
	GuardianName  string        `json:"guardian_name,omitempty"`
	SignedAt      time.Time     `json:"signed_at"`
	At            time.Time     `json:"at"`
}

// ConsentWithdrawn withdraws consent to treatment for a service type.
type ConsentWithdrawn struct {
	ServiceTypeID domain.ID   `json:"service_type_id"`
	By            domain.Role `json:"by"`
	At            time.Time   `json:"at"`
}

// SharingConsentGiven records consent to share with a named third party, for a purpose, until
// Expires.
type SharingConsentGiven struct {
	ConsentID domain.ID     `json:"consent_id"`
	Recipient ThirdParty    `json:"recipient"`
	Purpose   string        `json:"purpose"`
	Expires   time.Time     `json:"expires"`
	Method    SigningMethod `json:"method"`
	SignedAt  time.Time     `json:"signed_at"`
	At        time.Time     `json:"at"`
}

// SharingConsentWithdrawn withdraws a consent to share.
type SharingConsentWithdrawn struct {
	ConsentID domain.ID   `json:"consent_id"`
	By        domain.Role `json:"by"`
	At        time.Time   `json:"at"`
}

// RecordTransferred moves the record from one therapist to another. Basis is TransferByConsent
// (with the consent's method and time) or TransferByDPO (with the DPO's reason). From is zero when
// the record was archived.
type RecordTransferred struct {
	From          domain.ID     `json:"from,omitzero"`
	To            domain.ID     `json:"to"`
	Basis         TransferBasis `json:"basis"`
	ConsentMethod SigningMethod `json:"consent_method,omitempty"`
	ConsentedAt   time.Time     `json:"consented_at,omitzero"`
	Reason        string        `json:"reason,omitempty"`
	At            time.Time     `json:"at"`
}

// RecordArchived takes the record from its therapist without giving it to another: nobody holds
// it until the DPO transfers it.
type RecordArchived struct {
	From   domain.ID `json:"from"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// RecordAccessed records a read of clinical data, appended before the data is returned. What is
// the kind of data read and ID its id (a note id; zero for the record as a whole). Purpose is a
// slug such as "treatment".
type RecordAccessed struct {
	By      domain.Actor `json:"by"`
	What    string       `json:"what"`
	ID      domain.ID    `json:"id,omitzero"`
	Purpose string       `json:"purpose"`
	// GrantID is the break-glass grant the read was made under (Purpose EmergencyPurpose); zero
	// for an ordinary read.
	GrantID domain.ID `json:"grant_id,omitzero"`
	At      time.Time `json:"at"`
}

// NoteWriteAuthorised records that By, holding the record, was cleared to append Write (a note
// event type such as "NoteDrafted") to note NoteID of the notebook What (AccessNote or
// AccessPsychotherapyNote). It is appended to the client's stream at the version the authorisation
// was decided on, before the note event itself, so every note event follows a NoteWriteAuthorised
// that precedes any later transfer of the record. One without a matching note event means the
// write was then lost to a concurrent change of the notebook, or failed.
type NoteWriteAuthorised struct {
	By     domain.Actor `json:"by"`
	What   string       `json:"what"`
	NoteID domain.ID    `json:"note_id"`
	Write  string       `json:"write"`
	At     time.Time    `json:"at"`
}

// ErasureRequested records a request to erase the client (Art. 17), by the client or the DPO.
type ErasureRequested struct {
	RequestID domain.ID   `json:"request_id"`
	By        domain.Role `json:"by"`
	Grounds   string      `json:"grounds,omitempty"`
	At        time.Time   `json:"at"`
}

// ErasureApproved records the DPO's approval; the client's key is shredded next.
type ErasureApproved struct {
	RequestID domain.ID `json:"request_id"`
	At        time.Time `json:"at"`
}

// ErasureRefused records the DPO's refusal under an Art. 17(3) exemption.
type ErasureRefused struct {
	RequestID   domain.ID `json:"request_id"`
	Exemption   Exemption `json:"exemption"`
	Explanation string    `json:"explanation,omitempty"`
	At          time.Time `json:"at"`
}

// ErasureDeferred defers erasure to the end of the retention period, Until.
type ErasureDeferred struct {
	RequestID domain.ID `json:"request_id"`
	Until     time.Time `json:"until"`
	At        time.Time `json:"at"`
}

func (ClientRegistered) EventType() string            { return "ClientRegistered" }
func (ClientDetailsRectified) EventType() string      { return "ClientDetailsRectified" }
func (ProcessingRestricted) EventType() string        { return "ProcessingRestricted" }
func (ProcessingRestrictionLifted) EventType() string { return "ProcessingRestrictionLifted" }
func (ClientDischarged) EventType() string            { return "ClientDischarged" }
func (ClientReadmitted) EventType() string            { return "ClientReadmitted" }
func (ConsentSigned) EventType() string               { return "ConsentSigned" }
func (ConsentWithdrawn) EventType() string            { return "ConsentWithdrawn" }
func (SharingConsentGiven) EventType() string         { return "SharingConsentGiven" }
func (SharingConsentWithdrawn) EventType() string     { return "SharingConsentWithdrawn" }
func (RecordTransferred) EventType() string           { return "RecordTransferred" }
func (RecordArchived) EventType() string              { return "RecordArchived" }
func (RecordAccessed) EventType() string              { return "RecordAccessed" }
func (NoteWriteAuthorised) EventType() string         { return "NoteWriteAuthorised" }
func (ErasureRequested) EventType() string            { return "ErasureRequested" }
func (ErasureApproved) EventType() string             { return "ErasureApproved" }
func (ErasureRefused) EventType() string              { return "ErasureRefused" }
func (ErasureDeferred) EventType() string             { return "ErasureDeferred" }
