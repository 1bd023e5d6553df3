package commands

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/sar"
)

// SARStatus is where one subject access request stands on a day, for the DPO's list of deadlines.
type SARStatus struct {
	RequestID  domain.ID
	ClientID   domain.ID // zero when the client was erased
	ReceivedOn sar.Date
	Status     sar.Status
	// Regime and TimeZone are the rules the request follows.
	Regime   sar.Regime
	TimeZone string
	// Due is the deadline on the day asked (zero while identity is pending since receipt);
	// ClockRunning is false while identity or clarification is awaited.
	Due          sar.Date
	ClockRunning bool
	// Overdue is true for an open request whose deadline is before the day asked.
	Overdue bool
	// Erased is true when the client was erased since: the request's events are unreadable.
	Erased bool
}

// ListSARsHandler lists every subject access request. It is safe for concurrent use.
type ListSARsHandler struct {
	d       Deps
	streams StreamLister
}

// NewListSARsHandler returns a handler over d that finds requests through streams.
func NewListSARsHandler(d Deps, streams StreamLister) *ListSARsHandler {
	return &ListSARsHandler{d: d, streams: streams}
}

// Handle returns requests ("sar-" streams) with their deadlines as of on (default today in each
// request's time zone), open ones first by deadline, then closed ones by receipt. The DPO gets
// every request, those of erased clients marked Erased. A therapist gets the requests about the
// clients whose records they hold, which they are the one to review (the serious-harm test):
// nothing of other therapists' clients, of records nobody holds, or of erased clients. Other
// roles get KindForbidden.
func (h *ListSARsHandler) Handle(ctx context.Context, actor domain.Actor, on sar.Date) ([]SARStatus, error) {
	therapist := actor.Role == domain.RoleTherapist
	if (actor.Role != domain.RoleDPO && !therapist) || actor.UserID.IsZero() {
		return nil, domain.Forbidden("list_sars_forbidden", "only the DPO and therapists list subject access requests")
	}
	heads, err := h.streams.StreamHeads(ctx)
	if err != nil {
		return nil, fmt.Errorf("list subject access requests: %w", err)
	}
	var out []SARStatus
	for _, head := range heads {
		rest, ok := strings.CutPrefix(string(head.Stream), "sar-")
		if !ok {
			continue
		}
		id, err := domain.ParseID(rest)
		if err != nil {
			continue
		}
		r, _, err := LoadSAR(ctx, h.d, id)
		if errors.Is(err, domain.ErrErased) {
			if !therapist {
				out = append(out, SARStatus{RequestID: id, Erased: true})
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		if therapist {
			held, err := holds(ctx, h.d, actor, r.Client())
			if err != nil {
				return nil, err
			}
			if !held {
				continue
			}
		}
		day, err := requestDay(h.d, on, r)
		if err != nil {
			return nil, err
		}
		s := SARStatus{RequestID: id, ClientID: r.Client(), ReceivedOn: r.ReceivedOn(), Status: r.Status(), ClockRunning: r.ClockRunning(),
			Regime: r.Regime(), TimeZone: r.TimeZone()}
		if due, ok := r.Due(day); ok {
			s.Due = due
			open := s.Status == sar.StatusOpen || s.Status == sar.StatusReviewed
			s.Overdue = open && due.Before(day)
		}
		out = append(out, s)
	}
	open := func(s SARStatus) bool { return s.Status == sar.StatusOpen || s.Status == sar.StatusReviewed }
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if open(a) != open(b) {
			return open(a)
		}
		if open(a) && a.Due != b.Due {
			return !a.Due.IsZero() && (b.Due.IsZero() || a.Due.Before(b.Due))
		}
		return a.ReceivedOn.Before(b.ReceivedOn)
	})
	return out, nil
}

// holds reports whether therapist actor holds the record of client (an erased client's record is
// held by nobody).
func holds(ctx context.Context, d Deps, actor domain.Actor, clientID domain.ID) (bool, error) {
	c, _, err := LoadClient(ctx, d, clientID)
	if domain.KindOf(err) == domain.KindErased {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return authoriseSAR(c, actor, "review", client.Holder) == nil, nil
}
