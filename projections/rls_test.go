package projections_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/domain/note"
	"github.com/caseledger/caseledger/migrations"
	"github.com/caseledger/caseledger/migrations/pgtest"
)

// seeded is a practice with two therapists, each holding clients with consents, appointments and
// audited reads, projected.
type seeded struct {
	e                  *env
	a, b               domain.ID
	aClients, bClients []domain.ID
}

func seed(tb testing.TB) *seeded {
	tb.Helper()
	e := newEnv(tb)
	s := &seeded{e: e, a: newID(), b: newID()}
	service := newID()
	for i, t := range []domain.ID{s.a, s.b} {
		for j := range 2 {
			c := e.registerClient(tb, t, client.Details{GivenName: fmt.Sprintf("Quintessa%d%d", i, j), FamilyName: "Vandersloot",
				DateOfBirth: "1975-06-0" + fmt.Sprint(j+1), Email: fmt.Sprintf("q%d%d@example.org", i, j)})
			e.emit(tb, "client-"+c.String(), c, therapist(t), client.ConsentSigned{ServiceTypeID: service, Version: 1,
				ContentHash: "h", Method: client.SignedInPerson, Signer: client.SignerClient, SignedAt: at, At: at})
			e.book(tb, t, c, service, at.Add(time.Duration(24*(j+1))*time.Hour), "Room 4")
			e.emit(tb, "client-"+c.String(), c, therapist(t), client.RecordAccessed{By: therapist(t), What: "record", Purpose: "treatment", At: at})
			progress := e.draftNote(tb, t, c, note.KindProgress, "Discussed sleep hygiene and the Marrowfield incident")
			e.emit(tb, "notes-"+c.String(), c, therapist(t), note.NoteSigned{NoteID: progress, SignedBy: t, ContentHash: "h", At: at})
			e.emit(tb, "notes-"+c.String(), c, therapist(t), note.NoteAddendumAdded{NoteID: progress, AddendumID: newID(), AuthorID: t,
				Text: "Corrected: the Ravensworth incident", At: at})
			e.draftNote(tb, t, c, note.KindPsychotherapy, "Private impressions about transference")
			if i == 0 {
				s.aClients = append(s.aClients, c)
			} else {
				s.bClients = append(s.bClients, c)
			}
		}
	}
	// B reads one of A's clients (break-glass): A must see that access in the audit trail.
	c := s.aClients[0]
	e.emit(tb, "client-"+c.String(), c, therapist(s.b), client.RecordAccessed{By: therapist(s.b), What: "record", Purpose: "emergency", At: at})
	catchUp(tb, e.dsn, e.engine)
	return s
}

// rowsAs returns every row of table as actor sees it through caseledger_reader, with no WHERE.
func rowsAs(tb testing.TB, pool *pgxpool.Pool, actor domain.Actor, table string) ([]map[string]any, error) {
	tb.Helper()
	var out []map[string]any
	err := pgx.BeginFunc(context.Background(), pool, func(tx pgx.Tx) error {
		if actor.Role != "" {
			if _, err := tx.Exec(context.Background(), `SELECT set_config('caseledger.user_id', $1, true),
				set_config('caseledger.role', $2, true)`, actor.UserID.String(), string(actor.Role)); err != nil {
				return err
			}
		}
		rows, err := tx.Query(context.Background(), `SELECT to_jsonb(x) FROM `+pgx.Identifier{table}.Sanitize()+` x`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m map[string]any
			if err := rows.Scan(&m); err != nil {
				return err
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	return out, err
}

// TestRowLevelSecurityOnEveryReadModelTable lists the tables from the catalogue, so a new table
// without a policy fails: every read-model table forces row-level security; every table the read
// role may select from returns only therapist A's rows to A (with no WHERE clause), nothing
// clinical to a practice manager, and nothing to a request with no identity. Partitions are read
// through their parent only: every partition must force row-level security and grant nothing to
// caseledger_reader or caseledger_app, so a partition created other than by the checkpoint trigger
// fails.
func TestRowLevelSecurityOnEveryReadModelTable(t *testing.T) {
	t.Parallel()
	s := seed(t)
	ctx := context.Background()
	admin := pgtest.Pool(t, s.e.dsn, "")

	rows, err := admin.Query(ctx, `SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition
		  AND (EXISTS (SELECT 1 FROM information_schema.columns i WHERE i.table_schema = 'public'
		               AND i.table_name = c.relname AND i.column_name = 'generation'
		               AND c.relname <> 'projection_checkpoints')
		       OR has_table_privilege('caseledger_reader', c.oid, 'SELECT'))
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	type table struct {
		name        string
		rls, forced bool
	}
	var tables []table
	for rows.Next() {
		var tb table
		if err := rows.Scan(&tb.name, &tb.rls, &tb.forced); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, tb)
	}
	rows.Close()
	if len(tables) < 7 {
		t.Fatalf("found only %d read-model tables: %v", len(tables), tables)
	}

	mine := map[string]bool{}
	for _, c := range s.aClients {
		mine[c.String()] = true
	}
	a := s.a.String()
	ownedByA := func(r map[string]any) bool { return r["therapist_id"] == a }
	// What therapist A may see of each table. A table missing here fails the test: decide its
	// policy and say here what A's rows are.
	visibleToA := map[string]func(map[string]any) bool{
		"rm_clients":           ownedByA,
		"rm_client_tokens":     ownedByA,
		"rm_consents":          ownedByA,
		"rm_appointments":      ownedByA,
		"rm_practice_sessions": ownedByA,
		"rm_audit_caseload":    ownedByA,
		"rm_notes":             ownedByA,
		"rm_note_addenda":      ownedByA,
		"rm_audit_trail": func(r map[string]any) bool {
			s, _ := r["subject_id"].(string)
			return r["actor_id"] == a || mine[s]
		},
	}
	managerSees := map[string]bool{"rm_practice_sessions": true}

	reader := pgtest.Pool(t, s.e.dsn, migrations.RoleReader)
	therapistA := therapist(s.a)
	manager := domain.Actor{UserID: newID(), Role: domain.RolePracticeManager}
	for _, tb := range tables {
		t.Run(tb.name, func(t *testing.T) {
			if !tb.rls || !tb.forced {
				t.Errorf("row-level security enabled=%v forced=%v; want both", tb.rls, tb.forced)
			}
			readable := false
			if err := admin.QueryRow(ctx, `SELECT has_table_privilege('caseledger_reader', $1, 'SELECT')`, tb.name).Scan(&readable); err != nil {
				t.Fatal(err)
			}
			if !readable {
				if _, err := rowsAs(t, reader, therapistA, tb.name); err == nil {
					t.Error("caseledger_reader has no grant, yet selecting succeeded")
				}
				return
			}
			rule, ok := visibleToA[tb.name]
			if !ok {
				t.Fatalf("the read role can select from %s but this test does not know whose rows it holds", tb.name)
			}
			got, err := rowsAs(t, reader, therapistA, tb.name)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 {
				t.Fatal("therapist A sees no row at all; the seed should give A some")
			}
			for _, r := range got {
				if !rule(r) {
					t.Errorf("therapist A sees a row that is not theirs: %v", r)
				}
			}
			all, err := rowsAs(t, admin, domain.Actor{}, tb.name)
			if err != nil {
				t.Fatal(err)
			}
			if len(all) <= len(got) {
				t.Errorf("A sees %d of %d rows: the seed should hold rows A may not see", len(got), len(all))
			}
			mgr, err := rowsAs(t, reader, manager, tb.name)
			if err != nil {
				t.Fatal(err)
			}
			if managerSees[tb.name] != (len(mgr) > 0) {
				t.Errorf("practice manager sees %d rows; want rows=%v", len(mgr), managerSees[tb.name])
			}
			anon, err := rowsAs(t, reader, domain.Actor{}, tb.name)
			if err != nil {
				t.Fatal(err)
			}
			if len(anon) != 0 {
				t.Errorf("a request with no identity sees %d rows", len(anon))
			}
		})
	}

	t.Run("partitions", func(t *testing.T) {
		rows, err := admin.Query(ctx, `SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
			       has_table_privilege(r.rolname, c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
			       OR has_any_column_privilege(r.rolname, c.oid, 'SELECT, INSERT, UPDATE, REFERENCES'),
			       r.rolname
			FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			CROSS JOIN (VALUES ('caseledger_reader'), ('caseledger_app')) AS r (rolname)
			WHERE n.nspname = 'public' AND c.relispartition AND c.relkind IN ('r', 'p')
			ORDER BY 1, 5`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		found := 0
		for rows.Next() {
			var name, role string
			var rls, forced, privileged bool
			if err := rows.Scan(&name, &rls, &forced, &privileged, &role); err != nil {
				t.Fatal(err)
			}
			found++
			if !rls || !forced {
				t.Errorf("partition %s: row-level security enabled=%v forced=%v; want both", name, rls, forced)
			}
			if privileged {
				t.Errorf("partition %s: %s holds a privilege on it; it must read and write through the parent", name, role)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if found == 0 {
			t.Fatal("no partition found: the seed's read models should have some")
		}
	})
}
