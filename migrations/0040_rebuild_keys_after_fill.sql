-- Two tables that a rebuild fills with new rows only get their keys after the fill, like their
-- secondary indexes (0034):
--
--   - rm_audit_trail (one row per event of the log) and rm_practice_session_subjects (one per
--     appointment) are written by inserts alone; nothing looks a row up by their key while a
--     rebuild fills them (an erasure reaches them by client, through the indexes 0039 builds
--     early). Their primary keys were maintained row by row through every COPY of a rebuild,
--     which cost about twice what building the same index once the rows are in does (a COPY of
--     200,000 audit rows: 0.71 s with the key, 0.39 s without and 0.14 s to build it after).
--   - The keys are now unique indexes listed in projection_indexes (unique_key): an active
--     generation's partitions have them from the start, so a live insert of a duplicate fails as
--     before, and a rebuild's finish builds them, failing (so switching nothing in) if a
--     duplicate got in.
--
-- Every function that builds listed indexes is redefined to build them through
-- projection_index_ddl, which makes unique ones UNIQUE.

ALTER TABLE projection_indexes ADD COLUMN unique_key boolean NOT NULL DEFAULT false;

-- projection_index_ddl is the statement that builds listed index p_index (its definition and
-- unique_key) on partition p_part, named <partition>_<index>, unless it exists.
CREATE FUNCTION projection_index_ddl(p_part text, p_index text, p_definition text, p_unique boolean)
RETURNS text LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
    SELECT format('CREATE %sINDEX IF NOT EXISTS %I ON public.%I %s',
                  CASE WHEN p_unique THEN 'UNIQUE ' ELSE '' END, p_part || '_' || p_index, p_part, p_definition)
$$;
ALTER FUNCTION projection_index_ddl(text, text, text, boolean) OWNER TO caseledger_owner;
REVOKE ALL ON FUNCTION projection_index_ddl(text, text, text, boolean) FROM PUBLIC;

CREATE OR REPLACE FUNCTION projection_partitions_index(p_name text, p_generation integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    t    text;
    i    text;
    d    text;
    u    boolean;
    part text;
BEGIN
    FOR t, i, d, u IN SELECT p.table_name, x.index_name, x.definition, x.unique_key
                        FROM public.projection_tables p
                        JOIN public.projection_indexes x ON x.table_name = p.table_name
                       WHERE p.projector = p_name ORDER BY p.table_name, x.index_name LOOP
        part := t || '_g' || p_generation;
        IF to_regclass(format('public.%I', part)) IS NOT NULL THEN
            EXECUTE public.projection_index_ddl(part, i, d, u);
        END IF;
    END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION projection_partitions_build_index(p_name text, p_generation integer, p_table text, p_index text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public SET max_parallel_maintenance_workers = 0 AS $$
DECLARE
    d    text;
    u    boolean;
    part text;
BEGIN
    SELECT x.definition, x.unique_key INTO d, u
      FROM public.projection_tables p
      JOIN public.projection_indexes x ON x.table_name = p.table_name
     WHERE p.projector = p_name AND p.table_name = p_table AND x.index_name = p_index;
    IF d IS NULL THEN
        RAISE EXCEPTION 'projector % has no index % on %', p_name, p_index, p_table
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    part := p_table || '_g' || p_generation;
    IF to_regclass(format('public.%I', part)) IS NULL THEN
        RAISE EXCEPTION 'generation % of % has no partition %', p_generation, p_name, part
            USING ERRCODE = 'undefined_table';
    END IF;
    EXECUTE public.projection_index_ddl(part, p_index, d, u);
END
$$;

CREATE OR REPLACE FUNCTION projection_partitions_index_clients(p_name text, p_generation integer, p_table text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public SET max_parallel_maintenance_workers = 0 AS $$
DECLARE
    i    text;
    d    text;
    u    boolean;
    part text;
BEGIN
    part := p_table || '_g' || p_generation;
    IF to_regclass(format('public.%I', part)) IS NULL THEN
        RETURN;
    END IF;
    FOR i, d, u IN SELECT x.index_name, x.definition, x.unique_key
                     FROM public.projection_tables p
                     JOIN public.projection_indexes x ON x.table_name = p.table_name
                    WHERE p.projector = p_name AND p.table_name = p_table
                      AND (x.definition LIKE '(client\_id%' OR x.definition LIKE '(subject\_id%')
                    ORDER BY x.index_name LOOP
        IF to_regclass(format('public.%I', part || '_' || i)) IS NULL THEN
            EXECUTE public.projection_index_ddl(part, i, d, u);
        END IF;
    END LOOP;
END
$$;

-- The keys. Dropping a parent's primary key drops its partitions'.
ALTER TABLE rm_audit_trail DROP CONSTRAINT rm_audit_trail_pkey;
ALTER TABLE rm_practice_session_subjects DROP CONSTRAINT rm_practice_session_subjects_pkey;
INSERT INTO projection_indexes (table_name, index_name, definition, unique_key) VALUES
    ('rm_audit_trail', 'seq', '(seq)', true),
    ('rm_practice_session_subjects', 'appointment', '(appointment_id)', true);

-- The active generations' partitions get the new indexes now; a rebuild that was interrupted before
-- this migration is dropped by the next rebuild of its projector, as before.
SELECT projection_partitions_index(name, generation) FROM projection_checkpoints WHERE active;
