-- A rebuild fills its new generation with COPY, the cheapest way into PostgreSQL: no parameter
-- arrays to build and unnest, and one WAL record per page rather than per row. PostgreSQL refuses
-- COPY FROM into a table with row-level security enabled (to roles without BYPASSRLS), so a
-- rebuild's partitions start without it and are sealed before they serve anyone:
--
--   - A partition created for an inactive checkpoint (a rebuild's generation) has row-level
--     security disabled, and caseledger_app may SELECT and INSERT into it directly (COPY); nobody
--     else may (caseledger_reader and PUBLIC have no grant). caseledger_app already reads and
--     writes every row of every read model through the parent tables (policy USING (true)), so
--     this opens nothing it could not reach before; requests never read a partition directly.
--   - projection_partitions_seal enables and forces row-level security on a generation's
--     partitions and revokes every grant on them, as 0033 does for an active generation's. The
--     rebuild's finish seals (after the indexes and statistics), and so does activation, at the
--     latest: no path switches in a generation that is not sealed.
--
-- An interrupted rebuild leaves its unsealed, inactive generation behind until the next rebuild of
-- that projector drops it (as before).

CREATE OR REPLACE FUNCTION projection_partitions_create() RETURNS trigger
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
        EXECUTE format('REVOKE ALL ON public.%I FROM PUBLIC, caseledger_app, caseledger_reader', part);
        IF NEW.active THEN
            EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', part);
            EXECUTE format('ALTER TABLE public.%I FORCE ROW LEVEL SECURITY', part);
        ELSE
            EXECUTE format('GRANT SELECT, INSERT ON public.%I TO caseledger_app', part);
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

-- projection_partitions_seal gives the existing partitions of generation p_generation of projector
-- p_name forced row-level security and no grant for anyone but their owner. Sealing a sealed
-- partition changes nothing. SECURITY DEFINER: only the owner may alter the partitions.
CREATE FUNCTION projection_partitions_seal(p_name text, p_generation integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    t    text;
    part text;
BEGIN
    FOR t IN SELECT p.table_name FROM public.projection_tables p
              WHERE p.projector = p_name ORDER BY p.table_name LOOP
        part := t || '_g' || p_generation;
        IF to_regclass(format('public.%I', part)) IS NOT NULL THEN
            EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', part);
            EXECUTE format('ALTER TABLE public.%I FORCE ROW LEVEL SECURITY', part);
            EXECUTE format('REVOKE ALL ON public.%I FROM PUBLIC, caseledger_app, caseledger_reader', part);
        END IF;
    END LOOP;
END
$$;
ALTER FUNCTION projection_partitions_seal(text, integer) OWNER TO caseledger_owner;
REVOKE ALL ON FUNCTION projection_partitions_seal(text, integer) FROM PUBLIC;

-- finish: indexes, statistics, then the seal (0035's settings are kept: CREATE OR REPLACE with
-- SET clauses replaces them, so they are given again).
CREATE OR REPLACE FUNCTION projection_partitions_finish(p_name text, p_generation integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public SET default_statistics_target = 10 SET max_parallel_maintenance_workers = 0 AS $$
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
    PERFORM public.projection_partitions_seal(p_name, p_generation);
END
$$;

-- Activation indexes and seals, whatever the caller did before.
CREATE OR REPLACE FUNCTION projection_partitions_activated() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    PERFORM public.projection_partitions_index(NEW.name, NEW.generation);
    PERFORM public.projection_partitions_seal(NEW.name, NEW.generation);
    RETURN NULL;
END
$$;
