package commands

import (
	"context"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
)

// ReadClientRecord asks to read a client's record (details, status, custody) for a stated purpose
// (a slug such as "treatment"). Emergency asks to read under a break-glass grant: a therapist
// outside the caseload may then read while holding a live grant on this client, and the read is
// audited with purpose "emergency_access".
type ReadClientRecord struct {
	ClientID  domain.ID
	Purpose   string
	Emergency bool
}

// ClientRecord is a client's record as read.
type ClientRecord struct {
	ID           domain.ID
	PracticeID   domain.ID
	TherapistID  domain.ID
	Details      client.Details
	Restricted   bool
	DischargedOn time.Time // zero while in treatment
	Custody      []client.Custody
}

// ReadClientRecordHandler is the audited query side of client records. It is safe for concurrent
// use.
type ReadClientRecordHandler struct {
	d      Deps
	grants EmergencyGrants
}

// NewReadClientRecordHandler returns a handler over d that checks break-glass grants in grants.
func NewReadClientRecordHandler(d Deps, grants EmergencyGrants) *ReadClientRecordHandler {
	return &ReadClientRecordHandler{d: d, grants: grants}
}

// Handle authorises the read (the holding therapist, the client themself and the DPO may; other
// therapists and clients get KindNotFound exactly as for a missing record; other roles
// KindForbidden "read_record_forbidden"), then appends RecordAccessed{actor, "record", purpose} to
// the client's stream BEFORE returning anything. If the append fails, nothing is returned. A
// concurrent change of the record between load and append is decided again on fresh state (up to
// accessAttempts times in all).
// With q.Emergency, a therapist who does not hold the record is let through only while they hold
// a live grant on this client (KindNotFound otherwise, as for any record outside the caseload),
// and the access is recorded with purpose "emergency_access".
func (h *ReadClientRecordHandler) Handle(ctx context.Context, actor domain.Actor, q ReadClientRecord) (ClientRecord, error) {
	purpose := q.Purpose
	emergency := false
	if q.Emergency {
		purpose = "emergency_access"
		if actor.Role == domain.RoleTherapist {
			ok, err := h.grants.Active(ctx, actor.UserID, q.ClientID, h.d.Clock.Now())
			if err != nil {
				return ClientRecord{}, err
			}
			if !ok {
				return ClientRecord{}, domain.NotFound("client", q.ClientID)
			}
			emergency = true
		}
	}
	var c *client.Client
	err := retryConcurrentN(accessAttempts, func() error {
		var (
			l   Loaded
			err error
		)
		if c, l, err = LoadClient(ctx, h.d, q.ClientID); err != nil {
			return err
		}
		if !emergency {
			if err := c.Authorise(actor, "read_record", client.Holder|client.Self|client.DPO); err != nil {
				return err
			}
		}
		ev, err := c.RecordAccess(actor, client.AccessRecord, domain.ID{}, purpose, h.d.Clock.Now())
		if err != nil {
			return err
		}
		return appendToClient(ctx, h.d, q.ClientID, l, actor, ev)
	})
	if err != nil {
		return ClientRecord{}, err
	}
	holder, _ := c.Holder()
	ended, _ := c.Discharged()
	return ClientRecord{
		ID: c.ID(), PracticeID: c.PracticeID(), TherapistID: holder, Details: c.Details(),
		Restricted: c.Restricted(), DischargedOn: ended, Custody: c.Custody(),
	}, nil
}
