package projections

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/client"
)

// ClientRecord is a client as the clients read model holds it, with the details opened.
type ClientRecord struct {
	ClientID    domain.ID
	PracticeID  domain.ID
	TherapistID domain.ID // zero while the record is archived
	RecordKind  string
	Status      string // active, discharged or archived
	Restricted  bool
	// ErasurePending is true between an erasure request and the DPO's decision.
	ErasurePending bool
	Details        client.Details
	RegisteredAt   time.Time
	DischargedOn   time.Time // zero unless discharged
}

// ClientQuery finds clients by exact values. Every non-empty field must match. Name matches when
// every word of it is one of the words of the client's given, family or preferred name (case
// insensitive); Email ignores case and surrounding spaces; DateOfBirth is YYYY-MM-DD.
type ClientQuery struct {
	Name        string
	Email       string
	DateOfBirth string
}

const clientColumns = `client_id, practice_id, therapist_id, record_kind, status, restricted,
	erasure_pending, details_sealed, registered_at, discharged_on`

// Clients returns the clients the actor may see (a therapist: those whose record they hold; the
// DPO: every client), sorted by family then given name.
func (r *Reader) Clients(ctx context.Context, actor domain.Actor) ([]ClientRecord, error) {
	return r.readClients(ctx, actor, `SELECT `+clientColumns+` FROM rm_clients`)
}

// Client returns one client, or a NotFound error when it does not exist or the actor may not see it.
func (r *Reader) Client(ctx context.Context, actor domain.Actor, id domain.ID) (ClientRecord, error) {
	out, err := r.readClients(ctx, actor, `SELECT `+clientColumns+` FROM rm_clients WHERE client_id = $1`, toUUID(id))
	if err != nil {
		return ClientRecord{}, err
	}
	if len(out) == 0 {
		return ClientRecord{}, domain.NotFound("client", id)
	}
	return out[0], nil
}

// FindClients returns the clients the actor may see that match q, sorted like Clients, through
// blind-index tokens: no plaintext is compared in the database. An empty query is invalid.
func (r *Reader) FindClients(ctx context.Context, actor domain.Actor, q ClientQuery) ([]ClientRecord, error) {
	type want struct {
		kind   string
		tokens []int64
	}
	var wants []want
	add := func(kind string, values []string) error {
		w := want{kind: kind}
		for _, v := range values {
			t, err := clientToken(ctx, r.keys, kind, v)
			if err != nil {
				return err
			}
			w.tokens = append(w.tokens, t)
		}
		// Distinct: a client matches when it has every one of them (a word repeated in the query
		// must not ask for a second token the client cannot have).
		slices.Sort(w.tokens)
		w.tokens = slices.Compact(w.tokens)
		wants = append(wants, w)
		return nil
	}
	if words := normalisedWords(q.Name); len(words) > 0 {
		if err := add(tokenName, words); err != nil {
			return nil, err
		}
	}
	if e := normaliseEmail(q.Email); e != "" {
		if err := add(tokenEmail, []string{e}); err != nil {
			return nil, err
		}
	}
	if d := strings.TrimSpace(q.DateOfBirth); d != "" {
		if err := add(tokenDOB, []string{d}); err != nil {
			return nil, err
		}
	}
	if len(wants) == 0 {
		return nil, domain.Invalid("query", "give a name, an email or a date of birth")
	}
	sql := `SELECT ` + clientColumns + ` FROM rm_clients c WHERE true`
	var args []any
	for _, w := range wants {
		args = append(args, w.kind, w.tokens)
		sql += fmt.Sprintf(` AND c.client_id IN (SELECT t.client_id FROM rm_client_tokens t
			WHERE t.purpose = $%d AND t.token = ANY($%d) GROUP BY t.client_id
			HAVING count(DISTINCT t.token) = cardinality($%d::bigint[]))`, len(args)-1, len(args), len(args))
	}
	return r.readClients(ctx, actor, sql, args...)
}

// readClients reads rows of clientColumns as actor, opens every row's details and sorts the result.
func (r *Reader) readClients(ctx context.Context, actor domain.Actor, sql string, args ...any) ([]ClientRecord, error) {
	var out []ClientRecord
	err := r.read(ctx, actor, readQuery{what: "clients", sql: sql, args: args, row: func(rows pgx.Rows) error {
		var (
			c            ClientRecord
			id, practice uuid.UUID
			therapist    *uuid.UUID
			sealed       []byte
			dischargedOn *time.Time
		)
		if err := rows.Scan(&id, &practice, &therapist, &c.RecordKind, &c.Status, &c.Restricted,
			&c.ErasurePending, &sealed, &c.RegisteredAt, &dischargedOn); err != nil {
			return err
		}
		c.ClientID, c.PracticeID = domain.ID(id), domain.ID(practice)
		if therapist != nil {
			c.TherapistID = domain.ID(*therapist)
		}
		if dischargedOn != nil {
			c.DischargedOn = *dischargedOn
		}
		plain, err := r.keys.OpenValue(ctx, id, sealed, fieldAD("rm_clients", id, "details_sealed"))
		if err != nil {
			return fmt.Errorf("projections: open details of client %s: %w", id, err)
		}
		if err := json.Unmarshal(plain, &c.Details); err != nil {
			return fmt.Errorf("projections: details of client %s do not decode", id)
		}
		out = append(out, c)
		return nil
	}})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Details, out[j].Details
		if fa, fb := strings.ToLower(a.FamilyName), strings.ToLower(b.FamilyName); fa != fb {
			return fa < fb
		}
		if ga, gb := strings.ToLower(a.GivenName), strings.ToLower(b.GivenName); ga != gb {
			return ga < gb
		}
		return out[i].ClientID.String() < out[j].ClientID.String()
	})
	return out, nil
}

// Consent is a client's consent to treatment for one service type, as last signed or withdrawn.
type Consent struct {
	ClientID      domain.ID
	ServiceTypeID domain.ID
	Status        string // signed or withdrawn
	Version       int
	ContentHash   string
	SignedAt      time.Time
	WithdrawnAt   time.Time // zero unless withdrawn
}

// Consents returns the consents of one client the actor may see, by service type id; an empty
// list when there are none or the client is not visible.
func (r *Reader) Consents(ctx context.Context, actor domain.Actor, clientID domain.ID) ([]Consent, error) {
	var out []Consent
	err := r.read(ctx, actor, consentsQuery(clientID, &out))
	return out, err
}

// ClientConsents is Consents of a client the actor must be able to see: a NotFound error when the
// client does not exist or is not visible to the actor, learnt in the same round trip.
func (r *Reader) ClientConsents(ctx context.Context, actor domain.Actor, clientID domain.ID) ([]Consent, error) {
	visible := false
	var out []Consent
	err := r.read(ctx, actor, readQuery{what: "client", sql: `SELECT true FROM rm_clients WHERE client_id = $1`,
		args: []any{toUUID(clientID)}, row: func(pgx.Rows) error {
			visible = true
			return nil
		}}, consentsQuery(clientID, &out))
	if err != nil {
		return nil, err
	}
	if !visible {
		return nil, domain.NotFound("client", clientID)
	}
	return out, nil
}

// consentsQuery reads the consents of a client into out, by service type id.
func consentsQuery(clientID domain.ID, out *[]Consent) readQuery {
	return readQuery{what: "consents", sql: `SELECT client_id, service_type_id, status, version,
		content_hash, signed_at, withdrawn_at FROM rm_consents WHERE client_id = $1 ORDER BY service_type_id`,
		args: []any{toUUID(clientID)}, row: func(rows pgx.Rows) error {
			var c Consent
			var cid, st uuid.UUID
			var withdrawn *time.Time
			if err := rows.Scan(&cid, &st, &c.Status, &c.Version, &c.ContentHash, &c.SignedAt, &withdrawn); err != nil {
				return err
			}
			c.ClientID, c.ServiceTypeID = domain.ID(cid), domain.ID(st)
			if withdrawn != nil {
				c.WithdrawnAt = *withdrawn
			}
			*out = append(*out, c)
			return nil
		}}
}
