package eventstore

import (
	"errors"
	"fmt"
)

// Errors returned by every Store. Test with errors.Is.
var (
	ErrWrongExpectedVersion = errors.New("wrong expected version")
	ErrStreamNotFound       = errors.New("stream not found")
	ErrInvalidInput         = errors.New("invalid input")
	ErrDuplicateEvent       = errors.New("event id already in the log")
)

// WrongExpectedVersionError says what the stream's state was when an Append was refused.
// errors.Is(err, ErrWrongExpectedVersion) holds for it.
type WrongExpectedVersionError struct {
	Stream   StreamID
	Expected ExpectedVersion
	// Exists is false when the stream has no events; Actual is then meaningless.
	Exists bool
	Actual uint64
}

func (e *WrongExpectedVersionError) Error() string {
	actual := "no stream"
	if e.Exists {
		actual = fmt.Sprintf("version %d", e.Actual)
	}
	return fmt.Sprintf("append %s: expected %s, stream is at %s: %v", e.Stream, e.Expected, actual, ErrWrongExpectedVersion)
}

func (e *WrongExpectedVersionError) Unwrap() error { return ErrWrongExpectedVersion }
