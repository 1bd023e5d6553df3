-- Projection engine: checkpoints and the generation switch that lets a rebuild run beside the
-- read model it replaces. docs/projections.md describes the protocol.
--
-- Every read-model table carries a generation column. A projector writes the rows of one
-- generation; the read path sees only the active generation of each projection (through its
-- row-level security policy). A rebuild fills generation n+1 from the start of the log while
-- generation n keeps serving, then switches in one transaction and deletes generation n.

CREATE TABLE projection_checkpoints (
    name             text NOT NULL CHECK (name ~ '^[a-z][a-z0-9_]{0,62}$'),
    generation       integer NOT NULL CHECK (generation > 0),
    active           boolean NOT NULL,
    -- position is eventstore.Position.String() of the last applied event (or of Start).
    position         text NOT NULL,
    -- applied counts the events this generation applied; it is also the sequence number base of
    -- the next batch, so rows numbered from it are the same in a rebuild.
    applied          bigint NOT NULL DEFAULT 0 CHECK (applied >= 0),
    last_event_id    uuid,
    last_recorded_at timestamptz,
    started_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    -- The event a projector could not apply, and why (ids and codes only, never payload text).
    failed_event_id  uuid,
    failed_position  text,
    failed_error     text,
    failed_at        timestamptz,
    failures         integer NOT NULL DEFAULT 0,
    PRIMARY KEY (name, generation)
);
CREATE UNIQUE INDEX projection_checkpoints_one_active ON projection_checkpoints (name) WHERE active;

GRANT SELECT, INSERT, UPDATE, DELETE ON projection_checkpoints TO caseledger_app;

-- projection_generation returns the active generation of a projection (0 when it has none yet).
-- Read-model policies call it as (SELECT projection_generation('name')) so it runs once per
-- query. It is SECURITY DEFINER because caseledger_reader has no grant on the checkpoints.
CREATE FUNCTION projection_generation(p_name text) RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce((SELECT c.generation FROM public.projection_checkpoints c
                      WHERE c.name = p_name AND c.active), 0)
$$;
REVOKE ALL ON FUNCTION projection_generation(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION projection_generation(text) TO caseledger_app, caseledger_reader;

-- The request's identity, set by projections.Reader with set_config(..., true) inside the
-- request's transaction. Unset or empty settings yield NULL, which matches no row.
CREATE FUNCTION caseledger_user_id() RETURNS uuid
LANGUAGE sql STABLE AS $$
    SELECT nullif(current_setting('caseledger.user_id', true), '')::uuid
$$;
CREATE FUNCTION caseledger_role() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT nullif(current_setting('caseledger.role', true), '')
$$;
REVOKE ALL ON FUNCTION caseledger_user_id() FROM PUBLIC;
REVOKE ALL ON FUNCTION caseledger_role() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION caseledger_user_id() TO caseledger_app, caseledger_reader;
GRANT EXECUTE ON FUNCTION caseledger_role() TO caseledger_app, caseledger_reader;
