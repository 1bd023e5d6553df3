-- Projection "notes": session notes. Metadata in plaintext (ids, kind, status, times, hash);
-- bodies and addenda sealed under the client's key; search through keyed blind-index tokens of
-- the normalised words of the note, never plaintext. See 0031_read_models.sql for the conventions.

CREATE TABLE rm_notes (
    generation     integer NOT NULL,
    note_id        uuid NOT NULL,
    client_id      uuid NOT NULL,
    -- therapist_id holds the client's record now (NULL while archived); author_id wrote the note.
    therapist_id   uuid,
    author_id      uuid NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('progress', 'psychotherapy')),
    template_id    uuid NOT NULL,
    appointment_id uuid,
    status         text NOT NULL CHECK (status IN ('draft', 'signed')),
    version        integer NOT NULL,
    content_hash   text,
    -- body_sealed is the JSON of the note's fields, sealed under the client's key.
    body_sealed    bytea NOT NULL,
    addenda        integer NOT NULL DEFAULT 0,
    drafted_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    signed_at      timestamptz,
    PRIMARY KEY (note_id, generation)
);
CREATE INDEX rm_notes_client ON rm_notes (generation, client_id);

CREATE TABLE rm_note_addenda (
    generation   integer NOT NULL,
    addendum_id  uuid NOT NULL,
    note_id      uuid NOT NULL,
    client_id    uuid NOT NULL,
    therapist_id uuid,
    author_id    uuid NOT NULL,
    note_author  uuid NOT NULL,
    kind         text NOT NULL,
    text_sealed  bytea NOT NULL,
    added_at     timestamptz NOT NULL,
    PRIMARY KEY (addendum_id, generation)
);
CREATE INDEX rm_note_addenda_note ON rm_note_addenda (generation, note_id);

CREATE TABLE rm_note_tokens (
    generation   integer NOT NULL,
    note_id      uuid NOT NULL,
    client_id    uuid NOT NULL,
    therapist_id uuid,
    author_id    uuid NOT NULL,
    kind         text NOT NULL,
    token        bytea NOT NULL,
    PRIMARY KEY (note_id, token, generation)
);
CREATE INDEX rm_note_tokens_lookup ON rm_note_tokens (generation, token);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['rm_notes', 'rm_note_addenda', 'rm_note_tokens'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO caseledger_app', t);
    EXECUTE format('GRANT SELECT ON %I TO caseledger_reader', t);
    EXECUTE format('CREATE POLICY %I ON %I TO caseledger_app USING (true) WITH CHECK (true)',
                   t || '_projector', t);
  END LOOP;
END
$$;

-- A progress note is visible to the therapist who holds the record; a psychotherapy note only to
-- its author, and only while the author holds the record. Nobody else sees notes here: not
-- managers, admins, DPOs or auditors (the DPO's subject access export reads the log instead).
CREATE POLICY rm_notes_read ON rm_notes FOR SELECT TO caseledger_reader USING (
    generation = (SELECT projection_generation('notes'))
    AND caseledger_role() = 'therapist' AND therapist_id = caseledger_user_id()
    AND (kind = 'progress' OR author_id = caseledger_user_id()));
CREATE POLICY rm_note_addenda_read ON rm_note_addenda FOR SELECT TO caseledger_reader USING (
    generation = (SELECT projection_generation('notes'))
    AND caseledger_role() = 'therapist' AND therapist_id = caseledger_user_id()
    AND (kind = 'progress' OR note_author = caseledger_user_id()));
CREATE POLICY rm_note_tokens_read ON rm_note_tokens FOR SELECT TO caseledger_reader USING (
    generation = (SELECT projection_generation('notes'))
    AND caseledger_role() = 'therapist' AND therapist_id = caseledger_user_id()
    AND (kind = 'progress' OR author_id = caseledger_user_id()));
