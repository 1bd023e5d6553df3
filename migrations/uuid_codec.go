package migrations

import (
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
)

// registerUUIDCodec makes a connection's type map send and read github.com/google/uuid values in
// PostgreSQL's binary uuid form: 16 bytes, no allocation. Left to itself pgx treats uuid.UUID as a
// driver.Valuer and sql.Scanner, so every argument was first refused in binary (an error built with
// fmt), then sent as text, and every result was formatted as text and parsed again: microseconds
// per value on every query that passes or reads an id. Other Go types keep pgx's usual handling.
func registerUUIDCodec(m *pgtype.Map) {
	t := &pgtype.Type{Name: "uuid", OID: pgtype.UUIDOID, Codec: uuidCodec{}}
	m.RegisterType(t)
	m.RegisterType(&pgtype.Type{Name: "_uuid", OID: pgtype.UUIDArrayOID, Codec: &pgtype.ArrayCodec{ElementType: t}})
}

// uuidCodec is pgx's UUIDCodec with binary plans for uuid.UUID.
type uuidCodec struct{ pgtype.UUIDCodec }

func (c uuidCodec) PlanEncode(m *pgtype.Map, oid uint32, format int16, value any) pgtype.EncodePlan {
	if format == pgtype.BinaryFormatCode {
		switch value.(type) {
		case uuid.UUID, *uuid.UUID:
			return encodeUUID{}
		}
	}
	return c.UUIDCodec.PlanEncode(m, oid, format, value)
}

func (c uuidCodec) PlanScan(m *pgtype.Map, oid uint32, format int16, target any) pgtype.ScanPlan {
	if _, ok := target.(*uuid.UUID); ok && format == pgtype.BinaryFormatCode {
		return scanUUID{}
	}
	return c.UUIDCodec.PlanScan(m, oid, format, target)
}

type encodeUUID struct{}

// Encode appends the 16 bytes of a uuid.UUID or *uuid.UUID; pgx has sent a nil pointer as NULL
// before it asks for a plan.
func (encodeUUID) Encode(value any, buf []byte) ([]byte, error) {
	switch u := value.(type) {
	case uuid.UUID:
		return append(buf, u[:]...), nil
	case *uuid.UUID:
		if u == nil {
			return nil, nil
		}
		return append(buf, u[:]...), nil
	}
	return nil, fmt.Errorf("cannot encode %T as uuid", value)
}

type scanUUID struct{}

// Scan leaves the target unchanged for NULL, as uuid.UUID's sql.Scanner, which pgx used before
// this codec, does (in the text protocol it still does); scan into a *uuid.UUID (pointer to
// pointer) to tell NULL apart.
func (scanUUID) Scan(src []byte, target any) error {
	u := target.(*uuid.UUID)
	if src == nil {
		return nil
	}
	if len(src) != 16 {
		return fmt.Errorf("invalid length for uuid: %d", len(src))
	}
	copy(u[:], src)
	return nil
}
