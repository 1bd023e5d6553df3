package eventstore

import (
	"fmt"
	"sort"
)

// StoredID says where the log already holds an event id. The zero value (empty Stream) means the
// id is not in the log.
type StoredID struct {
	Stream   StreamID
	Version  uint64
	Position Position
}

// ReplayResult decides an append to stream of events some of whose ids are already in the log;
// stored[i] says where events[i].ID is stored. When every event is already in stream at
// consecutive versions in batch order, the append is a retry: ReplayResult returns the original
// result and a nil error, and the store writes nothing. Otherwise it returns an error matching
// ErrDuplicateEvent. Stores share it so that idempotency means the same everywhere.
func ReplayResult(stream StreamID, events []EventData, stored []StoredID) (AppendResult, error) {
	for i, s := range stored {
		if s.Stream != stream || (i > 0 && s.Version != stored[0].Version+uint64(i)) {
			return AppendResult{}, fmt.Errorf("append %s: event %s: %w", stream, events[i].ID, ErrDuplicateEvent)
		}
	}
	last := stored[len(stored)-1]
	return AppendResult{Version: last.Version, Position: last.Position}, nil
}

// SortHeads sorts stream heads by stream id, the order every store reports them in.
func SortHeads(heads []StreamHead) {
	sort.Slice(heads, func(i, j int) bool { return heads[i].Stream < heads[j].Stream })
}
