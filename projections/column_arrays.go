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
// again, and a uuid.UUID goes through its text form.
func columnArray(typ string, vals []any) any {
	ok := true
	switch typ {
	case "uuid":
		a := make([]pgtype.UUID, len(vals))
		for i, v := range vals {
			switch v := v.(type) {
			case uuid.UUID:
				a[i] = pgtype.UUID{Bytes: v, Valid: true}
			case domain.ID:
				a[i] = pgtype.UUID{Bytes: v, Valid: true}
			case *uuid.UUID:
				if v != nil {
					a[i] = pgtype.UUID{Bytes: *v, Valid: true}
				}
			case nil:
			default:
				ok = false
			}
		}
		if ok {
			return column[pgtype.UUID]{vals: a, ref: uuidRef, sample: uuidElem{&pgtype.UUID{}}}
		}
	case "text":
		a := make([]pgtype.Text, len(vals))
		for i, v := range vals {
			switch v := v.(type) {
			case string:
				a[i] = pgtype.Text{String: v, Valid: true}
			case *string:
				if v != nil {
					a[i] = pgtype.Text{String: *v, Valid: true}
				}
			case nil:
			default:
				ok = false
			}
		}
		if ok {
			return column[pgtype.Text]{vals: a, ref: textRef, sample: textElem{&pgtype.Text{}}}
		}
	case "timestamp with time zone":
		a := make([]pgtype.Timestamptz, len(vals))
		for i, v := range vals {
			switch v := v.(type) {
			case time.Time:
				a[i] = pgtype.Timestamptz{Time: v, Valid: true}
			case *time.Time:
				if v != nil {
					a[i] = pgtype.Timestamptz{Time: *v, Valid: true}
				}
			case nil:
			default:
				ok = false
			}
		}
		if ok {
			return column[pgtype.Timestamptz]{vals: a, ref: timeRef, sample: timeElem{&pgtype.Timestamptz{}}}
		}
	case "bytea":
		a := make([][]byte, len(vals))
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
			return column[[]byte]{vals: a, ref: bytesRef, sample: bytesElem{&[]byte{}}}
		}
	case "integer", "bigint":
		a := make([]pgtype.Int8, len(vals))
		for i, v := range vals {
			switch v := v.(type) {
			case int:
				a[i] = pgtype.Int8{Int64: int64(v), Valid: true}
			case int32:
				a[i] = pgtype.Int8{Int64: int64(v), Valid: true}
			case int64:
				a[i] = pgtype.Int8{Int64: v, Valid: true}
			case *int64:
				if v != nil {
					a[i] = pgtype.Int8{Int64: *v, Valid: true}
				}
			case nil:
			default:
				ok = false
			}
		}
		// An integer column takes the same elements: pgx checks each is within int4's range.
		if ok {
			return column[pgtype.Int8]{vals: a, ref: int8Ref, sample: int8Elem{&pgtype.Int8{}}}
		}
	case "boolean":
		a := make([]pgtype.Bool, len(vals))
		for i, v := range vals {
			switch v := v.(type) {
			case bool:
				a[i] = pgtype.Bool{Bool: v, Valid: true}
			case nil:
			default:
				ok = false
			}
		}
		if ok {
			return column[pgtype.Bool]{vals: a, ref: boolRef, sample: boolElem{&pgtype.Bool{}}}
		}
	}
	return vals
}

// column is one column's values as a pgtype.ArrayGetter. Index hands pgx a reference to the
// element: a struct of one pointer, which an interface holds without allocating, implementing the
// valuer interface of the element type's codec (pgtype.UUIDValuer and so on); a NULL element is
// nil. A slice of values would instead be boxed element by element through reflection.
type column[T any] struct {
	vals []T
	// ref returns the reference to *v, or nil when *v is NULL.
	ref func(v *T) any
	// sample is a non-NULL reference of the element type, for pgx to plan the encoding with.
	sample any
}

func (c column[T]) Dimensions() []pgtype.ArrayDimension {
	return []pgtype.ArrayDimension{{Length: int32(len(c.vals)), LowerBound: 1}}
}

func (c column[T]) Index(i int) any { return c.ref(&c.vals[i]) }

func (c column[T]) IndexType() any { return c.sample }

type (
	uuidElem  struct{ p *pgtype.UUID }
	textElem  struct{ p *pgtype.Text }
	timeElem  struct{ p *pgtype.Timestamptz }
	int8Elem  struct{ p *pgtype.Int8 }
	boolElem  struct{ p *pgtype.Bool }
	bytesElem struct{ p *[]byte }
)

func (e uuidElem) UUIDValue() (pgtype.UUID, error)               { return *e.p, nil }
func (e textElem) TextValue() (pgtype.Text, error)               { return *e.p, nil }
func (e timeElem) TimestamptzValue() (pgtype.Timestamptz, error) { return *e.p, nil }
func (e int8Elem) Int64Value() (pgtype.Int8, error)              { return *e.p, nil }
func (e boolElem) BoolValue() (pgtype.Bool, error)               { return *e.p, nil }
func (e bytesElem) BytesValue() ([]byte, error)                  { return *e.p, nil }

func uuidRef(v *pgtype.UUID) any {
	if !v.Valid {
		return nil
	}
	return uuidElem{v}
}

func textRef(v *pgtype.Text) any {
	if !v.Valid {
		return nil
	}
	return textElem{v}
}

func timeRef(v *pgtype.Timestamptz) any {
	if !v.Valid {
		return nil
	}
	return timeElem{v}
}

func int8Ref(v *pgtype.Int8) any {
	if !v.Valid {
		return nil
	}
	return int8Elem{v}
}

func boolRef(v *pgtype.Bool) any {
	if !v.Valid {
		return nil
	}
	return boolElem{v}
}

func bytesRef(v *[]byte) any {
	if *v == nil {
		return nil
	}
	return bytesElem{v}
}
