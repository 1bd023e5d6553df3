-- A rebuild's finish builds a generation's secondary indexes one statement each, side by side on
-- several connections, instead of one after the other inside projection_partitions_finish: the
-- projector that finishes last (the audit trail, with the most rows and indexes) kept one core
-- busy while the other had nothing left to do. CREATE INDEX takes a SHARE lock, which does not
-- conflict with itself, so builds on one table run at once.
--
-- projection_partitions_unindexed lists the indexes projection_indexes names for the existing
-- partitions of a generation that the partitions do not have yet; projection_partitions_build_index
-- builds one of them. Both are SECURITY DEFINER (only the owner creates indexes) and check their
-- arguments against projection_tables and projection_indexes, so caseledger_app can build nothing
-- else. projection_partitions_finish still builds whatever is missing (IF NOT EXISTS), then
-- analyzes and seals.

CREATE FUNCTION projection_partitions_unindexed(p_name text, p_generation integer)
RETURNS TABLE (table_name text, index_name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT p.table_name, x.index_name
      FROM public.projection_tables p
      JOIN public.projection_indexes x ON x.table_name = p.table_name
     WHERE p.projector = p_name
       AND to_regclass(format('public.%I', p.table_name || '_g' || p_generation)) IS NOT NULL
       AND to_regclass(format('public.%I', p.table_name || '_g' || p_generation || '_' || x.index_name)) IS NULL
     ORDER BY p.table_name, x.index_name
$$;

CREATE FUNCTION projection_partitions_build_index(p_name text, p_generation integer, p_table text, p_index text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public SET max_parallel_maintenance_workers = 0 AS $$
DECLARE
    d    text;
    part text;
BEGIN
    SELECT x.definition INTO d
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
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON public.%I %s', part || '_' || p_index, part, d);
END
$$;

ALTER FUNCTION projection_partitions_unindexed(text, integer) OWNER TO caseledger_owner;
ALTER FUNCTION projection_partitions_build_index(text, integer, text, text) OWNER TO caseledger_owner;
REVOKE ALL ON FUNCTION projection_partitions_unindexed(text, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION projection_partitions_build_index(text, integer, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION projection_partitions_unindexed(text, integer) TO caseledger_app;
GRANT EXECUTE ON FUNCTION projection_partitions_build_index(text, integer, text, text) TO caseledger_app;
