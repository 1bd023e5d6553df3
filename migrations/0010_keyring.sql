-- The keyring: wrapped per-subject keysets, tombstones of shredded subjects, practice-wide keysets
-- (the blind index) and master-key metadata. keyring/ (PostgresStorage) is the only user.
-- None of these tables is visible to caseledger_reader. docs/keyring.md describes every column.

-- caseledger_keyring owns the keyring tables so that the application (a member) can VACUUM the key
-- table right after a shred, which PostgreSQL 15 allows only to a table's owner. It owns nothing
-- else: membership gives no right on the log or the read models.
DO $$
BEGIN
  CREATE ROLE caseledger_keyring NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;
-- Role membership is per server too; a concurrent migration of another database may grant it first.
DO $$
BEGIN
  IF NOT pg_has_role('caseledger_app', 'caseledger_keyring', 'MEMBER') THEN
    BEGIN
      GRANT caseledger_keyring TO caseledger_app;
    EXCEPTION WHEN unique_violation OR internal_error THEN
      NULL;
    END;
  END IF;
END
$$;

CREATE SEQUENCE keyring_revision;

-- One row per data subject that has a key. wrapped is a Tink EncryptedKeyset: the subject's
-- AES-256-GCM keyset encrypted by the master AEAD master_id with the subject id in the associated
-- data. key_ids are Tink key ids (not secret), primary first. Rows are deleted by keyring_shred.
CREATE TABLE keyring_subject_keys (
    subject_id uuid PRIMARY KEY,
    wrapped    bytea NOT NULL CHECK (octet_length(wrapped) BETWEEN 1 AND 65536),
    master_id  text NOT NULL CHECK (octet_length(master_id) BETWEEN 1 AND 200),
    key_ids    bigint[] NOT NULL,
    revision   bigint NOT NULL DEFAULT nextval('keyring_revision'),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX keyring_subject_keys_master ON keyring_subject_keys (master_id, subject_id);

-- One row per shredded subject, kept forever: no key is ever minted again for a tombstoned subject.
-- It holds ids and a time, never key material.
CREATE TABLE keyring_tombstones (
    subject_id uuid PRIMARY KEY,
    request_id uuid NOT NULL,
    key_ids    bigint[] NOT NULL,
    erased_at  timestamptz NOT NULL
);

-- Practice-wide keysets (the blind-index PRF), wrapped like subject keysets with the name in the
-- associated data.
CREATE TABLE keyring_practice_keys (
    name       text PRIMARY KEY CHECK (name ~ '^[a-z0-9_.-]{1,100}$'),
    wrapped    bytea NOT NULL CHECK (octet_length(wrapped) BETWEEN 1 AND 65536),
    master_id  text NOT NULL CHECK (octet_length(master_id) BETWEEN 1 AND 200),
    key_ids    bigint[] NOT NULL,
    revision   bigint NOT NULL DEFAULT nextval('keyring_revision'),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- A check value per master key ever used: a fixed string encrypted by it, so that a process given
-- the wrong master key fails at start-up.
CREATE TABLE keyring_masters (
    master_id   text PRIMARY KEY CHECK (octet_length(master_id) BETWEEN 1 AND 200),
    check_value bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- argon2id parameters of passphrase-derived master keys: every process and restart derives the
-- same key from the same passphrase. The salt is not secret.
CREATE TABLE keyring_kdf (
    master_id  text PRIMARY KEY CHECK (octet_length(master_id) BETWEEN 1 AND 200),
    salt       bytea NOT NULL CHECK (octet_length(salt) >= 16),
    time_cost  integer NOT NULL CHECK (time_cost >= 1),
    memory_kib integer NOT NULL CHECK (memory_kib >= 8),
    threads    smallint NOT NULL CHECK (threads BETWEEN 1 AND 255),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- keyring_lock serialises keyring_create and keyring_shred of one subject, so that a keyset is
-- never created after its subject's tombstone.
CREATE FUNCTION keyring_lock(p_subject uuid) RETURNS void
LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock(1801812339, hashtext(p_subject::text));
$$;

-- keyring_create stores a subject's first keyset. o_status is 0 with the stored row (the caller's,
-- or one created concurrently), or 1 when the subject has a tombstone (nothing is stored).
CREATE FUNCTION keyring_create(p_subject uuid, p_wrapped bytea, p_master text, p_key_ids bigint[],
    OUT o_status integer, OUT o_wrapped bytea, OUT o_master text, OUT o_key_ids bigint[], OUT o_revision bigint)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM keyring_lock(p_subject);
    IF EXISTS (SELECT 1 FROM keyring_tombstones WHERE subject_id = p_subject) THEN
        o_status := 1;
        RETURN;
    END IF;
    INSERT INTO keyring_subject_keys (subject_id, wrapped, master_id, key_ids)
    VALUES (p_subject, p_wrapped, p_master, p_key_ids)
    ON CONFLICT (subject_id) DO NOTHING;
    o_status := 0;
    SELECT wrapped, master_id, key_ids, revision INTO o_wrapped, o_master, o_key_ids, o_revision
    FROM keyring_subject_keys WHERE subject_id = p_subject;
END
$$;

-- keyring_shred deletes a subject's keyset and records its tombstone, atomically, and notifies every
-- listening process (channel caseledger_keyring, payload the subject id) on commit. A subject
-- already shredded keeps its first tombstone: o_existed is true and nothing changes.
CREATE FUNCTION keyring_shred(p_subject uuid, p_request uuid, p_at timestamptz,
    OUT o_request uuid, OUT o_key_ids bigint[], OUT o_erased_at timestamptz, OUT o_existed boolean)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM keyring_lock(p_subject);
    SELECT request_id, key_ids, erased_at INTO o_request, o_key_ids, o_erased_at
    FROM keyring_tombstones WHERE subject_id = p_subject;
    IF FOUND THEN
        o_existed := true;
        RETURN;
    END IF;
    o_existed := false;
    DELETE FROM keyring_subject_keys WHERE subject_id = p_subject RETURNING key_ids INTO o_key_ids;
    o_key_ids := coalesce(o_key_ids, '{}');
    INSERT INTO keyring_tombstones (subject_id, request_id, key_ids, erased_at)
    VALUES (p_subject, p_request, o_key_ids, p_at);
    o_request := p_request;
    o_erased_at := p_at;
    PERFORM pg_notify('caseledger_keyring', p_subject::text);
END
$$;

ALTER SEQUENCE keyring_revision OWNER TO caseledger_keyring;
ALTER TABLE keyring_subject_keys OWNER TO caseledger_keyring;
ALTER TABLE keyring_tombstones OWNER TO caseledger_keyring;
ALTER TABLE keyring_practice_keys OWNER TO caseledger_keyring;
ALTER TABLE keyring_masters OWNER TO caseledger_keyring;
ALTER TABLE keyring_kdf OWNER TO caseledger_keyring;
ALTER FUNCTION keyring_lock(uuid) OWNER TO caseledger_keyring;
ALTER FUNCTION keyring_create(uuid, bytea, text, bigint[]) OWNER TO caseledger_keyring;
ALTER FUNCTION keyring_shred(uuid, uuid, timestamptz) OWNER TO caseledger_keyring;

-- Nobody but the keyring's owner and its member caseledger_app may touch these; in particular
-- caseledger_reader has no grant at all.
REVOKE ALL ON keyring_subject_keys, keyring_tombstones, keyring_practice_keys, keyring_masters, keyring_kdf FROM PUBLIC;
REVOKE ALL ON SEQUENCE keyring_revision FROM PUBLIC;
REVOKE ALL ON FUNCTION keyring_lock(uuid), keyring_create(uuid, bytea, text, bigint[]),
    keyring_shred(uuid, uuid, timestamptz) FROM PUBLIC;
