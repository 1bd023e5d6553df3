package export

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
)

// Format is a rendering of a Record.
type Format string

// The formats.
const (
	FormatJSON Format = "json"
	FormatHTML Format = "html"
	FormatFHIR Format = "fhir"
)

// Render renders r in format f. Unknown formats are an ErrInvalid error.
func Render(r *Record, f Format) ([]byte, error) {
	switch f {
	case FormatJSON:
		return JSON(r)
	case FormatHTML:
		return HTML(r)
	case FormatFHIR:
		return FHIR(r)
	}
	return nil, domain.Invalid("format", "want json, html or fhir")
}

// ParseFormat returns the format named s, or an ErrInvalid error.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case FormatJSON, FormatHTML, FormatFHIR:
		return f, nil
	}
	return "", domain.Invalid("format", "want json, html or fhir")
}

// Service runs the reads of this package on behalf of an actor: authorised, and audited by a
// RecordAccessed event appended before anything is returned. It is what the API and the command
// line call. It is safe for concurrent use.
type Service struct {
	d     commands.Deps
	audit *commands.AuditRecordReadHandler
}

// NewService returns a Service over d.
func NewService(d commands.Deps) *Service {
	return &Service{d: d, audit: commands.NewAuditRecordReadHandler(d)}
}

// The RecordAccessed kinds and purposes this package records.
const (
	AccessSARExport   = "sar_export"
	AccessPortability = "portability_export"
	AccessReplay      = "replay"
)

// SubjectAccess returns the export of subject access request requestID with the clinician's
// review decisions applied (withheld items removed, redacted ones masked). The DPO and the
// therapist who holds the record (the reviewer) may; others get KindForbidden, another therapist
// KindNotFound. Psychotherapy notes are excluded.
func (s *Service) SubjectAccess(ctx context.Context, actor domain.Actor, requestID domain.ID) (*Record, error) {
	req, _, err := commands.LoadSAR(ctx, s.d, requestID)
	if err != nil {
		return nil, err
	}
	c, _, err := commands.LoadClient(ctx, s.d, req.Client())
	if err != nil {
		return nil, err
	}
	if actor.Role != domain.RoleDPO && !(actor.Role == domain.RoleTherapist && c.HeldBy(actor.UserID)) {
		if err := c.Visible(actor); err != nil {
			return nil, err
		}
		return nil, domain.Forbidden("sar_export_forbidden", "role "+string(actor.Role)+" may not export subject access request "+requestID.String())
	}
	if err := s.audit.Handle(ctx, actor, commands.AuditRecordRead{ClientID: req.Client(), What: AccessSARExport, ItemID: requestID, Purpose: "subject_access"}); err != nil {
		return nil, err
	}
	r, err := Collect(ctx, s.d.Log, s.d.Sealer, req.Client(), Options{GeneratedAt: s.d.Clock.Now()})
	if err != nil {
		return nil, err
	}
	Redact(r, req.Decisions())
	return r, nil
}

// Released is what Release gave the requester: each format's bytes, and the digest of the JSON
// that SARReleased records.
type Released struct {
	Files  map[Format][]byte
	Digest string
}

// Release renders the reviewed export of requestID in formats (JSON is always included, since its
// digest is recorded), records SARReleased with that digest, and returns the files. Only the DPO
// may; the request must be reviewed and identity verified (KindConflict otherwise), and nothing
// is returned when recording the release fails.
func (s *Service) Release(ctx context.Context, actor domain.Actor, requestID domain.ID, formats []Format) (Released, error) {
	if actor.Role != domain.RoleDPO {
		return Released{}, domain.Forbidden("release_sar_forbidden", "only the DPO releases a subject access request")
	}
	r, err := s.SubjectAccess(ctx, actor, requestID)
	if err != nil {
		return Released{}, err
	}
	out := Released{Files: map[Format][]byte{}}
	names := []string{string(FormatJSON)}
	if out.Files[FormatJSON], err = JSON(r); err != nil {
		return Released{}, err
	}
	for _, f := range formats {
		if _, done := out.Files[f]; done {
			continue
		}
		if out.Files[f], err = Render(r, f); err != nil {
			return Released{}, err
		}
		names = append(names, string(f))
	}
	out.Digest = Digest(out.Files[FormatJSON])
	if err := commands.NewReleaseSARHandler(s.d).Handle(ctx, actor, commands.ReleaseSAR{RequestID: requestID, Formats: names, Digest: out.Digest}); err != nil {
		return Released{}, err
	}
	return out, nil
}

// Portability returns the machine-readable export a client may take to another provider (UK
// GDPR Art. 20) as JSON: see Portable. The client themself (through the portal) and the DPO may;
// another client gets KindNotFound, other roles KindForbidden.
func (s *Service) Portability(ctx context.Context, actor domain.Actor, clientID domain.ID) ([]byte, error) {
	if actor.Role != domain.RoleClient && actor.Role != domain.RoleDPO {
		return nil, domain.Forbidden("portability_export_forbidden", "role "+string(actor.Role)+" may not export client "+clientID.String())
	}
	if err := s.audit.Handle(ctx, actor, commands.AuditRecordRead{ClientID: clientID, What: AccessPortability, Purpose: "data_portability"}); err != nil {
		return nil, err
	}
	r, err := Collect(ctx, s.d.Log, s.d.Sealer, clientID, Options{GeneratedAt: s.d.Clock.Now()})
	if err != nil {
		return nil, err
	}
	return JSON(Portable(r))
}

// Replay reconstructs client's record as it stood at asOf: every event recorded at or before
// asOf folded in order, payloads whose key was later shredded shown as erased, with the list of
// events folded. Auditors and the DPO may; other roles get KindForbidden. The read is recorded
// (RecordAccessed, purpose "audit") first; a client who was erased has nothing left to read, so
// the replay of an erased client is returned without that record (the log keeps only
// envelopes, which the replay lists). Psychotherapy notes are excluded.
func (s *Service) Replay(ctx context.Context, actor domain.Actor, clientID domain.ID, asOf time.Time) (*Record, error) {
	if actor.Role != domain.RoleAuditor && actor.Role != domain.RoleDPO {
		return nil, domain.Forbidden("replay_forbidden", "role "+string(actor.Role)+" may not replay client "+clientID.String())
	}
	if asOf.IsZero() {
		return nil, domain.Invalid("as_of", "is required")
	}
	err := s.audit.Handle(ctx, actor, commands.AuditRecordRead{ClientID: clientID, What: AccessReplay, Purpose: "audit"})
	if err != nil && !errors.Is(err, domain.ErrErased) {
		return nil, fmt.Errorf("replay %s: %w", clientID, err)
	}
	return Collect(ctx, s.d.Log, s.d.Sealer, clientID, Options{GeneratedAt: s.d.Clock.Now(), AsOf: asOf, WithEvents: true})
}

// Export returns client's whole record for the DPO, without review decisions: what `caseledger
// sar export` writes when no request is named. Psychotherapy notes are added only when asked.
// Only the DPO may; the read is recorded first (purpose "subject_access").
func (s *Service) Export(ctx context.Context, actor domain.Actor, clientID domain.ID, includePsychotherapyNotes bool) (*Record, error) {
	if actor.Role != domain.RoleDPO {
		return nil, domain.Forbidden("sar_export_forbidden", "only the DPO exports a client's whole record")
	}
	if err := s.audit.Handle(ctx, actor, commands.AuditRecordRead{ClientID: clientID, What: AccessSARExport, Purpose: "subject_access"}); err != nil {
		return nil, err
	}
	return Collect(ctx, s.d.Log, s.d.Sealer, clientID, Options{GeneratedAt: s.d.Clock.Now(), IncludePsychotherapyNotes: includePsychotherapyNotes})
}
