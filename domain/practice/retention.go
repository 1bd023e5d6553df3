package practice

// RecordKind classifies records for retention.
type RecordKind string

// The record kinds and their default retention periods (NHS Records Management Code of Practice,
// HMRC): adult mental-health records 20 years after the end of treatment, general adult records 8
// years after, children's records until the 25th birthday (the 26th if the client was 17 at the
// end of treatment), financial records 6 years.
const (
	RecordAdultMentalHealth RecordKind = "adult_mental_health"
	RecordGeneralAdult      RecordKind = "general_adult"
	RecordChild             RecordKind = "child"
	RecordFinancial         RecordKind = "financial"
)

// Valid reports whether k is one of the record kinds.
func (k RecordKind) Valid() bool {
	switch k {
	case RecordAdultMentalHealth, RecordGeneralAdult, RecordChild, RecordFinancial:
		return true
	}
	return false
}

// Retention is a practice's retention periods. For RecordChild the figure is the birthday until
// which a child's record is kept; for every other kind it is years after the end of treatment
// (financial: after the transaction).
type Retention map[RecordKind]int

// DefaultRetention returns the documented defaults. Each call returns a fresh map.
func DefaultRetention() Retention {
	return Retention{
		RecordAdultMentalHealth: 20,
		RecordGeneralAdult:      8,
		RecordChild:             25,
		RecordFinancial:         6,
	}
}

// retentionLimits bounds the figure a practice may set per kind: a child's record is kept at least
// until adulthood.
func retentionLimits(k RecordKind) (lo, hi int) {
	if k == RecordChild {
		return 18, 40
	}
	return 1, 100
}
