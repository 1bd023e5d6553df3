-- One-event appends are a plain statement in eventstore/pgstore (appendOneSQL), which PostgreSQL
-- plans once per connection instead of running plpgsql; event_log_append now serves batches only
-- and loses its one-event branch. Same signature, owner and grants; same checks and hash chain.
--
-- event_log_append writes a batch to one stream in one round trip. It checks the expected version
-- (p_kind: 0 any, 1 no stream, 2 stream exists, 3 exact p_expected) against the stream's head and
-- returns o_status 1 with the head's version (NULL when the stream has no events) when it does not
-- hold. Otherwise it chains the hashes (sha256(prev || head || int8 version || meta || payload), with
-- head and meta the parts of the canonical encoding computed by the caller) and inserts the rows;
-- o_status is 0 and o_version, o_tx, o_position describe the last event. Two appends racing for the
-- same version meet on event_log_stream_version_key: the later one fails with 23505 and writes nothing.
CREATE OR REPLACE FUNCTION event_log_append(
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
    o_status := 0;
    o_version := v_next + cardinality(p_ids) - 1;
END
$$;
