package projections

import (
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
)

// columnArray returns one column's values as a typed array parameter for PostgreSQL type typ (as
// format_type names it). Typed slices encode in one pass; a []any would make pgx plan every
// element again (and uuid.UUID would go through its text form). Values of a Go type this does not
// expect for typ fall back to a []any, which encodes correctly, only slower.
func columnArray(typ string, vals []any) any {
	var out any
	ok := true
	switch typ {
	case "uuid":
		a := make([]pgtype.UUID, len(vals))
		for i, v := range vals {
			switch v := v.(type) {
			case uuid.UUID:
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
		out = a
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
		out = a
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
		out = a
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
		out = a
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
		if typ == "integer" {
			b := make([]pgtype.Int4, len(a))
			for i, x := range a {
				if x.Int64 != int64(int32(x.Int64)) {
					ok = false
				}
				b[i] = pgtype.Int4{Int32: int32(x.Int64), Valid: x.Valid}
			}
			out = b
		} else {
			out = a
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
		out = a
	default:
		ok = false
	}
	if !ok {
		return vals
	}
	return out
}
