-- Secondary indexes of the read models are built per partition, and a rebuilt generation gets them
-- only once it has been filled. Keeping an index current through a rebuild's hundreds of thousands
-- of inserts cost more than the rest of the insert; building it over the filled partition is one
-- sort. The generation is inactive (no request reads it) until it has them.
--
-- projection_indexes lists the secondary (non-unique) indexes of each read-model table. Partition
-- <table>_g<generation> gets index <table>_g<generation>_<index_name>:
--   - when the partition is created for an active checkpoint (generation 1, filled incrementally),
--     by a trigger that fires after the one that creates partitions;
--   - when projection_partitions_finish(projector, generation) is called (a rebuild does, before
--     its switch, together with ANALYZE);
--   - at the latest when the checkpoint is made active (a trigger), so no path switches in a
--     generation without them.
-- Unique keys (the primary keys) stay on the parent tables: ON CONFLICT needs them, and they keep
-- every row's identity while a generation is filled.
--
-- The definitions leave out the generation column the parent indexes of 0033 led with: within a
-- partition it is one value.
--
-- Also dropped: rm_audit_trail's UNIQUE (event_id, generation). The primary key (seq, generation)
-- already holds one row per event of the log, whose event ids are unique, and nothing looks a row up
-- by event id.

CREATE TABLE projection_indexes (
    table_name text NOT NULL,
    index_name text NOT NULL CHECK (index_name ~ '^[a-z][a-z_]*$'),
    -- definition is what CREATE INDEX takes after ON <partition>: an optional USING method and the
    -- parenthesised key.
    definition text NOT NULL,
    PRIMARY KEY (table_name, index_name)
);
INSERT INTO projection_indexes (table_name, index_name, definition) VALUES
    ('rm_clients', 'therapist', '(therapist_id)'),
    ('rm_client_tokens', 'lookup', '(purpose, token)'),
    ('rm_appointments', 'calendar', '(therapist_id, starts_at)'),
    ('rm_appointments', 'client', '(client_id)'),
    ('rm_practice_sessions', 'week', '(starts_at)'),
    ('rm_practice_session_subjects', 'client', '(client_id)'),
    ('rm_audit_trail', 'subject', '(subject_id, recorded_at)'),
    ('rm_audit_trail', 'actor', '(actor_id, recorded_at)'),
    ('rm_audit_trail', 'time', '(recorded_at)'),
    ('rm_audit_caseload', 'therapist', '(therapist_id)'),
    ('rm_notes', 'client', '(client_id)'),
    ('rm_notes', 'search', 'USING gin (search_tokens)'),
    ('rm_note_addenda', 'note', '(note_id)');
ALTER TABLE projection_indexes OWNER TO caseledger_owner;

-- The parent indexes these replace (dropping a parent index drops its partitions' indexes).
DROP INDEX rm_clients_therapist, rm_client_tokens_lookup, rm_appointments_calendar,
           rm_appointments_client, rm_practice_sessions_week, rm_practice_session_subjects_client,
           rm_audit_trail_subject, rm_audit_trail_actor, rm_audit_trail_time,
           rm_audit_caseload_therapist, rm_notes_client, rm_notes_search, rm_note_addenda_note;
ALTER TABLE rm_audit_trail DROP CONSTRAINT rm_audit_trail_event_id_generation_key;

-- projection_partitions_index creates every index projection_indexes lists for the partitions of
-- generation p_generation of projector p_name that exist, skipping those already there.
-- SECURITY DEFINER: only the tables' owner may create indexes on them.
CREATE FUNCTION projection_partitions_index(p_name text, p_generation integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    t    text;
    i    text;
    d    text;
    part text;
BEGIN
    FOR t, i, d IN SELECT p.table_name, x.index_name, x.definition
                     FROM public.projection_tables p
                     JOIN public.projection_indexes x ON x.table_name = p.table_name
                    WHERE p.projector = p_name ORDER BY p.table_name, x.index_name LOOP
        part := t || '_g' || p_generation;
        IF to_regclass(format('public.%I', part)) IS NOT NULL THEN
            EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON public.%I %s', part || '_' || i, part, d);
        END IF;
    END LOOP;
END
$$;

-- projection_partitions_activated gives the partitions of a checkpoint that is active when it is
-- inserted, or becomes active later, their secondary indexes (none to build when the rebuild
-- finished them first). Its insert trigger fires after 0033's projection_checkpoints_partitions_create,
-- which made the partitions: triggers of one event fire in the order of their names.
CREATE FUNCTION projection_partitions_activated() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    PERFORM public.projection_partitions_index(NEW.name, NEW.generation);
    RETURN NULL;
END
$$;
CREATE TRIGGER projection_checkpoints_partitions_index_inserted AFTER INSERT ON projection_checkpoints
    FOR EACH ROW WHEN (NEW.active) EXECUTE FUNCTION projection_partitions_activated();
CREATE TRIGGER projection_checkpoints_partitions_index_activated AFTER UPDATE OF active ON projection_checkpoints
    FOR EACH ROW WHEN (NEW.active AND NOT OLD.active) EXECUTE FUNCTION projection_partitions_activated();

-- projection_partitions_finish makes a filled generation ready to be switched in: it builds the
-- secondary indexes of its partitions and collects their planner statistics (so that the first
-- requests on them are not planned blind; autovacuum would analyze them a minute or more later).
-- It replaces 0033's projection_partitions_analyze. SECURITY DEFINER: CREATE INDEX and ANALYZE
-- need the owner, and caseledger_app may run them only through this function.
CREATE FUNCTION projection_partitions_finish(p_name text, p_generation integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    t text;
BEGIN
    PERFORM public.projection_partitions_index(p_name, p_generation);
    FOR t IN SELECT p.table_name FROM public.projection_tables p
              WHERE p.projector = p_name ORDER BY p.table_name LOOP
        IF to_regclass(format('public.%I', t || '_g' || p_generation)) IS NOT NULL THEN
            EXECUTE format('ANALYZE public.%I', t || '_g' || p_generation);
        END IF;
    END LOOP;
END
$$;
DROP FUNCTION projection_partitions_analyze(text, integer);

ALTER FUNCTION projection_partitions_index(text, integer) OWNER TO caseledger_owner;
ALTER FUNCTION projection_partitions_activated() OWNER TO caseledger_owner;
ALTER FUNCTION projection_partitions_finish(text, integer) OWNER TO caseledger_owner;
REVOKE ALL ON FUNCTION projection_partitions_index(text, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION projection_partitions_activated() FROM PUBLIC;
REVOKE ALL ON FUNCTION projection_partitions_finish(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION projection_partitions_finish(text, integer) TO caseledger_app;

-- The active generations' partitions get their indexes now.
SELECT projection_partitions_index(name, generation) FROM projection_checkpoints WHERE active;
