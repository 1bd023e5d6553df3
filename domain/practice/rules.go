package practice

// ConsentRule decides whether a service can go ahead for a client without valid consent for its
// service type.
type ConsentRule string

// The consent rules. Block is the default of a new practice.
const (
	// ConsentBlock refuses to book a service without valid consent.
	ConsentBlock ConsentRule = "block"
	// ConsentWarn books it, recording a warning code with the booking.
	ConsentWarn ConsentRule = "warn"
)

// Valid reports whether r is one of the consent rules.
func (r ConsentRule) Valid() bool { return r == ConsentBlock || r == ConsentWarn }
