-- The event log: append-only, hash-chained per stream, globally ordered by commit.
-- docs/ledger-format.md specifies the hash; eventstore/pgstore is the only writer.

-- event_log_xid holds the offset added to transaction ids to give tx_order. It is 0 until the
-- database is restored into a cluster whose transaction ids restart lower than the stored ones;
-- event_log_realign() then raises it so that new events still sort after every stored one.
CREATE TABLE event_log_xid (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    xid_offset bigint NOT NULL DEFAULT 0 CHECK (xid_offset >= 0)
);
INSERT INTO event_log_xid DEFAULT VALUES;

-- No CHECK constraints: PostgreSQL re-parses every CHECK expression on every INSERT statement,
-- which cost a fifth of an append's CPU. eventstore.ValidateAppend checks every field before
-- event_log_append writes, and the hash chain (pgstore.Verify) covers every column but the order.
CREATE TABLE event_log (
    -- Global order is (tx_order, position): the writing transaction's id plus the offset, then the
    -- row's identity. Readers only read below the oldest running transaction, so no event is ever
    -- skipped by a reader that already passed a later position.
    tx_order       bigint NOT NULL,
    position       bigint GENERATED ALWAYS AS IDENTITY,
    stream_id      text NOT NULL,
    version        bigint NOT NULL,
    event_id       uuid NOT NULL,
    event_type     text NOT NULL,
    schema_version integer NOT NULL,
    occurred_at    timestamptz NOT NULL,
    recorded_at    timestamptz NOT NULL,
    actor_id       uuid NOT NULL,
    actor_role     text NOT NULL,
    subject_id     uuid NOT NULL,
    key_id         bigint NOT NULL,
    correlation_id uuid NOT NULL,
    causation_id   uuid NOT NULL,
    payload        bytea NOT NULL,
    prev_hash      bytea NOT NULL,
    hash           bytea NOT NULL,
    CONSTRAINT event_log_pkey PRIMARY KEY (tx_order, position),
    CONSTRAINT event_log_stream_version_key UNIQUE (stream_id, version),
    CONSTRAINT event_log_event_id_key UNIQUE (event_id)
);

-- Append-only in the database itself: no role, not even the owner, may change or remove a row
-- while this trigger is enabled.
CREATE FUNCTION event_log_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'event_log is append-only: % refused', TG_OP USING ERRCODE = 'CL001';
END
$$;
CREATE TRIGGER event_log_no_update_delete BEFORE UPDATE OR DELETE ON event_log
    FOR EACH ROW EXECUTE FUNCTION event_log_refuse_change();
CREATE TRIGGER event_log_no_truncate BEFORE TRUNCATE ON event_log
    FOR EACH STATEMENT EXECUTE FUNCTION event_log_refuse_change();

-- event_log_append writes a batch to one stream in one round trip. It checks the expected version
-- (p_kind: 0 any, 1 no stream, 2 stream exists, 3 exact p_expected) against the stream's head and
-- returns o_status 1 with the head's version (NULL when the stream has no events) when it does not
-- hold. Otherwise it chains the hashes (sha256(prev || head || int8 version || meta || payload), with
-- head and meta the parts of the canonical encoding computed by the caller) and inserts the rows; o_status is 0 and
-- o_version, o_tx, o_position describe the last event. Two appends racing for the same version
-- meet on event_log_stream_version_key: the later one fails with 23505 and writes nothing.
CREATE FUNCTION event_log_append(
    p_stream text, p_kind integer, p_expected bigint, p_recorded_at timestamptz,
    p_head bytea, p_metas bytea[], p_ids uuid[], p_types text[], p_schemas integer[],
    p_occurred timestamptz[], p_actors uuid[], p_roles text[], p_subjects uuid[], p_keys bigint[],
    p_correlations uuid[], p_causations uuid[], p_payloads bytea[],
    OUT o_status integer, OUT o_version bigint, OUT o_tx bigint, OUT o_position bigint)
LANGUAGE plpgsql AS $$
DECLARE
    v_exists boolean;
    v_hash   bytea;
    v_next   bigint;
    v_prevs  bytea[];
    v_hashes bytea[];
    v_meta   bytea;
    v_i      integer := 0;
BEGIN
    SELECT e.version, e.hash INTO o_version, v_hash
      FROM event_log e WHERE e.stream_id = p_stream ORDER BY e.version DESC LIMIT 1;
    v_exists := FOUND;
    IF (p_kind = 1 AND v_exists) OR (p_kind = 2 AND NOT v_exists)
       OR (p_kind = 3 AND (NOT v_exists OR o_version <> p_expected)) THEN
        o_status := 1;
        RETURN;
    END IF;
    IF v_exists THEN
        v_next := o_version + 1;
    ELSE
        v_next := 0;
        v_hash := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
    END IF;
    FOREACH v_meta IN ARRAY p_metas LOOP
        v_i := v_i + 1;
        v_prevs := v_prevs || v_hash;
        v_hash := sha256(v_hash || p_head || int8send(v_next + v_i - 1) || v_meta || p_payloads[v_i]);
        v_hashes := v_hashes || v_hash;
    END LOOP;
    IF cardinality(p_ids) = 1 THEN
        -- One event, the common case: a plain VALUES insert. Setting up the unnest of thirteen
        -- arrays below costs about a quarter of a one-event call.
        INSERT INTO event_log (tx_order, stream_id, version, event_id, event_type, schema_version,
                               occurred_at, recorded_at, actor_id, actor_role, subject_id, key_id,
                               correlation_id, causation_id, payload, prev_hash, hash)
        VALUES ((SELECT pg_current_xact_id()::text::bigint + x.xid_offset FROM event_log_xid x),
                p_stream, v_next, p_ids[1], p_types[1], p_schemas[1], p_occurred[1], p_recorded_at,
                p_actors[1], p_roles[1], p_subjects[1], p_keys[1], p_correlations[1], p_causations[1],
                p_payloads[1], v_prevs[1], v_hashes[1])
        RETURNING tx_order, position INTO o_tx, o_position;
    ELSE
        WITH ins AS (
            INSERT INTO event_log (tx_order, stream_id, version, event_id, event_type, schema_version,
                                   occurred_at, recorded_at, actor_id, actor_role, subject_id, key_id,
                                   correlation_id, causation_id, payload, prev_hash, hash)
            SELECT (SELECT pg_current_xact_id()::text::bigint + x.xid_offset FROM event_log_xid x),
                   p_stream, v_next + u.n - 1, u.id, u.typ, u.schema, u.occurred, p_recorded_at,
                   u.actor, u.role, u.subject, u.key, u.corr, u.caus, u.payload, u.prev, u.hash
              FROM unnest(p_ids, p_types, p_schemas, p_occurred, p_actors, p_roles, p_subjects, p_keys,
                          p_correlations, p_causations, p_payloads, v_prevs, v_hashes)
                   WITH ORDINALITY AS u(id, typ, schema, occurred, actor, role, subject, key, corr, caus,
                                        payload, prev, hash, n)
            RETURNING tx_order, position)
        SELECT max(ins.tx_order), max(ins.position) INTO o_tx, o_position FROM ins;
    END IF;
    o_status := 0;
    o_version := v_next + cardinality(p_ids) - 1;
END
$$;

-- event_log_realign raises the transaction id offset when stored tx_order values are not below
-- the next transaction id (after a logical restore into a new cluster), so new events sort after
-- every stored one. It returns the offset in force. It locks out appends while it changes the
-- offset and is cheap when nothing needs doing. Stores call it when they open.
CREATE FUNCTION event_log_realign() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_max    bigint;
    v_next   bigint;
    v_offset bigint;
BEGIN
    SELECT x.xid_offset INTO v_offset FROM public.event_log_xid x;
    SELECT max(e.tx_order) INTO v_max FROM public.event_log e;
    v_next := pg_snapshot_xmax(pg_current_snapshot())::text::bigint;
    IF v_max IS NULL OR v_max < v_next + v_offset THEN
        RETURN v_offset;
    END IF;
    LOCK TABLE public.event_log IN EXCLUSIVE MODE;
    SELECT x.xid_offset INTO v_offset FROM public.event_log_xid x FOR UPDATE;
    SELECT max(e.tx_order) INTO v_max FROM public.event_log e;
    v_next := pg_current_xact_id()::text::bigint;
    IF v_max >= v_next + v_offset THEN
        v_offset := v_max - v_next + 1;
        UPDATE public.event_log_xid SET xid_offset = v_offset;
    END IF;
    RETURN v_offset;
END
$$;

ALTER TABLE event_log_xid OWNER TO caseledger_owner;
ALTER TABLE event_log OWNER TO caseledger_owner;
ALTER FUNCTION event_log_refuse_change() OWNER TO caseledger_owner;
ALTER FUNCTION event_log_append(text, integer, bigint, timestamptz, bytea, bytea[], uuid[], text[], integer[],
    timestamptz[], uuid[], text[], uuid[], bigint[], uuid[], uuid[], bytea[]) OWNER TO caseledger_owner;
ALTER FUNCTION event_log_realign() OWNER TO caseledger_owner;

REVOKE ALL ON event_log, event_log_xid FROM PUBLIC;
REVOKE ALL ON FUNCTION event_log_append(text, integer, bigint, timestamptz, bytea, bytea[], uuid[], text[], integer[],
    timestamptz[], uuid[], text[], uuid[], bigint[], uuid[], uuid[], bytea[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION event_log_realign() FROM PUBLIC;
GRANT SELECT, INSERT ON event_log TO caseledger_app;
GRANT SELECT ON event_log_xid TO caseledger_app;
GRANT EXECUTE ON FUNCTION event_log_append(text, integer, bigint, timestamptz, bytea, bytea[], uuid[], text[], integer[],
    timestamptz[], uuid[], text[], uuid[], bigint[], uuid[], uuid[], bytea[]) TO caseledger_app;
GRANT EXECUTE ON FUNCTION event_log_realign() TO caseledger_app;
