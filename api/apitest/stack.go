// Package apitest wires the real system under the HTTP tests of api and api/web: a fresh migrated
// PostgreSQL database, the PostgreSQL event store, a test keyring, the projections engine running
// for the length of the test, and the read models' Reader. Only tests import it.
package apitest

import (
	"context"
	"log/slog"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/caseledger/caseledger/api"
	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/identity"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/pgstore"
	"github.com/caseledger/caseledger/keyring"
	"github.com/caseledger/caseledger/migrations"
	"github.com/caseledger/caseledger/migrations/pgtest"
	"github.com/caseledger/caseledger/projections"
)

// Stack is the system over one fresh database.
type Stack struct {
	Pool   *pgxpool.Pool // caseledger_app: the API's pool
	Admin  *pgxpool.Pool // the database owner, for checking what was written
	Store  *pgstore.Store
	Keys   *keyring.Keyring
	Reader *projections.Reader
}

// New builds a Stack over a new database; the projections engine stops, and the database is
// dropped, when tb ends.
func New(tb testing.TB) *Stack {
	tb.Helper()
	ctx := context.Background()
	dsn := pgtest.NewDatabase(tb)
	pool := pgtest.Pool(tb, dsn, migrations.RoleApp)
	store, err := pgstore.New(ctx, pool, pgstore.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	keys := keyring.NewForTests(tb, store)
	reader, err := projections.NewReader(pgtest.Pool(tb, dsn, migrations.RoleReader), keys)
	if err != nil {
		tb.Fatal(err)
	}
	engine, err := projections.New(projections.Config{Store: store, Pool: pool, Projectors: projections.All(keys)})
	if err != nil {
		tb.Fatal(err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = engine.Run(runCtx)
	}()
	tb.Cleanup(func() { stop(); <-done })
	return &Stack{Pool: pool, Admin: pgtest.Pool(tb, dsn, ""), Store: store, Keys: keys, Reader: reader}
}

// Config returns an api.Config over the stack, with clock and logger, that the caller may adjust
// before api.New. Its Shredder shreds through the stack's keyring.
func (s *Stack) Config(clock commands.Clock, logger *slog.Logger) api.Config {
	keys := s.Keys
	return api.Config{
		Pool: s.Pool, Log: s.Store, Streams: s.Store, Sealer: keys, Index: keys, ReadModels: s.Reader, Clock: clock,
		Shredder: commands.ShredFunc(func(ctx context.Context, subject domain.ID, o commands.ShredOrder) error {
			_, err := keys.Shred(ctx, uuid.UUID(subject), keyring.ShredRequest{
				RequestID: uuid.UUID(o.RequestID), Stream: o.Stream,
				Actor: eventstore.Actor{UserID: uuid.UUID(o.Actor.UserID), Role: string(o.Actor.Role)},
			})
			return err
		}),
		Logger: logger,
	}
}

// Identity returns the identity commands' dependencies over the stack, with clock and policy.
func (s *Stack) Identity(clock commands.Clock, policy identity.Policy) commands.IdentityDeps {
	return commands.IdentityDeps{
		Deps:      commands.Deps{Log: s.Store, Sealer: s.Keys, Clock: clock},
		Directory: api.NewUserDirectory(s.Pool),
		Index:     s.Keys,
		Hasher:    commands.DefaultPasswordHasher(),
		Policy:    policy,
	}
}

// User registers a user through the RegisterUser command, acting as the system (bootstrap), and
// returns its id; id may preset it (a client's portal account has the client's id).
func User(tb testing.TB, ident commands.IdentityDeps, role domain.Role, email, password string, id ...domain.ID) domain.ID {
	tb.Helper()
	var preset domain.ID
	if len(id) > 0 {
		preset = id[0]
	}
	uid, err := commands.NewRegisterUserHandler(ident).Handle(context.Background(),
		domain.Actor{Role: domain.RoleSystem}, commands.RegisterUser{UserID: preset, Role: role, Email: email, Password: password})
	if err != nil {
		tb.Fatal(err)
	}
	return uid
}
