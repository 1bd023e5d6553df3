package projections

import (
	"slices"
	"testing"
)

// TestRebuildNotesTablesFoundByClient: in a rebuild's batch, statements that find rows by client
// name their tables once each, so that their client indexes are built before the batch is
// written; an incremental batch, whose generation is indexed, names none.
func TestRebuildNotesTablesFoundByClient(t *testing.T) {
	t.Parallel()
	rebuild := &queue{gen: 2, copy: true}
	tx := Tx{Generation: 2, q: rebuild}
	tx.ExecByClient("rm_appointments", `UPDATE rm_appointments SET therapist_id = $3 WHERE generation = $1 AND client_id = $2`, 2, nil, nil)
	tx.ExecByClient("rm_audit_trail", `UPDATE rm_audit_trail SET accessed_id = NULL WHERE generation = $1 AND subject_id = $2`, 2, nil)
	tx.ExecByClient("rm_appointments", `DELETE FROM rm_appointments WHERE generation = $1 AND client_id = $2`, 2, nil)
	if got, want := rebuild.clientTables, []string{"rm_appointments", "rm_audit_trail"}; !slices.Equal(got, want) {
		t.Errorf("rebuild batch names %v; want %v", got, want)
	}
	if len(rebuild.steps) != 3 {
		t.Errorf("%d statements queued; want 3", len(rebuild.steps))
	}
	live := &queue{gen: 1}
	Tx{Generation: 1, q: live}.ExecByClient("rm_appointments", `DELETE FROM rm_appointments WHERE generation = $1 AND client_id = $2`, 1, nil)
	if len(live.clientTables) != 0 || len(live.steps) != 1 {
		t.Errorf("incremental batch: tables %v, %d statements; want none and 1", live.clientTables, len(live.steps))
	}
}
