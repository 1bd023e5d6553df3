-- The DPO's queue of open erasure requests (projections.Reader.OpenErasureRequests) reads the
-- audit trail's erasure events per data subject. This partial index holds only those events, so
-- the queue does not scan the trail. Like every secondary index of a read model it is built per
-- partition (projection_indexes, migration 0034); the active generation's partition gets it here.
INSERT INTO projection_indexes (table_name, index_name, definition) VALUES
    ('rm_audit_trail', 'erasure', '(subject_id, seq) WHERE event_type IN (''ErasureRequested'', ''ErasureApproved'', ''ErasureRefused'', ''ErasureDeferred'', ''SubjectErased'')');
SELECT projection_partitions_index(name, generation) FROM projection_checkpoints WHERE active;
