package projections_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/sar"
	"github.com/caseledger/caseledger/migrations/pgtest"
)

// TestOpenErasureRequests checks the DPO's queue: a client whose last erasure event is a request
// is listed with the request's time and a one-month due date, oldest first; clients whose request
// was refused, deferred or approved are not; only the DPO may read it; and the query uses the
// partial index of erasure events.
func TestOpenErasureRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	th := newID()
	dpo := domain.Actor{UserID: newID(), Role: domain.RoleDPO}
	clients := make([]domain.ID, 5)
	for i := range clients {
		clients[i] = e.registerClient(t, th, clientDetails("Given", "Family", "c@example.org", "1980-02-03", ""))
	}
	first, refused, deferred, approved, askedAgain := clients[0], clients[1], clients[2], clients[3], clients[4]
	request := func(c domain.ID) domain.ID {
		id := newID()
		e.emit(t, "client-"+c.String(), c, domain.Actor{UserID: c, Role: domain.RoleClient}, client.ErasureRequested{RequestID: id, By: domain.RoleClient, At: at})
		return id
	}
	decide := func(c domain.ID, ev domain.Event) { e.emit(t, "client-"+c.String(), c, dpo, ev) }

	request(first)
	decide(refused, client.ErasureRefused{RequestID: request(refused), Exemption: client.ExemptLegalClaims, At: at})
	decide(deferred, client.ErasureDeferred{RequestID: request(deferred), Until: at.AddDate(8, 0, 0), At: at})
	decide(approved, client.ErasureApproved{RequestID: request(approved), At: at})
	decide(askedAgain, client.ErasureRefused{RequestID: request(askedAgain), Exemption: client.ExemptLegalClaims, At: at})
	request(askedAgain)
	catchUp(t, e.dsn, e.engine)

	got, err := e.reader.OpenErasureRequests(ctx, dpo)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ClientID != first || got[1].ClientID != askedAgain || got[0].RequestedAt.After(got[1].RequestedAt) ||
		got[0].DueBy != sar.DateOf(got[0].RequestedAt).AddMonths(1) {
		t.Fatalf("open requests %+v; want the first client's, then the one asked again after a refusal", got)
	}
	for _, role := range []domain.Role{domain.RoleTherapist, domain.RoleAuditor, domain.RolePracticeManager} {
		_, err := e.reader.OpenErasureRequests(ctx, domain.Actor{UserID: th, Role: role})
		var de *domain.Error
		if !errors.As(err, &de) || de.Code != "dpo_only" {
			t.Errorf("%s reading the erasure queue: %v; want dpo_only", role, err)
		}
	}

	// The queue's scan is one of the partial index (with sequential scans off, as on a large trail).
	admin := pgtest.Pool(t, e.dsn, "")
	tx, err := admin.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	var gen int
	if err := tx.QueryRow(ctx, `SELECT generation FROM projection_checkpoints WHERE name = 'audit' AND active`).Scan(&gen); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	var plan string
	if err := tx.QueryRow(ctx, `EXPLAIN (FORMAT JSON) SELECT DISTINCT ON (subject_id) subject_id FROM rm_audit_trail
		WHERE generation = $1
		  AND event_type IN ('ErasureRequested', 'ErasureApproved', 'ErasureRefused', 'ErasureDeferred', 'SubjectErased')
		  AND subject_id IS NOT NULL ORDER BY subject_id, seq DESC`, gen).Scan(&plan); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("rm_audit_trail_g%d_erasure", gen); !strings.Contains(plan, want) {
		t.Errorf("the erasure queue's plan does not use %s:\n%s", want, plan)
	}
}
