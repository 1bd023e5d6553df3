package eventstore

import "github.com/google/uuid"

// StreamHead is the last event of a stream: the version and hash a signed checkpoint covers.
type StreamHead struct {
	Stream  StreamID
	Version uint64
	EventID uuid.UUID
	Hash    [32]byte
}

// ChainBreak names the first event at which a stream's hash chain fails, and why. It holds ids
// only.
type ChainBreak struct {
	Stream  StreamID
	Version uint64
	EventID uuid.UUID
	Reason  string
}

// VerifyReport summarises a verification of the log: how much was checked, and the first break.
// OK is true exactly when FirstBreak is nil.
type VerifyReport struct {
	Streams       int
	Events        int64
	BrokenStreams int
	OK            bool
	FirstBreak    *ChainBreak
}

// ChainVerifier recomputes hash chains from events fed to it grouped by stream and in version
// order within each stream (streams may come in any order). It detects an altered event (its hash
// no longer matches its contents), a removed or reordered event (a version gap, or a previous hash
// that does not match the predecessor's hash) and a stream that does not start at version 0.
// Removing the newest events of a stream leaves a valid shorter chain: only a signed checkpoint of
// the stream heads detects that. The zero value is ready to use; it is not safe for concurrent use.
type ChainVerifier struct {
	report  VerifyReport
	stream  StreamID
	started bool
	broken  bool
	version uint64
	hash    [32]byte
}

// Add checks the next event and reports whether its stream's chain still holds.
func (v *ChainVerifier) Add(e RecordedEvent) bool {
	v.report.Events++
	if !v.started || e.StreamID != v.stream {
		v.started, v.stream, v.broken = true, e.StreamID, false
		v.report.Streams++
		if e.Version != 0 {
			return v.fail(e, "the stream does not start at version 0: earlier events are missing")
		}
		v.hash = GenesisHash
	} else {
		if v.broken {
			return false
		}
		if e.Version != v.version+1 {
			return v.fail(e, "version gap after the previous event: events are missing or reordered")
		}
	}
	if e.PrevHash != v.hash {
		return v.fail(e, "previous hash does not match the hash of the preceding event")
	}
	if ChainHash(v.hash, Canonical(e.StreamID, e.Version, e.RecordedAt, e.EventData)) != e.Hash {
		return v.fail(e, "hash does not match the event's contents: the event was altered")
	}
	v.version, v.hash = e.Version, e.Hash
	return true
}

func (v *ChainVerifier) fail(e RecordedEvent, reason string) bool {
	v.broken = true
	v.report.BrokenStreams++
	if v.report.FirstBreak == nil {
		v.report.FirstBreak = &ChainBreak{Stream: e.StreamID, Version: e.Version, EventID: e.ID, Reason: reason}
	}
	return false
}

// Report returns the summary of everything added so far.
func (v *ChainVerifier) Report() VerifyReport {
	r := v.report
	r.OK = r.FirstBreak == nil
	return r
}
