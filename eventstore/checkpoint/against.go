package checkpoint

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/caseledger/caseledger/eventstore"
)

// StreamReader reads a stream of the log; eventstore.Store satisfies it.
type StreamReader interface {
	ReadStream(ctx context.Context, stream eventstore.StreamID, from uint64, limit int) ([]eventstore.RecordedEvent, error)
}

// Mismatch names a stream whose history no longer matches a signed checkpoint, and how.
type Mismatch struct {
	Stream     eventstore.StreamID `json:"stream"`
	Version    uint64              `json:"version"`
	Checkpoint string              `json:"checkpoint"`
	Reason     string              `json:"reason"`
}

// Report is the outcome of VerifyAgainst. OK is true exactly when Mismatches is empty.
type Report struct {
	Checkpoints int        `json:"checkpoints"`
	Streams     int        `json:"streams"`
	Events      int64      `json:"events"`
	OK          bool       `json:"ok"`
	Mismatches  []Mismatch `json:"mismatches"`
}

// signedHash is the hash a checkpoint signed for one version of a stream.
type signedHash struct {
	hash       Hash
	checkpoint string
}

// readBatch is how many events VerifyAgainst reads per round trip.
const readBatch = 5000

// VerifyAgainst checks the log against the signed checkpoints of f (read with ReadFile, so every
// signature already holds). For every stream any checkpoint covers, it reads the stream from
// version 0 through the highest checkpointed version, recomputes the hash chain, and requires the
// event at each checkpointed version to carry exactly the signed hash. It so detects an altered
// event, a removed event (including a stream's newest ones), and a consistent rewrite whose
// author recomputed every later hash. Each broken stream is reported once, with its first
// mismatch, in the order the checkpoints first name the streams. Events appended after the last
// checkpoint are checked only by the chain. Up to verifyWorkers streams are read at once. The
// error is for failing to read the log; a mismatch is a report with OK false.
func VerifyAgainst(ctx context.Context, log StreamReader, f File) (Report, error) {
	want := map[eventstore.StreamID]map[uint64]signedHash{}
	var order []eventstore.StreamID
	rep := Report{Checkpoints: len(f.Checkpoints), Mismatches: []Mismatch{}}
	for _, cp := range f.Checkpoints {
		for _, h := range cp.Heads {
			m, ok := want[h.Stream]
			if !ok {
				m = map[uint64]signedHash{}
				want[h.Stream] = m
				order = append(order, h.Stream)
			}
			if prev, dup := m[h.Version]; dup && prev.hash != h.Hash {
				rep.Mismatches = append(rep.Mismatches, Mismatch{Stream: h.Stream, Version: h.Version, Checkpoint: cp.ID.String(),
					Reason: "two checkpoints sign different hashes for this version"})
				continue
			}
			m[h.Version] = signedHash{hash: h.Hash, checkpoint: cp.ID.String()}
		}
	}
	broken := map[eventstore.StreamID]bool{}
	for _, m := range rep.Mismatches {
		broken[m.Stream] = true
	}
	rep.Streams = len(order)
	type result struct {
		events   int64
		mismatch *Mismatch
		err      error
	}
	results := make([]result, len(order))
	next := make(chan int)
	var wg sync.WaitGroup
	for range verifyWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r := &results[i]
				r.events, r.mismatch, r.err = checkStream(ctx, log, order[i], want[order[i]])
			}
		}()
	}
	for i, stream := range order {
		if !broken[stream] {
			next <- i
		}
	}
	close(next)
	wg.Wait()
	for _, r := range results {
		if r.err != nil {
			return Report{}, r.err
		}
		rep.Events += r.events
		if r.mismatch != nil {
			rep.Mismatches = append(rep.Mismatches, *r.mismatch)
		}
	}
	rep.OK = len(rep.Mismatches) == 0
	return rep, nil
}

// verifyWorkers is how many streams VerifyAgainst reads at once.
const verifyWorkers = 4

// checkStream reads stream from version 0 through its highest signed version, recomputing the
// chain and comparing the signed hashes, and returns the events read and the first mismatch.
func checkStream(ctx context.Context, log StreamReader, stream eventstore.StreamID, versions map[uint64]signedHash) (int64, *Mismatch, error) {
	var last uint64
	for v := range versions {
		last = max(last, v)
	}
	fail := func(v uint64, reason string) *Mismatch {
		cp, best := "", uint64(math.MaxUint64)
		for sv, s := range versions { // the earliest checkpointed version at or after v
			if sv >= v && sv <= best {
				cp, best = s.checkpoint, sv
			}
		}
		return &Mismatch{Stream: stream, Version: v, Checkpoint: cp, Reason: reason}
	}
	var (
		chain  eventstore.ChainVerifier
		from   uint64
		events int64
	)
	for from <= last {
		recs, err := log.ReadStream(ctx, stream, from, readBatch)
		if err != nil && !errors.Is(err, eventstore.ErrStreamNotFound) {
			return events, nil, fmt.Errorf("verify against checkpoints: %s: %w", stream, err)
		}
		for _, r := range recs {
			if r.Version > last {
				return events, nil, nil
			}
			if r.Version != from {
				return events, fail(from, "the event at this version is missing: events were removed"), nil
			}
			events++
			if !chain.Add(r) {
				return events, fail(r.Version, "hash chain broken: "+chain.Report().FirstBreak.Reason), nil
			}
			if s, ok := versions[r.Version]; ok && Hash(r.Hash) != s.hash {
				return events, fail(r.Version, "the event's hash differs from the signed checkpoint: history was rewritten"), nil
			}
			from = r.Version + 1
		}
		if len(recs) < readBatch {
			break
		}
	}
	if from <= last {
		return events, fail(from, "the stream ends before a checkpointed version: events were removed"), nil
	}
	return events, nil, nil
}
