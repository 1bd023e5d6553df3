package domain

import (
	"errors"
	"fmt"
)

// Kind classifies an error for callers: exactly one function in api/ maps kinds to HTTP statuses.
type Kind string

// The kinds of domain error. Codes (Error.Code) refine a kind into a stable, documented reason.
const (
	KindInvalid   Kind = "invalid"   // bad input; nothing was written
	KindNotFound  Kind = "not_found" // missing, or not visible to this actor (never "forbidden" for records)
	KindForbidden Kind = "forbidden" // the actor's role may never do this
	KindConflict  Kind = "conflict"  // the state does not allow it now (already signed, slot taken)
	KindErased    Kind = "erased"    // the data subject was erased; their data no longer exists
)

// Sentinel errors, one per kind, for errors.Is.
var (
	ErrInvalid   = errors.New("invalid")
	ErrNotFound  = errors.New("not found")
	ErrForbidden = errors.New("forbidden")
	ErrConflict  = errors.New("conflict")
	ErrErased    = errors.New("subject erased")
)

// Error is a domain error: a kind, a stable machine-readable code (e.g. "note_signed"), and a message.
// Messages carry ids and field names, never personal data or clinical content.
type Error struct {
	Kind    Kind
	Code    string
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Is makes errors.Is(err, ErrNotFound) and friends hold for an Error of that kind.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrInvalid:
		return e.Kind == KindInvalid
	case ErrNotFound:
		return e.Kind == KindNotFound
	case ErrForbidden:
		return e.Kind == KindForbidden
	case ErrConflict:
		return e.Kind == KindConflict
	case ErrErased:
		return e.Kind == KindErased
	}
	return false
}

// Invalid returns a KindInvalid error with code "invalid_<field>".
func Invalid(field, msg string) *Error {
	return &Error{Kind: KindInvalid, Code: "invalid_" + field, Message: field + ": " + msg}
}

// NotFound returns a KindNotFound error for an entity of the given kind and id.
func NotFound(entity string, id ID) *Error {
	return &Error{Kind: KindNotFound, Code: entity + "_not_found", Message: entity + " " + id.String() + " not found"}
}

// Forbidden returns a KindForbidden error with the given code.
func Forbidden(code, msg string) *Error { return &Error{Kind: KindForbidden, Code: code, Message: msg} }

// Conflict returns a KindConflict error with the given code.
func Conflict(code, msg string) *Error { return &Error{Kind: KindConflict, Code: code, Message: msg} }

// KindOf returns the kind of err, or "" when err is not (and wraps no) domain Error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}
