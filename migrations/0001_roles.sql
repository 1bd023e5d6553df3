-- Roles are shared by every database of a server, so they are created only when missing. Concurrent
-- runs in two databases can race on CREATE ROLE; the loser's error is swallowed.
DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['caseledger_owner', 'caseledger_app', 'caseledger_reader'] LOOP
    BEGIN
      EXECUTE format('CREATE ROLE %I NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE', r);
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;
    END;
  END LOOP;
END
$$;

REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO caseledger_app, caseledger_reader;
GRANT ALL ON SCHEMA public TO caseledger_owner;
