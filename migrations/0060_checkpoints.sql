-- Signed checkpoints of the event log (eventstore/checkpoint, docs/audit.md).
--
-- checkpoint_signing_keys holds the Ed25519 Tink keysets that sign checkpoints, wrapped by the
-- master AEAD with "caseledger/checkpoint-key/v1:<key_id>" as associated data. key_id is the hex
-- SHA-256 of the raw public key, first 16 bytes. At most one key is active.
CREATE TABLE checkpoint_signing_keys (
    key_id         text PRIMARY KEY CHECK (key_id ~ '^[0-9a-f]{32}$'),
    public_key     bytea NOT NULL CHECK (octet_length(public_key) = 32),
    wrapped_keyset bytea NOT NULL,
    master_id      text NOT NULL,
    active         boolean NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX checkpoint_signing_keys_one_active ON checkpoint_signing_keys (active) WHERE active;

-- checkpoints holds every signed checkpoint with the stream heads it covers, in the canonical
-- binary encoding of docs/audit.md (the log's CheckpointSigned event carries the digest and the
-- signature, not the heads). Rows are never updated or deleted by the application.
CREATE TABLE checkpoints (
    checkpoint_id uuid PRIMARY KEY,
    signed_at     timestamptz NOT NULL,
    key_id        text NOT NULL REFERENCES checkpoint_signing_keys (key_id),
    stream_count  bigint NOT NULL CHECK (stream_count >= 0),
    digest        bytea NOT NULL CHECK (octet_length(digest) = 32),
    signature     bytea NOT NULL CHECK (octet_length(signature) = 64),
    heads         bytea NOT NULL
);
CREATE INDEX checkpoints_signed_at_idx ON checkpoints (signed_at);

ALTER TABLE checkpoint_signing_keys OWNER TO caseledger_owner;
ALTER TABLE checkpoints OWNER TO caseledger_owner;
REVOKE ALL ON checkpoint_signing_keys, checkpoints FROM PUBLIC;
GRANT SELECT, INSERT ON checkpoint_signing_keys, checkpoints TO caseledger_app;
