package projections

import (
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/caseledger/caseledger/domain"
)

// columnArray returns one column's values as an array parameter for PostgreSQL type typ (as
// format_type names it). The values are converted once into a typed slice, which pgx then encodes
// in binary without allocating per element (see column). Values of a Go type this does not expect
// for typ fall back to a []any, which encodes correctly, only much slower: pgx plans every element
// again.
func columnArray(typ string, vals []any) any {
	ok := true
	switch typ {
	case "uuid":
		a := make(column[uuidElem], len(vals))
		for i, v := range vals {
			switch v := v.(type) {
			case uuid.UUID:
				a[i] = uuidElem{Bytes: v, Valid: true}
			case domain.ID:
				a[i] = uuidElem{Bytes: v, Valid: true}
			case *uuid.UUID:
				if v != nil {
					a[i] = uuidElem{Bytes: *v, Valid: true}
				}
			case nil:
			default:
				ok = false
			}
		}
		if ok {
			return a
		}
	case "text":
		a := make(column[textElem], len(vals))
		for i, v := range vals {
			switch v := v.(type) {
			case string:
				a[i] = textElem{String: v, Valid: true}
			case *string:
				if v != nil {
					a[i] = textElem{String: *v, Valid: true}
				}
			case nil:
			default:
				ok = false
			}
		}
		if ok {
			return a
		}
	case "timestamp with time zone":
		a := make(column[timeElem], len(vals))
		for i, v := range vals {
			switch v := v.(type) {
			case time.Time:
				a[i] = timeElem{Time: v, Valid: true}
			case *time.Time:
				if v != nil {
					a[i] = timeElem{Time: *v, Valid: true}
				}
			case nil:
			default:
				ok = false
			}
		}
		if ok {
			return a
		}
	case "bytea":
		a := make(column[bytesElem], len(vals))
		for i, v := range vals {
			switch v := v.(type) {
			case []byte:
				a[i] = v
			case nil:
			default:
				ok = false
			}
		}
		if ok {
			return a
		}
	case "integer", "bigint":
		a := make(column[int8Elem], len(vals))
		for i, v := range vals {
			switch v := v.(type) {
			case int:
				a[i] = int8Elem{Int64: int64(v), Valid: true}
			case int32:
				a[i] = int8Elem{Int64: int64(v), Valid: true}
			case int64:
				a[i] = int8Elem{Int64: v, Valid: true}
			case *int64:
				if v != nil {
					a[i] = int8Elem{Int64: *v, Valid: true}
				}
			case nil:
			default:
				ok = false
			}
		}
		// An integer column takes the same elements: pgx checks each is within int4's range.
		if ok {
			return a
		}
	case "boolean":
		a := make(column[boolElem], len(vals))
		for i, v := range vals {
			switch v := v.(type) {
			case bool:
				a[i] = boolElem{Bool: v, Valid: true}
			case nil:
			default:
				ok = false
			}
		}
		if ok {
			return a
		}
	}
	return vals
}

// column is one column's values as a pgtype.ArrayGetter. Index hands pgx a pointer to the element
// (an interface holds a pointer without allocating) whose type implements the valuer interface of
// the element type's codec (pgtype.UUIDValuer and so on); pgx sends an element that is not Valid,
// or nil bytes, as NULL. A slice of values would instead be boxed element by element through
// reflection.
type column[E any] []E

func (c column[E]) Dimensions() []pgtype.ArrayDimension {
	return []pgtype.ArrayDimension{{Length: int32(len(c)), LowerBound: 1}}
}

func (c column[E]) Index(i int) any { return &c[i] }

func (c column[E]) IndexType() any { return new(E) }

// The element types: pgtype's, with the valuer methods on their pointers.
type (
	uuidElem  pgtype.UUID
	textElem  pgtype.Text
	timeElem  pgtype.Timestamptz
	int8Elem  pgtype.Int8
	boolElem  pgtype.Bool
	bytesElem []byte
)

func (e *uuidElem) UUIDValue() (pgtype.UUID, error)               { return pgtype.UUID(*e), nil }
func (e *textElem) TextValue() (pgtype.Text, error)               { return pgtype.Text(*e), nil }
func (e *timeElem) TimestamptzValue() (pgtype.Timestamptz, error) { return pgtype.Timestamptz(*e), nil }
func (e *int8Elem) Int64Value() (pgtype.Int8, error)              { return pgtype.Int8(*e), nil }
func (e *boolElem) BoolValue() (pgtype.Bool, error)               { return pgtype.Bool(*e), nil }
func (e *bytesElem) BytesValue() ([]byte, error)                  { return *e, nil }
