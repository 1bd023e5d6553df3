-- Read models partitioned by generation: every rm_* table is PARTITION BY LIST (generation) with one
-- partition per generation, <table>_g<generation>. The partitions of a projector's tables (listed in
-- projection_tables) are created when a checkpoint row of that generation is inserted into
-- projection_checkpoints and dropped when it is deleted, so retiring a generation after a rebuild is
-- a DROP TABLE: no DELETE of its rows, no dead tuples left for later updates to wade through.
--
-- Read models are derived data. This migration drops the tables of 0031_read_models.sql and
-- 0032_notes.sql (their columns, defaults, CHECKs, keys, indexes, grants, row-level security and
-- policies are recreated below exactly as there) and deletes every checkpoint: EVERY PROJECTOR
-- REPLAYS THE WHOLE LOG ON ITS NEXT RUN (the engine recreates generation 1 and fills it).
--
-- The tables and the trigger functions are owned by caseledger_owner. Requests and projectors read
-- and write through the parent tables only, whose grants and policies apply; a partition has no
-- grant for caseledger_app, caseledger_reader or PUBLIC and forces row-level security with no
-- policy, so nobody but a superuser reads it directly.

DROP TABLE rm_clients, rm_client_tokens, rm_consents, rm_appointments, rm_practice_sessions,
           rm_practice_session_subjects, rm_audit_trail, rm_audit_caseload,
           rm_notes, rm_note_addenda, rm_note_tokens;

-- The checkpoints of the dropped rows. Deleted before the triggers below exist: there is no
-- partition to drop yet.
DELETE FROM projection_checkpoints;

-- Projection "clients": each therapist's caseload, consents and search tokens.
CREATE TABLE rm_clients (
    generation      integer NOT NULL,
    client_id       uuid NOT NULL,
    practice_id     uuid NOT NULL,
    -- therapist_id is NULL while the record is archived (held by nobody until the DPO transfers it).
    therapist_id    uuid,
    record_kind     text NOT NULL,
    status          text NOT NULL CHECK (status IN ('active', 'discharged', 'archived')),
    restricted      boolean NOT NULL DEFAULT false,
    erasure_pending boolean NOT NULL DEFAULT false,
    -- details_sealed is the JSON of client.Details sealed under the client's key.
    details_sealed  bytea NOT NULL,
    registered_at   timestamptz NOT NULL,
    discharged_on   timestamptz,
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (client_id, generation)
) PARTITION BY LIST (generation);
CREATE INDEX rm_clients_therapist ON rm_clients (generation, therapist_id);

-- Keyed blind-index tokens for finding a client by name, email or date of birth.
CREATE TABLE rm_client_tokens (
    generation   integer NOT NULL,
    client_id    uuid NOT NULL,
    therapist_id uuid,
    purpose      text NOT NULL CHECK (purpose IN ('name', 'email', 'dob')),
    token        bytea NOT NULL,
    PRIMARY KEY (client_id, purpose, token, generation)
) PARTITION BY LIST (generation);
CREATE INDEX rm_client_tokens_lookup ON rm_client_tokens (generation, purpose, token);

-- Consent to treatment per client and service type (the latest signature or withdrawal).
CREATE TABLE rm_consents (
    generation      integer NOT NULL,
    client_id       uuid NOT NULL,
    service_type_id uuid NOT NULL,
    therapist_id    uuid,
    status          text NOT NULL CHECK (status IN ('signed', 'withdrawn')),
    version         integer NOT NULL,
    content_hash    text NOT NULL,
    signed_at       timestamptz NOT NULL,
    withdrawn_at    timestamptz,
    PRIMARY KEY (client_id, service_type_id, generation)
) PARTITION BY LIST (generation);

-- Projection "appointments": each therapist's appointments and calendar.
CREATE TABLE rm_appointments (
    generation         integer NOT NULL,
    appointment_id     uuid NOT NULL,
    therapist_id       uuid NOT NULL,
    client_id          uuid NOT NULL,
    service_type_id    uuid NOT NULL,
    series_id          uuid,
    starts_at          timestamptz NOT NULL,
    ends_at            timestamptz NOT NULL,
    status             text NOT NULL,
    booked_by          text NOT NULL,
    -- location_sealed and video_link_sealed are sealed under the client's key; NULL when empty.
    location_sealed    bytea,
    video_link_sealed  bytea,
    fee_minor          bigint,
    fee_currency       text,
    updated_at         timestamptz NOT NULL,
    PRIMARY KEY (appointment_id, generation)
) PARTITION BY LIST (generation);
CREATE INDEX rm_appointments_calendar ON rm_appointments (generation, therapist_id, starts_at);
CREATE INDEX rm_appointments_client ON rm_appointments (generation, client_id);

-- Projection "practice_reports": what practice managers see. No client id, no clinical content.
CREATE TABLE rm_practice_sessions (
    generation      integer NOT NULL,
    appointment_id  uuid NOT NULL,
    therapist_id    uuid NOT NULL,
    service_type_id uuid NOT NULL,
    starts_at       timestamptz NOT NULL,
    minutes         integer NOT NULL,
    status          text NOT NULL,
    fee_minor       bigint,
    fee_currency    text,
    PRIMARY KEY (appointment_id, generation)
) PARTITION BY LIST (generation);
CREATE INDEX rm_practice_sessions_week ON rm_practice_sessions (generation, starts_at);

-- The client of each session, so that erasure can delete the client's sessions. Only the projector
-- reads it: no request role has a grant on it.
CREATE TABLE rm_practice_session_subjects (
    generation     integer NOT NULL,
    appointment_id uuid NOT NULL,
    client_id      uuid NOT NULL,
    PRIMARY KEY (appointment_id, generation)
) PARTITION BY LIST (generation);
CREATE INDEX rm_practice_session_subjects_client ON rm_practice_session_subjects (generation, client_id);

-- Projection "audit": who did what to which record and when. PII-free: ids, types, roles, times.
CREATE TABLE rm_audit_trail (
    generation     integer NOT NULL,
    seq            bigint NOT NULL,
    event_id       uuid NOT NULL,
    stream_id      text NOT NULL,
    event_type     text NOT NULL,
    occurred_at    timestamptz NOT NULL,
    recorded_at    timestamptz NOT NULL,
    actor_id       uuid NOT NULL,
    actor_role     text NOT NULL,
    -- subject_id is the data subject (client) the event is about, or NULL.
    subject_id     uuid,
    -- accessed_what and accessed_id describe a RecordAccessed event (kind of data and its id).
    accessed_what  text,
    accessed_id    uuid,
    PRIMARY KEY (seq, generation),
    UNIQUE (event_id, generation)
) PARTITION BY LIST (generation);
CREATE INDEX rm_audit_trail_subject ON rm_audit_trail (generation, subject_id, recorded_at);
CREATE INDEX rm_audit_trail_actor ON rm_audit_trail (generation, actor_id, recorded_at);
CREATE INDEX rm_audit_trail_time ON rm_audit_trail (generation, recorded_at);

-- Which therapist holds each subject's record, for "who accessed my clients" (ids only, kept
-- after erasure like the rest of the audit trail).
CREATE TABLE rm_audit_caseload (
    generation   integer NOT NULL,
    subject_id   uuid NOT NULL,
    therapist_id uuid,
    PRIMARY KEY (subject_id, generation)
) PARTITION BY LIST (generation);
CREATE INDEX rm_audit_caseload_therapist ON rm_audit_caseload (generation, therapist_id);

-- Projection "notes": session notes. Metadata in plaintext (ids, kind, status, times, hash);
-- bodies and addenda sealed under the client's key; search through keyed blind-index tokens of
-- the normalised words of the note and its addenda (search_tokens, GIN-indexed, one array per
-- note rather than a row per word: a rebuild writes a thirtieth of the rows), never plaintext.
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
    -- search_tokens are the distinct keyed blind-index tokens of the note's and its addenda's words.
    search_tokens  bytea[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (note_id, generation)
) PARTITION BY LIST (generation);
CREATE INDEX rm_notes_client ON rm_notes (generation, client_id);
CREATE INDEX rm_notes_search ON rm_notes USING gin (search_tokens);

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
) PARTITION BY LIST (generation);
CREATE INDEX rm_note_addenda_note ON rm_note_addenda (generation, note_id);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['rm_clients', 'rm_client_tokens', 'rm_consents', 'rm_appointments',
                           'rm_practice_sessions', 'rm_audit_trail', 'rm_audit_caseload',
                           'rm_notes', 'rm_note_addenda'] LOOP
    EXECUTE format('GRANT SELECT ON %I TO caseledger_reader', t);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['rm_clients', 'rm_client_tokens', 'rm_consents', 'rm_appointments',
                           'rm_practice_sessions', 'rm_practice_session_subjects', 'rm_audit_trail',
                           'rm_audit_caseload', 'rm_notes', 'rm_note_addenda'] LOOP
    EXECUTE format('ALTER TABLE %I OWNER TO caseledger_owner', t);
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO caseledger_app', t);
    EXECUTE format('CREATE POLICY %I ON %I TO caseledger_app USING (true) WITH CHECK (true)',
                   t || '_projector', t);
  END LOOP;
END
$$;

-- Clinical tables: the therapist who holds the record, and the DPO (subject access, erasure).
CREATE POLICY rm_clients_read ON rm_clients FOR SELECT TO caseledger_reader USING (
    generation = (SELECT projection_generation('clients'))
    AND ((caseledger_role() = 'therapist' AND therapist_id = caseledger_user_id())
         OR caseledger_role() = 'dpo'));
CREATE POLICY rm_client_tokens_read ON rm_client_tokens FOR SELECT TO caseledger_reader USING (
    generation = (SELECT projection_generation('clients'))
    AND ((caseledger_role() = 'therapist' AND therapist_id = caseledger_user_id())
         OR caseledger_role() = 'dpo'));
CREATE POLICY rm_consents_read ON rm_consents FOR SELECT TO caseledger_reader USING (
    generation = (SELECT projection_generation('clients'))
    AND ((caseledger_role() = 'therapist' AND therapist_id = caseledger_user_id())
         OR caseledger_role() = 'dpo'));
CREATE POLICY rm_appointments_read ON rm_appointments FOR SELECT TO caseledger_reader USING (
    generation = (SELECT projection_generation('appointments'))
    AND ((caseledger_role() = 'therapist' AND therapist_id = caseledger_user_id())
         OR caseledger_role() = 'dpo'));

-- Practice reports: managers, admins and the DPO see every therapist; a therapist sees their own.
CREATE POLICY rm_practice_sessions_read ON rm_practice_sessions FOR SELECT TO caseledger_reader USING (
    generation = (SELECT projection_generation('practice_reports'))
    AND (caseledger_role() IN ('practice_manager', 'admin', 'dpo')
         OR (caseledger_role() = 'therapist' AND therapist_id = caseledger_user_id())));

-- Audit trail: the DPO and auditors see everything; a therapist sees what they did and what was
-- done to the records they hold; anyone else sees only what they did themselves.
CREATE POLICY rm_audit_caseload_read ON rm_audit_caseload FOR SELECT TO caseledger_reader USING (
    generation = (SELECT projection_generation('audit'))
    AND (caseledger_role() IN ('dpo', 'auditor')
         OR (caseledger_role() = 'therapist' AND therapist_id = caseledger_user_id())));
CREATE POLICY rm_audit_trail_read ON rm_audit_trail FOR SELECT TO caseledger_reader USING (
    generation = (SELECT projection_generation('audit'))
    AND (caseledger_role() IN ('dpo', 'auditor')
         OR actor_id = caseledger_user_id()
         OR (caseledger_role() = 'therapist'
             AND subject_id IN (SELECT c.subject_id FROM rm_audit_caseload c))));

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


-- projection_tables lists the partitioned read-model tables of each projector: what the Go
-- projector's Tables() returns (projections.TestProjectionTablesMatchTheProjectors keeps them
-- equal). A projector with no row here gets no partitions.
CREATE TABLE projection_tables (
    projector  text NOT NULL,
    table_name text NOT NULL,
    PRIMARY KEY (projector, table_name)
);
INSERT INTO projection_tables (projector, table_name) VALUES
    ('clients', 'rm_clients'), ('clients', 'rm_client_tokens'), ('clients', 'rm_consents'),
    ('appointments', 'rm_appointments'),
    ('notes', 'rm_notes'), ('notes', 'rm_note_addenda'),
    ('practice_reports', 'rm_practice_sessions'), ('practice_reports', 'rm_practice_session_subjects'),
    ('audit', 'rm_audit_trail'), ('audit', 'rm_audit_caseload');
ALTER TABLE projection_tables OWNER TO caseledger_owner;
GRANT SELECT ON projection_tables TO caseledger_app;

-- projection_partitions_create creates, for the inserted checkpoint (NEW.name, NEW.generation),
-- the partition <table>_g<generation> of every table projection_tables lists for NEW.name (none
-- when it lists none), with row-level security forced and no privilege for anyone but its owner.
-- It refuses a same-named relation that is not that partition. It is SECURITY DEFINER (owned by
-- caseledger_owner, the tables' owner) because caseledger_app, which inserts checkpoints, may not
-- create tables.
CREATE FUNCTION projection_partitions_create() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    t    text;
    part text;
BEGIN
    FOR t IN SELECT p.table_name FROM public.projection_tables p
              WHERE p.projector = NEW.name ORDER BY p.table_name LOOP
        part := t || '_g' || NEW.generation;
        EXECUTE format('CREATE TABLE IF NOT EXISTS public.%I PARTITION OF public.%I FOR VALUES IN (%L)',
                       part, t, NEW.generation);
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i
                        WHERE i.inhrelid = format('public.%I', part)::regclass
                          AND i.inhparent = format('public.%I', t)::regclass) THEN
            RAISE EXCEPTION 'relation % exists and is not a partition of %', part, t;
        END IF;
        EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', part);
        EXECUTE format('ALTER TABLE public.%I FORCE ROW LEVEL SECURITY', part);
        EXECUTE format('REVOKE ALL ON public.%I FROM PUBLIC, caseledger_app, caseledger_reader', part);
    END LOOP;
    RETURN NULL;
END
$$;

-- projection_partitions_drop drops, for the deleted checkpoint (OLD.name, OLD.generation), the
-- partition <table>_g<generation> of every table projection_tables lists for OLD.name, with its
-- rows; a missing partition is skipped. SECURITY DEFINER for the same reason as
-- projection_partitions_create.
CREATE FUNCTION projection_partitions_drop() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    t text;
BEGIN
    FOR t IN SELECT p.table_name FROM public.projection_tables p
              WHERE p.projector = OLD.name ORDER BY p.table_name LOOP
        EXECUTE format('DROP TABLE IF EXISTS public.%I', t || '_g' || OLD.generation);
    END LOOP;
    RETURN NULL;
END
$$;

ALTER FUNCTION projection_partitions_create() OWNER TO caseledger_owner;
ALTER FUNCTION projection_partitions_drop() OWNER TO caseledger_owner;
REVOKE ALL ON FUNCTION projection_partitions_create() FROM PUBLIC;
REVOKE ALL ON FUNCTION projection_partitions_drop() FROM PUBLIC;

CREATE TRIGGER projection_checkpoints_partitions_create AFTER INSERT ON projection_checkpoints
    FOR EACH ROW EXECUTE FUNCTION projection_partitions_create();
CREATE TRIGGER projection_checkpoints_partitions_drop AFTER DELETE ON projection_checkpoints
    FOR EACH ROW EXECUTE FUNCTION projection_partitions_drop();

-- projection_partitions_analyze collects planner statistics for generation p_generation of
-- projector p_name (every partition projection_tables lists for it that exists). A rebuild calls it
-- before switching the generation in, so that the first requests on the new partitions are not
-- planned blind (autovacuum would analyze them only a minute or more later). SECURITY DEFINER:
-- ANALYZE needs the owner, and caseledger_app may run it only through this function.
CREATE FUNCTION projection_partitions_analyze(p_name text, p_generation integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    t text;
BEGIN
    FOR t IN SELECT p.table_name FROM public.projection_tables p
              WHERE p.projector = p_name ORDER BY p.table_name LOOP
        IF to_regclass(format('public.%I', t || '_g' || p_generation)) IS NOT NULL THEN
            EXECUTE format('ANALYZE public.%I', t || '_g' || p_generation);
        END IF;
    END LOOP;
END
$$;
ALTER FUNCTION projection_partitions_analyze(text, integer) OWNER TO caseledger_owner;
REVOKE ALL ON FUNCTION projection_partitions_analyze(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION projection_partitions_analyze(text, integer) TO caseledger_app;
