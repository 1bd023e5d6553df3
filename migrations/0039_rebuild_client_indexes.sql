-- A rebuilding generation gets its secondary indexes only once it is filled (0034), so the
-- statements an erasure or a record transfer makes by client (UPDATE ... WHERE client_id,
-- DELETE ... WHERE subject_id) scanned the partition filled so far, once per such event: time
-- growing with their number times the rows. Before a rebuild writes a batch holding such a
-- statement, it now builds that table's client indexes (those projection_indexes lists whose key
-- starts with client_id or subject_id); the rest of the fill keeps them current, and finish builds
-- the others as before. A table whose primary key starts with client_id has none to build.
--
-- SECURITY DEFINER: only the owner creates indexes; the function builds only listed indexes of a
-- table of the named projector.
CREATE FUNCTION projection_partitions_index_clients(p_name text, p_generation integer, p_table text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public SET max_parallel_maintenance_workers = 0 AS $$
DECLARE
    i    text;
    d    text;
    part text;
BEGIN
    part := p_table || '_g' || p_generation;
    IF to_regclass(format('public.%I', part)) IS NULL THEN
        RETURN;
    END IF;
    FOR i, d IN SELECT x.index_name, x.definition
                  FROM public.projection_tables p
                  JOIN public.projection_indexes x ON x.table_name = p.table_name
                 WHERE p.projector = p_name AND p.table_name = p_table
                   AND (x.definition LIKE '(client\_id%' OR x.definition LIKE '(subject\_id%')
                 ORDER BY x.index_name LOOP
        IF to_regclass(format('public.%I', part || '_' || i)) IS NULL THEN
            EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON public.%I %s', part || '_' || i, part, d);
        END IF;
    END LOOP;
END
$$;
ALTER FUNCTION projection_partitions_index_clients(text, integer, text) OWNER TO caseledger_owner;
REVOKE ALL ON FUNCTION projection_partitions_index_clients(text, integer, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION projection_partitions_index_clients(text, integer, text) TO caseledger_app;
