package projections

import (
	"context"
	"encoding/json"
	"fmt"

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
	"ProcessingRestrictionLifted": true, "ClientDischarged": true, "ConsentSigned": true,
	"ConsentWithdrawn": true, "RecordTransferred": true, "RecordArchived": true,
	"ErasureRequested": true, "ErasureRefused": true, "ErasureDeferred": true,
}

// Apply implements Projector.
func (p Clients) Apply(ctx context.Context, tx Tx, e eventstore.RecordedEvent) error {
	if e.Type == subjectErasedType {
		subject, err := erasedSubject(e)
		if err != nil {
			return err
		}
		return deleteRows(ctx, tx, subject, "rm_clients", "rm_client_tokens", "rm_consents")
	}
	if !clientEvents[e.Type] {
		return nil
	}
	ev, erased, err := decodeClient(ctx, p.Keys, e)
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
		if _, err := tx.Exec(ctx, `INSERT INTO rm_clients (generation, client_id, practice_id, therapist_id,
			record_kind, status, details_sealed, registered_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, $7)`,
			g, id, toUUID(ev.PracticeID), toUUID(ev.TherapistID), string(ev.RecordKind), sealed, ev.At); err != nil {
			return err
		}
		return p.writeTokens(ctx, tx, id, toUUID(ev.TherapistID), ev.Details)
	case client.ClientDetailsRectified:
		sealed, err := p.sealDetails(ctx, id, ev.Details)
		if err != nil {
			return err
		}
		var therapist *uuid.UUID
		if err := tx.QueryRow(ctx, `UPDATE rm_clients SET details_sealed = $3, updated_at = $4
			WHERE generation = $1 AND client_id = $2 RETURNING therapist_id`, g, id, sealed, ev.At).Scan(&therapist); err != nil {
			return fmt.Errorf("rectify client %s: %w", id, err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM rm_client_tokens WHERE generation = $1 AND client_id = $2`, g, id); err != nil {
			return err
		}
		var t uuid.UUID
		if therapist != nil {
			t = *therapist
		}
		return p.writeTokens(ctx, tx, id, t, ev.Details)
	case client.ProcessingRestricted:
		return updateClient(ctx, tx, id, `restricted = true, updated_at = $3`, ev.At)
	case client.ProcessingRestrictionLifted:
		return updateClient(ctx, tx, id, `restricted = false, updated_at = $3`, ev.At)
	case client.ClientDischarged:
		return updateClient(ctx, tx, id, `status = 'discharged', discharged_on = $3, updated_at = $3`, ev.EndedOn)
	case client.ErasureRequested:
		return updateClient(ctx, tx, id, `erasure_pending = true, updated_at = $3`, ev.At)
	case client.ErasureRefused:
		return updateClient(ctx, tx, id, `erasure_pending = false, updated_at = $3`, ev.At)
	case client.ErasureDeferred:
		return updateClient(ctx, tx, id, `erasure_pending = false, updated_at = $3`, ev.At)
	case client.ConsentSigned:
		_, err := tx.Exec(ctx, `INSERT INTO rm_consents (generation, client_id, service_type_id, therapist_id,
			status, version, content_hash, signed_at)
			SELECT $1, $2, $3, c.therapist_id, 'signed', $4, $5, $6
			  FROM rm_clients c WHERE c.generation = $1 AND c.client_id = $2
			ON CONFLICT (generation, client_id, service_type_id) DO UPDATE
			   SET status = 'signed', version = EXCLUDED.version, content_hash = EXCLUDED.content_hash,
			       signed_at = EXCLUDED.signed_at, withdrawn_at = NULL`,
			g, id, toUUID(ev.ServiceTypeID), ev.Version, ev.ContentHash, ev.SignedAt)
		return err
	case client.ConsentWithdrawn:
		_, err := tx.Exec(ctx, `UPDATE rm_consents SET status = 'withdrawn', withdrawn_at = $4
			WHERE generation = $1 AND client_id = $2 AND service_type_id = $3`, g, id, toUUID(ev.ServiceTypeID), ev.At)
		return err
	case client.RecordTransferred:
		if err := moveClient(ctx, tx, id, toUUID(ev.To)); err != nil {
			return err
		}
		return updateClient(ctx, tx, id, `status = CASE WHEN status = 'archived' THEN 'active' ELSE status END, updated_at = $3`, ev.At)
	case client.RecordArchived:
		if err := moveClient(ctx, tx, id, uuid.Nil); err != nil {
			return err
		}
		return updateClient(ctx, tx, id, `status = 'archived', updated_at = $3`, ev.At)
	}
	return nil
}

// sealDetails seals the JSON of d under the client's key, bound to rm_clients.details_sealed.
func (p Clients) sealDetails(ctx context.Context, id uuid.UUID, d client.Details) ([]byte, error) {
	plain, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	return p.Keys.SealValue(ctx, id, plain, fieldAD("rm_clients", id, "details_sealed"))
}

// writeTokens inserts the blind-index tokens of a client's names, email and date of birth.
func (p Clients) writeTokens(ctx context.Context, tx Tx, id, therapist uuid.UUID, d client.Details) error {
	type tok struct{ kind, value string }
	var toks []tok
	for _, n := range []string{d.GivenName, d.FamilyName, d.PreferredName} {
		for _, w := range nameWords(n) {
			toks = append(toks, tok{tokenName, w})
		}
	}
	if d.Email != "" {
		toks = append(toks, tok{tokenEmail, normaliseEmail(d.Email)})
	}
	if d.DateOfBirth != "" {
		toks = append(toks, tok{tokenDOB, d.DateOfBirth})
	}
	for _, t := range toks {
		token, err := clientToken(ctx, p.Keys, t.kind, t.value)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO rm_client_tokens (generation, client_id, therapist_id, purpose, token)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, tx.Generation, id, nullID(therapist), t.kind, token); err != nil {
			return err
		}
	}
	return nil
}

// updateClient applies set (whose $3 is arg) to the client's rm_clients row; a missing row is an
// error, since every client event follows ClientRegistered.
func updateClient(ctx context.Context, tx Tx, id uuid.UUID, set string, arg any) error {
	tag, err := tx.Exec(ctx, `UPDATE rm_clients SET `+set+` WHERE generation = $1 AND client_id = $2`, tx.Generation, id, arg)
	if err != nil {
		return err
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("client %s has no rm_clients row", id)
	}
	return nil
}

// moveClient gives the client's rows to therapist (nobody when uuid.Nil).
func moveClient(ctx context.Context, tx Tx, id, therapist uuid.UUID) error {
	for _, t := range []string{"rm_clients", "rm_client_tokens", "rm_consents"} {
		if _, err := tx.Exec(ctx, `UPDATE `+t+` SET therapist_id = $3 WHERE generation = $1 AND client_id = $2`,
			tx.Generation, id, nullID(therapist)); err != nil {
			return err
		}
	}
	return nil
}

// deleteRows deletes every row of subject (column client_id) of tx's generation from tables.
func deleteRows(ctx context.Context, tx Tx, subject uuid.UUID, tables ...string) error {
	for _, t := range tables {
		if _, err := tx.Exec(ctx, `DELETE FROM `+t+` WHERE generation = $1 AND client_id = $2`, tx.Generation, subject); err != nil {
			return err
		}
	}
	return nil
}

// nullID is nil for uuid.Nil, so it is stored as NULL.
func nullID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}
