-- Read models of the projections in projections/. Every table:
--   * has a generation column (see 0030_projections.sql) and is written only by caseledger_app;
--   * has ENABLE + FORCE ROW LEVEL SECURITY, so not even its owner reads around the policies;
--   * is readable by caseledger_reader only through a policy keyed on the request's user and role
--     (caseledger_user_id(), caseledger_role()) and on the projection's active generation.
-- Personal data is stored only as ciphertext under the client's key (*_sealed columns, sealed with
-- associated data binding table, row and column); plaintext columns hold ids, times, statuses,
-- amounts and keyed blind-index tokens.
-- Primary keys lead with the row's own id and end with the generation, so a projector's lookup of
-- one row always uses its key, even in a freshly rebuilt table the planner has no statistics for.

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
);
CREATE INDEX rm_clients_therapist ON rm_clients (generation, therapist_id);

-- Keyed blind-index tokens for finding a client by name, email or date of birth.
CREATE TABLE rm_client_tokens (
    generation   integer NOT NULL,
    client_id    uuid NOT NULL,
    therapist_id uuid,
    purpose      text NOT NULL CHECK (purpose IN ('name', 'email', 'dob')),
    token        bytea NOT NULL,
    PRIMARY KEY (client_id, purpose, token, generation)
);
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
);

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
);
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
);
CREATE INDEX rm_practice_sessions_week ON rm_practice_sessions (generation, starts_at);

-- The client of each session, so that erasure can delete the client's sessions. Only the projector
-- reads it: no request role has a grant on it.
CREATE TABLE rm_practice_session_subjects (
    generation     integer NOT NULL,
    appointment_id uuid NOT NULL,
    client_id      uuid NOT NULL,
    PRIMARY KEY (appointment_id, generation)
);
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
);
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
);
CREATE INDEX rm_audit_caseload_therapist ON rm_audit_caseload (generation, therapist_id);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['rm_clients', 'rm_client_tokens', 'rm_consents', 'rm_appointments',
                           'rm_practice_sessions', 'rm_audit_trail', 'rm_audit_caseload'] LOOP
    EXECUTE format('GRANT SELECT ON %I TO caseledger_reader', t);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['rm_clients', 'rm_client_tokens', 'rm_consents', 'rm_appointments',
                           'rm_practice_sessions', 'rm_practice_session_subjects', 'rm_audit_trail',
                           'rm_audit_caseload'] LOOP
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
