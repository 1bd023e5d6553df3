package projections

// pendingSlab is how many pending rows a segment allocates at once.
const pendingSlab = 256

// valueSlab is how many values a segment allocates at once for its rows.
const valueSlab = 4096

// slabStock is where the segments of a rebuild's batches take their slabs of pending rows and
// values from. A batch's segments are garbage once it is written, so the stock takes their slabs
// back (cleared, so that they keep no value alive) for the projector's next batch: a rebuild
// allocates them once instead of once per batch, some 90 MB per rebuild of 200,000 events.
// Outside a rebuild segments allocate their slabs (a nil *slabStock).
type slabStock struct {
	free, used         [][]any
	freeRows, usedRows [][]pendingRow
}

// values returns a slab of at least n values.
func (k *slabStock) values(n int) []any {
	if k == nil || n > valueSlab {
		return make([]any, max(valueSlab, n))
	}
	var s []any
	if last := len(k.free) - 1; last >= 0 {
		s, k.free = k.free[last], k.free[:last]
	} else {
		s = make([]any, valueSlab)
	}
	k.used = append(k.used, s)
	return s
}

// rows returns a slab of pendingSlab pending rows.
func (k *slabStock) rows() []pendingRow {
	if k == nil {
		return make([]pendingRow, pendingSlab)
	}
	var s []pendingRow
	if last := len(k.freeRows) - 1; last >= 0 {
		s, k.freeRows = k.freeRows[last], k.freeRows[:last]
	} else {
		s = make([]pendingRow, pendingSlab)
	}
	k.usedRows = append(k.usedRows, s)
	return s
}

// reclaim takes back every slab handed out since the last reclaim. The caller guarantees that
// nothing refers to them any more (the batch they served is written or abandoned).
func (k *slabStock) reclaim() {
	for _, s := range k.used {
		clear(s)
		k.free = append(k.free, s)
	}
	for _, s := range k.usedRows {
		clear(s)
		k.freeRows = append(k.freeRows, s)
	}
	k.used, k.usedRows = k.used[:0], k.usedRows[:0]
}
