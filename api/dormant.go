package api

import (
	"context"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
)

// DisableDormantAccounts disables every account that has not signed in for the policy's dormancy
// period (UserDisabled events by the system) and ends their sessions and bearer tokens. It returns
// the ids disabled. cfg is the API's configuration (validated here); the runtime calls it daily.
func DisableDormantAccounts(ctx context.Context, cfg Config) ([]domain.ID, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	ids, err := commands.NewDisableDormantUsersHandler(identityDeps(cfg), emailDirectory{pool: cfg.Pool}).Handle(ctx, domain.Actor{Role: domain.RoleSystem})
	creds := credentialStore{pool: cfg.Pool}
	for _, id := range ids {
		if rerr := creds.revokeUser(ctx, id); rerr != nil && err == nil {
			err = rerr
		}
	}
	return ids, err
}
