package commands

import (
	"context"
	"sort"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/identity"
)

// UserIDs lists every registered user's id. The PostgreSQL user directory provides it.
type UserIDs interface {
	UserIDs(ctx context.Context) ([]domain.ID, error)
}

// UserSummary is what an admin sees of an account. Email is personal data of the staff member or
// client and is shown to admins and to the user themself only.
type UserSummary struct {
	ID           domain.ID
	Role         domain.Role
	Email        string
	Disabled     bool
	LockedUntil  time.Time // zero, or past, when not locked
	TOTPEnabled  bool
	RecoveryLeft int
}

// ListUsersHandler answers the user administration queries. It is safe for concurrent use.
type ListUsersHandler struct {
	d   IdentityDeps
	ids UserIDs
}

// NewListUsersHandler returns a handler over d listing the users in ids.
func NewListUsersHandler(d IdentityDeps, ids UserIDs) *ListUsersHandler {
	return &ListUsersHandler{d: d, ids: ids}
}

// All returns every user, sorted by email, for an admin (KindForbidden "admin_only" otherwise).
// It loads each user's stream: fine for a practice's few hundred accounts.
func (h *ListUsersHandler) All(ctx context.Context, actor domain.Actor) ([]UserSummary, error) {
	if actor.Role != domain.RoleAdmin {
		return nil, domain.Forbidden("admin_only", "only an admin can list users")
	}
	ids, err := h.ids.UserIDs(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]UserSummary, 0, len(ids))
	for _, id := range ids {
		u, _, err := LoadUser(ctx, h.d.Deps, id)
		if err != nil {
			return nil, err
		}
		if u.Exists() {
			out = append(out, summarise(u))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Email < out[j].Email })
	return out, nil
}

// One returns user id to an admin or to the user themself; anyone else, and a user that does not
// exist, gets KindNotFound "user_not_found".
func (h *ListUsersHandler) One(ctx context.Context, actor domain.Actor, id domain.ID) (UserSummary, error) {
	if actor.Role != domain.RoleAdmin && actor.UserID != id {
		return UserSummary{}, domain.NotFound("user", id)
	}
	u, _, err := LoadUser(ctx, h.d.Deps, id)
	if err != nil {
		return UserSummary{}, err
	}
	if !u.Exists() {
		return UserSummary{}, domain.NotFound("user", id)
	}
	return summarise(u), nil
}

func summarise(u *identity.User) UserSummary {
	left := 0
	for _, h := range u.RecoveryHashes() {
		if h != "" {
			left++
		}
	}
	return UserSummary{ID: u.ID(), Role: u.Role(), Email: u.Email(), Disabled: u.Disabled(), LockedUntil: u.LockedUntil(),
		TOTPEnabled: u.TOTPSecret() != "", RecoveryLeft: left}
}
