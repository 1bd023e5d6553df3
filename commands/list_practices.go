package commands

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/practice"
)

// PracticeSettings is one practice's settings as its admin sees them: no personal data (staff are
// user ids; names live in the user directory).
type PracticeSettings struct {
	ID           domain.ID
	ConsentRule  practice.ConsentRule
	Staff        []practice.StaffMember
	ServiceTypes []ServiceTypeSettings
	Retention    practice.Retention
}

// ServiceTypeSettings is a service type with its consent form: the version in force now (0: none
// yet) and the latest published, which may take effect later.
type ServiceTypeSettings struct {
	practice.ServiceType
	ConsentInForce      int
	ConsentLatest       int
	LatestEffectiveFrom time.Time
}

// ListPracticesHandler lists the practices of the log with their settings. It is safe for
// concurrent use.
type ListPracticesHandler struct {
	d       Deps
	streams StreamLister
}

// NewListPracticesHandler returns a handler over d that finds practices through streams.
func NewListPracticesHandler(d Deps, streams StreamLister) *ListPracticesHandler {
	return &ListPracticesHandler{d: d, streams: streams}
}

// Handle returns every practice ("practice-" streams), ordered by id, with its staff, service
// types (by code) and their consent forms, consent rule and retention periods. Only admins may
// (KindForbidden otherwise).
func (h *ListPracticesHandler) Handle(ctx context.Context, actor domain.Actor) ([]PracticeSettings, error) {
	if actor.Role != domain.RoleAdmin || actor.UserID.IsZero() {
		return nil, domain.Forbidden("list_practices_forbidden", "only admins list practices")
	}
	heads, err := h.streams.StreamHeads(ctx)
	if err != nil {
		return nil, fmt.Errorf("list practices: %w", err)
	}
	now := h.d.Clock.Now()
	out := []PracticeSettings{}
	for _, head := range heads {
		rest, ok := strings.CutPrefix(string(head.Stream), "practice-")
		if !ok {
			continue
		}
		id, err := domain.ParseID(rest)
		if err != nil {
			continue
		}
		p, _, err := LoadPractice(ctx, h.d, id)
		if err != nil {
			return nil, err
		}
		s := PracticeSettings{ID: id, ConsentRule: p.ConsentRule(), Staff: p.Staff(), Retention: p.Retention()}
		for _, st := range p.ServiceTypes() {
			v := ServiceTypeSettings{ServiceType: st}
			if t, ok := p.ConsentTemplate(st.ID, now); ok {
				v.ConsentInForce = t.Version
			}
			if t, ok := p.LatestConsentTemplate(st.ID); ok {
				v.ConsentLatest, v.LatestEffectiveFrom = t.Version, t.EffectiveFrom
			}
			s.ServiceTypes = append(s.ServiceTypes, v)
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b PracticeSettings) int { return strings.Compare(a.ID.String(), b.ID.String()) })
	return out, nil
}
