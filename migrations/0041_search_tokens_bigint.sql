-- The read models' search tokens become 64-bit integers: the first 8 bytes, big-endian and
-- signed, of the keyed blind-index token (keyring.Token) of each note word (rm_notes.search_tokens)
-- and each client name word, email and date of birth (rm_client_tokens.token), which were stored
-- whole, 32 bytes.
--
-- Why: a bytea[] element costs 36 bytes (header and alignment) against 8 for a bigint[] one, and a
-- note has some 30 distinct words. Notes were the widest read-model rows (about 2 KB, four to a
-- page), a fifth of what a rebuild writes; bigint tokens make them about 800 bytes, and the GIN
-- index compares integers rather than byte strings. A client token row and its two indexes shrink
-- by a quarter.
--
-- What it changes for privacy: nothing that matters. The database learns the same thing as before
-- (which rows share a word, never the word); 64 bits of an HMAC are as hard to invert or forge
-- without the key as 256. Two different values collide with probability about 2^-64 per pair,
-- which at worst adds a row without the value to a search's results (a therapist's own note, or a
-- client of the caseload or, for the DPO, of the practice).
--
-- The tokens are converted here, in SQL (the prefix of a token is its new form), so existing read
-- models keep working without a rebuild and without the keys. ALTER TYPE rewrites the partitions
-- and rebuilds their indexes.

CREATE FUNCTION pg_temp.token_bigint(token bytea) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT ('x' || encode(substring(token FROM 1 FOR 8), 'hex'))::bit(64)::bigint
$$;

CREATE FUNCTION pg_temp.tokens_bigint(tokens bytea[]) RETURNS bigint[]
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT coalesce(array_agg(DISTINCT pg_temp.token_bigint(t) ORDER BY pg_temp.token_bigint(t)), '{}')
      FROM unnest(tokens) AS t
$$;

ALTER TABLE rm_notes ALTER COLUMN search_tokens DROP DEFAULT;
ALTER TABLE rm_notes ALTER COLUMN search_tokens TYPE bigint[] USING pg_temp.tokens_bigint(search_tokens);
ALTER TABLE rm_notes ALTER COLUMN search_tokens SET DEFAULT '{}';

ALTER TABLE rm_client_tokens ALTER COLUMN token TYPE bigint USING pg_temp.token_bigint(token);
