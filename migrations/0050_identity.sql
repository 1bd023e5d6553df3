-- Sign-in state that is not history: the email directory, live sessions, integration tokens and
-- emergency-access grants. Users themselves are event-sourced in "user-<uuid>" streams; this holds
-- no email, password, name or free text, only ids, keyed tokens and hashes.

-- user_email_index finds a user by the keyed blind-index token of their normalised email
-- (purpose "user_email"). A unique token makes emails unique without storing them.
CREATE TABLE user_email_index (
    token   bytea PRIMARY KEY CHECK (octet_length(token) BETWEEN 16 AND 64),
    user_id uuid NOT NULL UNIQUE
);

-- api_sessions holds cookie sessions by the SHA-256 of their secret; the secret itself is only in
-- the browser. Idle and absolute expiry are checked by the server's clock against last_seen_at and
-- created_at.
CREATE TABLE api_sessions (
    secret_hash  bytea PRIMARY KEY CHECK (octet_length(secret_hash) = 32),
    session_id   uuid NOT NULL UNIQUE,
    user_id      uuid NOT NULL,
    role         text NOT NULL,
    stage        text NOT NULL CHECK (stage IN ('full', 'enrol_totp')),
    csrf_hash    bytea NOT NULL CHECK (octet_length(csrf_hash) = 32),
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL
);
CREATE INDEX api_sessions_user_idx ON api_sessions (user_id);

-- api_tokens holds bearer tokens for integrations by the SHA-256 of the token.
CREATE TABLE api_tokens (
    token_hash bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    token_id   uuid NOT NULL UNIQUE,
    user_id    uuid NOT NULL,
    role       text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

-- emergency_access lists break-glass grants: a therapist opened a client's record outside their
-- caseload. The stated reason is only in the sealed EmergencyAccessGranted event (stream
-- "emergency-<grant uuid>", sealed under the client's key); this table is the DPO's list.
CREATE TABLE emergency_access (
    grant_id     uuid PRIMARY KEY,
    therapist_id uuid NOT NULL,
    client_id    uuid NOT NULL,
    granted_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    reviewed_at  timestamptz,
    reviewed_by  uuid
);
CREATE INDEX emergency_access_lookup_idx ON emergency_access (therapist_id, client_id, expires_at);
CREATE INDEX emergency_access_granted_idx ON emergency_access (granted_at);

ALTER TABLE user_email_index OWNER TO caseledger_owner;
ALTER TABLE api_sessions OWNER TO caseledger_owner;
ALTER TABLE api_tokens OWNER TO caseledger_owner;
ALTER TABLE emergency_access OWNER TO caseledger_owner;

GRANT SELECT, INSERT, DELETE ON user_email_index TO caseledger_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON api_sessions TO caseledger_app;
GRANT SELECT, INSERT, DELETE ON api_tokens TO caseledger_app;
GRANT SELECT, INSERT, UPDATE ON emergency_access TO caseledger_app;
