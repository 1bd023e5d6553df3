package commands

import (
	"context"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/identity"
)

// DisableDormantUsersHandler disables every account unused for the policy's dormancy period
// (90 days by default), so that an unused account cannot be taken over and shows as disabled to
// admins before anyone tries it. Sign-in enforces the same rule on its own. It is safe for
// concurrent use and idempotent: run it as often as wanted.
type DisableDormantUsersHandler struct {
	d   IdentityDeps
	ids UserIDs
}

// NewDisableDormantUsersHandler returns a handler over d for the users in ids.
func NewDisableDormantUsersHandler(d IdentityDeps, ids UserIDs) *DisableDormantUsersHandler {
	return &DisableDormantUsersHandler{d: d, ids: ids}
}

// Handle appends UserDisabled{reason: dormant} (actor: the system) to every dormant account and
// returns their ids. Only the system and admins may run it (KindForbidden "admin_only").
func (h *DisableDormantUsersHandler) Handle(ctx context.Context, actor domain.Actor) ([]domain.ID, error) {
	if actor.Role != domain.RoleSystem && actor.Role != domain.RoleAdmin {
		return nil, domain.Forbidden("admin_only", "only the system or an admin disables dormant accounts")
	}
	ids, err := h.ids.UserIDs(ctx)
	if err != nil {
		return nil, err
	}
	var disabled []domain.ID
	for _, id := range ids {
		was := false
		_, err := decideUser(ctx, h.d.Deps, actor, id, func(u *identity.User, now time.Time) ([]domain.Event, error) {
			evs := u.DisableIfDormant(now, h.d.Policy)
			was = evs != nil
			return evs, nil
		})
		if err != nil {
			return disabled, err
		}
		if was {
			disabled = append(disabled, id)
		}
	}
	return disabled, nil
}
