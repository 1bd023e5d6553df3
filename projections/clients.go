package projections

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/domain/client"
	"github.com/caseledger/caseledger/eventstore"
)

// Clients projects each therapist's caseload (rm_clients, with the client's details sealed under
// their key), consent to treatment per service type (rm_consents) and blind-index tokens for
// finding a client by name, email or date of birth (rm_client_tokens). A record transfer moves all
// three to the new therapist; archiving leaves them with nobody; SubjectErased deletes them.
type Clients struct {
	Keys Keys
}

// Name implements Projector.
func (Clients) Name() string { return "clients" }

// Tables implements Projector.
func (Clients) Tables() []string { return []string{"rm_clients", "rm_client_tokens", "rm_consents"} }

var clientEvents = map[string]bool{
	"ClientRegistered": true, "ClientDetailsRectified": true, "ProcessingRestricted": true,
	"ProcessingRestrictionLifted": true, "ClientDischarged": true, "ClientReadmitted": true, "ConsentSigned": true,
	"ConsentWithdrawn": true, "RecordTransferred": true, "RecordArchived": true,
	"ErasureRequested": true, "ErasureRefused": true, "ErasureDeferred": true,
}

// Apply implements Projector.
func (p Clients) Apply(ctx context.Context, tx Tx, e *eventstore.RecordedEvent) error {
	if e.Type == subjectErasedType {
		subject, err := erasedSubject(e)
		if err != nil {
			return err
		}
		deleteRows(tx, subject, "rm_clients", "rm_client_tokens", "rm_consents")
		return nil
	}
	if !clientEvents[e.Type] {
		return nil
	}
	ev, erased, err := decodeClient(ctx, tx, p.Keys, e)
	if err != nil || erased {
		return err
	}
	id := e.Subject
	g := tx.Generation
	switch ev := ev.(type) {
	case client.ClientRegistered:
		id = toUUID(ev.ClientID)
		sealed, err := p.sealDetails(ctx, id, ev.Details)
		if err != nil {
			return err
		}
		therapist := toUUID(ev.TherapistID)
		if err := tx.Put(clientsTable, id, toUUID(ev.PracticeID), &therapist, string(ev.RecordKind), "active",
			false, false, sealed, ev.At, (*time.Time)(nil), ev.At); err != nil {
			return err
		}
		return p.writeTokens(ctx, tx, id, &therapist, ev.Details)
	case client.ClientDetailsRectified:
		sealed, err := p.sealDetails(ctx, id, ev.Details)
		if err != nil {
			return err
		}
		if err := updateClient(tx, id, Set{"details_sealed", sealed}, Set{"updated_at", ev.At}); err != nil {
			return err
		}
		tx.Exec(`DELETE FROM rm_client_tokens WHERE generation = $1 AND client_id = $2`, g, id)
		return p.writeTokens(ctx, tx, id, nil, ev.Details)
	case client.ProcessingRestricted:
		return updateClient(tx, id, Set{"restricted", true}, Set{"updated_at", ev.At})
	case client.ProcessingRestrictionLifted:
		return updateClient(tx, id, Set{"restricted", false}, Set{"updated_at", ev.At})
	case client.ClientDischarged:
		return updateClient(tx, id, Set{"status", "discharged"}, Set{"discharged_on", ev.EndedOn}, Set{"updated_at", ev.EndedOn})
	case client.ClientReadmitted:
		return updateClient(tx, id, Set{"status", "active"}, Set{"discharged_on", (*time.Time)(nil)}, Set{"updated_at", ev.At})
	case client.ErasureRequested:
		return updateClient(tx, id, Set{"erasure_pending", true}, Set{"updated_at", ev.At})
	case client.ErasureRefused:
		return updateClient(tx, id, Set{"erasure_pending", false}, Set{"updated_at", ev.At})
	case client.ErasureDeferred:
		return updateClient(tx, id, Set{"erasure_pending", false}, Set{"updated_at", ev.At})
	case client.ConsentSigned:
		if row, ok := tx.Pending(clientsTable, id); ok {
			// The client was registered in this batch: the consent is new, held by their therapist.
			return tx.Upsert(consentsTable, id, toUUID(ev.ServiceTypeID), row[clientsTable.index["therapist_id"]],
				"signed", ev.Version, ev.ContentHash, ev.SignedAt, (*time.Time)(nil))
		}
		tx.Exec(`INSERT INTO rm_consents (generation, client_id, service_type_id, therapist_id,
			status, version, content_hash, signed_at)
			SELECT $1, $2, $3, c.therapist_id, 'signed', $4, $5, $6
			  FROM rm_clients c WHERE c.generation = $1 AND c.client_id = $2
			ON CONFLICT (generation, client_id, service_type_id) DO UPDATE
			   SET status = 'signed', version = EXCLUDED.version, content_hash = EXCLUDED.content_hash,
			       signed_at = EXCLUDED.signed_at, withdrawn_at = NULL`,
			g, id, toUUID(ev.ServiceTypeID), ev.Version, ev.ContentHash, ev.SignedAt)
	case client.ConsentWithdrawn:
		tx.Exec(`UPDATE rm_consents SET status = 'withdrawn', withdrawn_at = $4
			WHERE generation = $1 AND client_id = $2 AND service_type_id = $3`, g, id, toUUID(ev.ServiceTypeID), ev.At)
	case client.RecordTransferred:
		moveClient(tx, id, toUUID(ev.To))
		tx.ExecOne(`UPDATE rm_clients SET status = CASE WHEN status = 'archived' THEN 'active' ELSE status END,
			updated_at = $3 WHERE generation = $1 AND client_id = $2`, g, id, ev.At)
	case client.RecordArchived:
		moveClient(tx, id, uuid.Nil)
		return updateClient(tx, id, Set{"status", "archived"}, Set{"updated_at", ev.At})
	}
	return nil
}

// clientsTable, clientTokensTable and consentsTable are the tables for keyed writes.
var (
	clientsTable = NewRowTable("rm_clients", 1, "client_id", "practice_id", "therapist_id", "record_kind",
		"status", "restricted", "erasure_pending", "details_sealed", "registered_at", "discharged_on", "updated_at")
	clientTokensTable = NewRowTable("rm_client_tokens", 3, "client_id", "purpose", "token", "therapist_id")
	consentsTable     = NewRowTable("rm_consents", 2, "client_id", "service_type_id", "therapist_id", "status",
		"version", "content_hash", "signed_at", "withdrawn_at")
)

// sealDetails seals the JSON of d under the client's key, bound to rm_clients.details_sealed.
func (p Clients) sealDetails(ctx context.Context, id uuid.UUID, d client.Details) ([]byte, error) {
	plain, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	return p.Keys.SealValue(ctx, id, plain, fieldAD("rm_clients", id, "details_sealed"))
}

// writeTokens queues the blind-index tokens of a client's names, email and date of birth, held by
// therapist, or when therapist is nil by whoever holds the client's rm_clients row.
func (p Clients) writeTokens(ctx context.Context, tx Tx, id uuid.UUID, therapist *uuid.UUID, d client.Details) error {
	type tok struct{ kind, value string }
	var toks []tok
	seen := map[tok]bool{}
	add := func(t tok) {
		if !seen[t] {
			seen[t] = true
			toks = append(toks, t)
		}
	}
	for _, n := range []string{d.GivenName, d.FamilyName, d.PreferredName} {
		for _, w := range normalisedWords(n) {
			add(tok{tokenName, w})
		}
	}
	if d.Email != "" {
		add(tok{tokenEmail, normaliseEmail(d.Email)})
	}
	if d.DateOfBirth != "" {
		add(tok{tokenDOB, d.DateOfBirth})
	}
	kinds, tokens := make([]string, len(toks)), make([]int64, len(toks))
	for i, t := range toks {
		token, err := clientToken(ctx, p.Keys, t.kind, t.value)
		if err != nil {
			return err
		}
		kinds[i], tokens[i] = t.kind, token
	}
	if len(toks) == 0 {
		return nil
	}
	if therapist != nil {
		for i := range toks {
			if err := tx.Put(clientTokensTable, id, kinds[i], tokens[i], therapist); err != nil {
				return err
			}
		}
		return nil
	}
	tx.Exec(`INSERT INTO rm_client_tokens (generation, client_id, therapist_id, purpose, token)
		SELECT $1, $2, c.therapist_id, t.purpose, t.token
		  FROM rm_clients c, unnest($3::text[], $4::bigint[]) AS t(purpose, token)
		 WHERE c.generation = $1 AND c.client_id = $2
		ON CONFLICT DO NOTHING`, tx.Generation, id, kinds, tokens)
	return nil
}

// updateClient queues set on the client's rm_clients row, which must exist: every client event
// follows ClientRegistered.
func updateClient(tx Tx, id uuid.UUID, set ...Set) error {
	return tx.Update(clientsTable, []any{id}, set...)
}

// moveClient gives the client's rows to therapist (nobody when uuid.Nil).
func moveClient(tx Tx, id, therapist uuid.UUID) {
	for _, t := range []string{"rm_clients", "rm_client_tokens", "rm_consents"} {
		tx.ExecByClient(t, `UPDATE `+t+` SET therapist_id = $3 WHERE generation = $1 AND client_id = $2`, tx.Generation, id, nullID(therapist))
	}
}

// deleteRows queues the deletion of every row of subject (column client_id) of tx's generation
// from tables.
func deleteRows(tx Tx, subject uuid.UUID, tables ...string) {
	for _, t := range tables {
		tx.ExecByClient(t, `DELETE FROM `+t+` WHERE generation = $1 AND client_id = $2`, tx.Generation, subject)
	}
}

// nullID is nil for uuid.Nil, so it is stored as NULL.
func nullID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}
