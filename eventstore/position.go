package eventstore

import (
	"fmt"
	"strconv"
	"strings"
)

// Position is an opaque cursor into the global order of the log. Callers store it (String,
// ParsePosition) and pass it back; they never do arithmetic on it. The zero value, Start, is
// before the first event.
//
// It has the shape of a KurrentDB position (commit, prepare). The PostgreSQL store uses
// (transaction order, row position).
type Position struct {
	commit  uint64
	prepare uint64
}

// Start is the position before the first event of the log.
var Start = Position{}

// NewPosition builds a position from a store's two components. Only Store implementations call it.
func NewPosition(commit, prepare uint64) Position { return Position{commit: commit, prepare: prepare} }

// Parts returns the two components given to NewPosition. Only Store implementations call it.
func (p Position) Parts() (commit, prepare uint64) { return p.commit, p.prepare }

// Less reports whether p comes before q in global order.
func (p Position) Less(q Position) bool {
	if p.commit != q.commit {
		return p.commit < q.commit
	}
	return p.prepare < q.prepare
}

// String renders p as "commit/prepare"; ParsePosition reads it back.
func (p Position) String() string { return fmt.Sprintf("%d/%d", p.commit, p.prepare) }

// ParsePosition parses the output of Position.String. An empty string is Start.
func ParsePosition(s string) (Position, error) {
	if s == "" {
		return Start, nil
	}
	c, pr, ok := strings.Cut(s, "/")
	if !ok {
		return Position{}, fmt.Errorf("parse position %q: %w", s, ErrInvalidInput)
	}
	commit, err1 := strconv.ParseUint(c, 10, 64)
	prepare, err2 := strconv.ParseUint(pr, 10, 64)
	if err1 != nil || err2 != nil {
		return Position{}, fmt.Errorf("parse position %q: %w", s, ErrInvalidInput)
	}
	return Position{commit: commit, prepare: prepare}, nil
}

// MarshalText and UnmarshalText let a Position travel in JSON as its string form.
func (p Position) MarshalText() ([]byte, error) { return []byte(p.String()), nil }
func (p *Position) UnmarshalText(b []byte) error {
	q, err := ParsePosition(string(b))
	if err != nil {
		return err
	}
	*p = q
	return nil
}
