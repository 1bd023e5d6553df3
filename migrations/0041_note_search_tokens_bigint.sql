-- A note's search tokens become 64-bit integers: the first 8 bytes, big-endian and signed, of
-- the keyed blind-index token of each word (keyring.Token, purpose "note-word"), which was stored
-- whole, 32 bytes.
--
-- Why: a bytea[] element costs 36 bytes (header and alignment) against 8 for a bigint[] one, and a
-- note has some 30 distinct words. Notes were the widest read-model rows (about 2 KB, four to a
-- page), a fifth of what a rebuild writes; bigint tokens make them about 700 bytes, and the GIN
-- index compares integers rather than byte strings.
--
-- What it changes for privacy: nothing that matters. The database learns the same thing as before
-- (which notes share a word, never the word); 64 bits of an HMAC are as hard to invert or forge
-- without the key as 256. Two different words of one therapist's notes collide with probability
-- about 2^-64 per pair, which would make a search return a note that lacks the word; the search
-- results are the author's own notes, whose bodies they decrypt.
--
-- The tokens are converted here, in SQL (the prefix of a token is its new form), so existing read
-- models keep working without a rebuild and without the keys. ALTER TYPE rewrites the partitions
-- of rm_notes and rebuilds their GIN indexes.

CREATE FUNCTION pg_temp.note_tokens_bigint(tokens bytea[]) RETURNS bigint[]
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT coalesce(array_agg(DISTINCT ('x' || encode(substring(t FROM 1 FOR 8), 'hex'))::bit(64)::bigint
                              ORDER BY ('x' || encode(substring(t FROM 1 FOR 8), 'hex'))::bit(64)::bigint),
                    '{}')
      FROM unnest(tokens) AS t
$$;

ALTER TABLE rm_notes ALTER COLUMN search_tokens DROP DEFAULT;
ALTER TABLE rm_notes ALTER COLUMN search_tokens TYPE bigint[] USING pg_temp.note_tokens_bigint(search_tokens);
ALTER TABLE rm_notes ALTER COLUMN search_tokens SET DEFAULT '{}';
