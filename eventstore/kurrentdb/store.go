package kurrentdb

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
)

// maxRaceRetries bounds how often an Any or StreamExists append retries after a concurrent append
// moved the stream between reading its head and appending.
const maxRaceRetries = 100

// Config tunes a Store. The zero value is valid.
type Config struct {
	// Now stamps RecordedAt; nil means time.Now.
	Now func() time.Time
	// TailBatch is the most events Tail reads per catch-up page. Zero means 500.
	TailBatch int
	// Namespace, when set (1 to 32 bytes of [a-z0-9]), keeps this store's streams apart from
	// others on the same server: stream s is stored as "<namespace>~s", and ReadAll and Tail see
	// only the namespace's events. Empty means the server's streams are the store's.
	Namespace string
}

// Validate reports settings out of range.
func (c Config) Validate() error {
	var errs []error
	if c.TailBatch < 0 || c.TailBatch > 100000 {
		errs = append(errs, fmt.Errorf("kurrentdb: TailBatch %d must be 0 (default) to 100000", c.TailBatch))
	}
	if len(c.Namespace) > 32 || strings.Trim(c.Namespace, "abcdefghijklmnopqrstuvwxyz0123456789") != "" {
		errs = append(errs, errors.New("kurrentdb: Namespace must be up to 32 bytes of [a-z0-9]"))
	}
	return errors.Join(errs...)
}

// Store is the event log on KurrentDB. It is safe for concurrent use.
type Store struct {
	client *esdb.Client
	now    func() time.Time
	batch  int
	prefix string // "<namespace>~", or empty
}

var _ eventstore.Store = (*Store)(nil)

// New returns a store on client, which the caller keeps and closes.
func New(client *esdb.Client, cfg Config) (*Store, error) {
	if client == nil {
		return nil, errors.New("kurrentdb: nil client")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Store{client: client, now: cfg.Now, batch: cfg.TailBatch}
	if cfg.Namespace != "" {
		s.prefix = cfg.Namespace + "~"
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.batch == 0 {
		s.batch = 500
	}
	return s, nil
}

// envelope is the metadata JSON of every event: the fields the log needs besides id, type and
// payload. It holds ids, times and hashes only, never personal data.
type envelope struct {
	Format        int       `json:"format"`
	SchemaVersion int       `json:"schema_version"`
	OccurredAt    int64     `json:"occurred_at_us"`
	RecordedAt    int64     `json:"recorded_at_us"`
	ActorID       uuid.UUID `json:"actor_id"`
	ActorRole     string    `json:"actor_role"`
	SubjectID     uuid.UUID `json:"subject_id"`
	KeyID         uint32    `json:"key_id"`
	CorrelationID uuid.UUID `json:"correlation_id"`
	CausationID   uuid.UUID `json:"causation_id"`
	PrevHash      string    `json:"prev_hash"`
	Hash          string    `json:"hash"`
}

// Append implements eventstore.Store.
func (s *Store) Append(ctx context.Context, stream eventstore.StreamID, expected eventstore.ExpectedVersion, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	if err := eventstore.ValidateAppend(stream, events); err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("append %s: %w", stream, err)
	}
	for attempt := 0; ; attempt++ {
		head, exists, err := s.head(ctx, stream)
		if err != nil {
			return eventstore.AppendResult{}, err
		}
		// A retry whose expected version still holds (Any, StreamExists) finds its own last event
		// at the head: KurrentDB would write the batch again at the new revision, so the retry is
		// recognised here. Refused appends may be retries too.
		retried := exists && slices.ContainsFunc(events, func(e eventstore.EventData) bool { return e.ID == head.ID })
		if retried || !expected.Satisfied(exists, head.Version) {
			if res, done, err := s.replayed(ctx, stream, events); done || err != nil {
				return res, err
			}
			return eventstore.AppendResult{}, &eventstore.WrongExpectedVersionError{Stream: stream, Expected: expected, Exists: exists, Actual: head.Version}
		}
		next, prev, rev := uint64(0), eventstore.GenesisHash, esdb.ExpectedRevision(esdb.NoStream{})
		if exists {
			next, prev, rev = head.Version+1, head.Hash, esdb.Revision(head.Version)
		}
		data, err := s.encode(stream, next, prev, events)
		if err != nil {
			return eventstore.AppendResult{}, err
		}
		wr, err := s.client.AppendToStream(ctx, s.prefix+string(stream), esdb.AppendToStreamOptions{ExpectedRevision: rev}, data...)
		if err == nil {
			return eventstore.AppendResult{Version: next + uint64(len(events)) - 1, Position: eventstore.NewPosition(wr.CommitPosition, wr.PreparePosition)}, nil
		}
		if isCode(err, esdb.ErrorCodeWrongExpectedVersion) && attempt < maxRaceRetries {
			// The stream moved between reading its head and appending: decide again on a fresh
			// head, which retries Any and StreamExists, and refuses or recognises a retry otherwise.
			continue
		}
		return eventstore.AppendResult{}, fmt.Errorf("append %s: %w", stream, err)
	}
}

// encode builds the KurrentDB events of a batch starting at version next after prev, with the
// hash chain in the metadata.
func (s *Store) encode(stream eventstore.StreamID, next uint64, prev [32]byte, events []eventstore.EventData) ([]esdb.EventData, error) {
	recordedAt := eventstore.TruncateMicros(s.now())
	out := make([]esdb.EventData, len(events))
	for i, e := range events {
		e.OccurredAt = eventstore.TruncateMicros(e.OccurredAt)
		h := eventstore.ChainHash(prev, eventstore.Canonical(stream, next+uint64(i), recordedAt, e))
		meta, err := json.Marshal(envelope{
			Format: 1, SchemaVersion: e.SchemaVersion,
			OccurredAt: eventstore.Micros(e.OccurredAt), RecordedAt: eventstore.Micros(recordedAt),
			ActorID: e.Actor.UserID, ActorRole: e.Actor.Role, SubjectID: e.Subject, KeyID: e.KeyID,
			CorrelationID: e.CorrelationID, CausationID: e.CausationID,
			PrevHash: hex.EncodeToString(prev[:]), Hash: hex.EncodeToString(h[:]),
		})
		if err != nil {
			return nil, fmt.Errorf("append %s: encode envelope: %w", stream, err)
		}
		out[i] = esdb.EventData{EventID: e.ID, EventType: e.Type, ContentType: esdb.ContentTypeBinary, Data: e.Payload, Metadata: meta}
		prev = h
	}
	return out, nil
}

// head returns the last event of stream; exists is false when it has none.
func (s *Store) head(ctx context.Context, stream eventstore.StreamID) (eventstore.RecordedEvent, bool, error) {
	recs, err := s.read(ctx, stream, esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.End{}}, 1)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return eventstore.RecordedEvent{}, false, nil
	}
	if err != nil || len(recs) == 0 {
		return eventstore.RecordedEvent{}, false, err
	}
	return recs[0], true, nil
}

// replayed decides an append refused for its expected version: when its event ids are already in
// stream, it is a retry (or a duplicate) and eventstore.ReplayResult decides.
func (s *Store) replayed(ctx context.Context, stream eventstore.StreamID, events []eventstore.EventData) (eventstore.AppendResult, bool, error) {
	want := map[uuid.UUID]int{}
	for i, e := range events {
		want[e.ID] = i
	}
	stored := make([]eventstore.StoredID, len(events))
	found := false
	var from uint64
	for {
		recs, err := s.ReadStream(ctx, stream, from, 1000)
		if errors.Is(err, eventstore.ErrStreamNotFound) {
			return eventstore.AppendResult{}, false, nil
		}
		if err != nil {
			return eventstore.AppendResult{}, false, err
		}
		for _, r := range recs {
			if i, ok := want[r.ID]; ok {
				stored[i] = eventstore.StoredID{Stream: stream, Version: r.Version, Position: r.Position}
				found = true
			}
		}
		if len(recs) < 1000 {
			break
		}
		from = recs[len(recs)-1].Version + 1
	}
	if !found {
		return eventstore.AppendResult{}, false, nil
	}
	res, err := eventstore.ReplayResult(stream, events, stored)
	return res, true, err
}

// ReadStream implements eventstore.Store.
func (s *Store) ReadStream(ctx context.Context, stream eventstore.StreamID, from uint64, limit int) ([]eventstore.RecordedEvent, error) {
	if err := stream.Validate(); err != nil {
		return nil, fmt.Errorf("read %s: %w", stream, err)
	}
	if limit <= 0 {
		if _, exists, err := s.head(ctx, stream); err != nil || !exists {
			return nil, errors.Join(err, fmt.Errorf("read %s: %w", stream, eventstore.ErrStreamNotFound))
		}
		return []eventstore.RecordedEvent{}, nil
	}
	recs, err := s.read(ctx, stream, esdb.ReadStreamOptions{Direction: esdb.Forwards, From: esdb.Revision(from)}, uint64(limit))
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 && from > 0 {
		if _, exists, err := s.head(ctx, stream); err != nil || !exists {
			return nil, errors.Join(err, fmt.Errorf("read %s: %w", stream, eventstore.ErrStreamNotFound))
		}
	}
	return recs, nil
}

func (s *Store) read(ctx context.Context, stream eventstore.StreamID, opts esdb.ReadStreamOptions, n uint64) ([]eventstore.RecordedEvent, error) {
	rs, err := s.client.ReadStream(ctx, s.prefix+string(stream), opts, n)
	if err != nil {
		return nil, mapReadErr(stream, err)
	}
	defer rs.Close()
	out := []eventstore.RecordedEvent{}
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, mapReadErr(stream, err)
		}
		r, err := s.decode(ev.Event)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
}

func mapReadErr(stream eventstore.StreamID, err error) error {
	if isCode(err, esdb.ErrorCodeResourceNotFound) {
		return fmt.Errorf("read %s: %w", stream, eventstore.ErrStreamNotFound)
	}
	return fmt.Errorf("read %s: %w", stream, err)
}

// ReadAll implements eventstore.Store. KurrentDB's system events ($-prefixed streams and types)
// are left out.
func (s *Store) ReadAll(ctx context.Context, from eventstore.Position, limit int) ([]eventstore.RecordedEvent, error) {
	out := []eventstore.RecordedEvent{}
	for len(out) < limit {
		// One more than needed: reading from a position includes the event at it.
		want := uint64(limit-len(out)) + 1
		rs, err := s.client.ReadAll(ctx, esdb.ReadAllOptions{Direction: esdb.Forwards, From: allPosition(from)}, want)
		if err != nil {
			return nil, fmt.Errorf("read all after %s: %w", from, err)
		}
		got, last, n, err := s.drainAll(rs, from, limit-len(out))
		if err != nil {
			return nil, fmt.Errorf("read all after %s: %w", from, err)
		}
		out = append(out, got...)
		if n < want {
			break // the end of $all
		}
		from = last
	}
	return out, nil
}

// drainAll reads rs to the end and returns the user events strictly after from (at most limit),
// the position of the last event read, and how many events were read.
func (s *Store) drainAll(rs *esdb.ReadStream, from eventstore.Position, limit int) ([]eventstore.RecordedEvent, eventstore.Position, uint64, error) {
	defer rs.Close()
	var (
		out  []eventstore.RecordedEvent
		n    uint64
		last = from
	)
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return out, last, n, nil
		}
		if err != nil {
			return nil, last, n, err
		}
		n++
		e := ev.OriginalEvent()
		pos := eventstore.NewPosition(e.Position.Commit, e.Position.Prepare)
		if !from.Less(pos) || len(out) >= limit {
			continue
		}
		last = pos
		if !s.own(e) {
			continue
		}
		r, err := s.decode(e)
		if err != nil {
			return nil, last, n, err
		}
		out = append(out, r)
	}
}

func allPosition(p eventstore.Position) esdb.AllPosition {
	if p == eventstore.Start {
		return esdb.Start{}
	}
	c, pr := p.Parts()
	return esdb.Position{Commit: c, Prepare: pr}
}

func isCode(err error, code esdb.ErrorCode) bool {
	var e *esdb.Error
	return errors.As(err, &e) && e.IsErrorCode(code)
}

// own reports whether e is one of this store's events: not a KurrentDB system event ($-prefixed
// stream or type), and in the store's namespace.
func (s *Store) own(e *esdb.RecordedEvent) bool {
	return !strings.HasPrefix(e.StreamID, "$") && !strings.HasPrefix(e.EventType, "$") && strings.HasPrefix(e.StreamID, s.prefix)
}

// Tail implements eventstore.Store: it catches up with ReadAll pages, then follows a $all
// subscription (which KurrentDB pushes; no polling), one event per batch.
func (s *Store) Tail(ctx context.Context, from eventstore.Position, handle func([]eventstore.RecordedEvent) error) error {
	for {
		batch, err := s.ReadAll(ctx, from, s.batch)
		if err != nil {
			return fmt.Errorf("tail: %w", err)
		}
		if len(batch) == 0 {
			break
		}
		if err := handle(batch); err != nil {
			return err
		}
		from = batch[len(batch)-1].Position
	}
	filter := esdb.ExcludeSystemEventsFilter()
	if s.prefix != "" {
		filter = &esdb.SubscriptionFilter{Type: esdb.StreamFilterType, Prefixes: []string{s.prefix}}
	}
	sub, err := s.client.SubscribeToAll(ctx, esdb.SubscribeToAllOptions{From: allPosition(from), Filter: filter})
	if err != nil {
		return fmt.Errorf("tail: subscribe: %w", err)
	}
	defer sub.Close()
	for {
		msg := sub.Recv()
		if err := ctx.Err(); err != nil {
			return err
		}
		switch {
		case msg.SubscriptionDropped != nil:
			return fmt.Errorf("tail: subscription dropped: %w", msg.SubscriptionDropped.Error)
		case msg.EventAppeared != nil:
			e := msg.EventAppeared.OriginalEvent()
			pos := eventstore.NewPosition(e.Position.Commit, e.Position.Prepare)
			if !from.Less(pos) || !s.own(e) {
				continue
			}
			r, err := s.decode(e)
			if err != nil {
				return fmt.Errorf("tail: %w", err)
			}
			if err := handle([]eventstore.RecordedEvent{r}); err != nil {
				return err
			}
			from = pos
		}
	}
}

// decode rebuilds a RecordedEvent from a KurrentDB event and its metadata envelope.
func (s *Store) decode(e *esdb.RecordedEvent) (eventstore.RecordedEvent, error) {
	var env envelope
	if err := json.Unmarshal(e.UserMetadata, &env); err != nil || env.Format != 1 {
		return eventstore.RecordedEvent{}, fmt.Errorf("decode %s@%d: metadata is not a Caseledger envelope", e.StreamID, e.EventNumber)
	}
	r := eventstore.RecordedEvent{
		EventData: eventstore.EventData{
			ID: e.EventID, Type: e.EventType, SchemaVersion: env.SchemaVersion,
			OccurredAt: time.UnixMicro(env.OccurredAt).UTC(),
			Actor:      eventstore.Actor{UserID: env.ActorID, Role: env.ActorRole},
			Subject:    env.SubjectID, KeyID: env.KeyID,
			CorrelationID: env.CorrelationID, CausationID: env.CausationID,
			Payload: e.Data,
		},
		StreamID:   eventstore.StreamID(strings.TrimPrefix(e.StreamID, s.prefix)),
		Version:    e.EventNumber,
		Position:   eventstore.NewPosition(e.Position.Commit, e.Position.Prepare),
		RecordedAt: time.UnixMicro(env.RecordedAt).UTC(),
	}
	if r.Payload == nil {
		r.Payload = []byte{}
	}
	if err := decodeHash(env.PrevHash, &r.PrevHash); err != nil {
		return eventstore.RecordedEvent{}, fmt.Errorf("decode %s@%d: previous hash: %w", e.StreamID, e.EventNumber, err)
	}
	if err := decodeHash(env.Hash, &r.Hash); err != nil {
		return eventstore.RecordedEvent{}, fmt.Errorf("decode %s@%d: hash: %w", e.StreamID, e.EventNumber, err)
	}
	return r, nil
}

func decodeHash(s string, out *[32]byte) error {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		return errors.New("not 32 bytes of hex")
	}
	copy(out[:], b)
	return nil
}
