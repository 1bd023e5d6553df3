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
	values slabs[any]
	rows   slabs[pendingRow]
}

// valueSlab returns a slab of at least n values.
func (k *slabStock) valueSlab(n int) []any {
	if k == nil || n > valueSlab {
		return make([]any, max(valueSlab, n))
	}
	return k.values.take(valueSlab)
}

// rowSlab returns a slab of pendingSlab pending rows.
func (k *slabStock) rowSlab() []pendingRow {
	if k == nil {
		return make([]pendingRow, pendingSlab)
	}
	return k.rows.take(pendingSlab)
}

// reclaim takes back every slab handed out since the last reclaim. The caller guarantees that
// nothing refers to them any more (the batch they served is written or abandoned).
func (k *slabStock) reclaim() {
	k.values.reclaim()
	k.rows.reclaim()
}

// slabs are the free slabs of one element type and those handed out.
type slabs[T any] struct{ free, used [][]T }

// take hands out a free slab, or a new one of size elements.
func (s *slabs[T]) take(size int) []T {
	var slab []T
	if last := len(s.free) - 1; last >= 0 {
		slab, s.free = s.free[last], s.free[:last]
	} else {
		slab = make([]T, size)
	}
	s.used = append(s.used, slab)
	return slab
}

// reclaim clears the slabs handed out and makes them free.
func (s *slabs[T]) reclaim() {
	for _, slab := range s.used {
		clear(slab)
		s.free = append(s.free, slab)
	}
	s.used = s.used[:0]
}
