package sar

import (
	"strings"
	"time"

	"github.com/caseledger/caseledger/domain"
)

// Regime is the law whose deadline rules a subject access request follows.
type Regime string

// The regimes.
const (
	// RegimeUKGDPR is UK GDPR Art. 12(3): one calendar month from the day the clock starts
	// (identity verified), extendable by up to two further months in total, notified within the
	// first month; a request for identity or clarification stops the clock (Art. 12A and the
	// ICO's guidance) and the days it stood still are added.
	RegimeUKGDPR Regime = "uk_gdpr"
	// RegimeHIPAA is HIPAA 45 CFR 164.524(b)(2): 30 days from receipt, extendable once by up to
	// 30 days with a written statement of the reasons and the date of completion, given within the
	// first 30 days. The rule has no stop-the-clock: verifying identity or clarifying the request
	// happens inside the 30 days.
	RegimeHIPAA Regime = "hipaa"
)

// HIPAADays is the HIPAA deadline in days after receipt, and the longest single extension.
const HIPAADays = 30

// Valid reports whether r is one of the regimes above.
func (r Regime) Valid() bool { return r == RegimeUKGDPR || r == RegimeHIPAA }

// orDefault returns r, or RegimeUKGDPR for the empty regime of requests recorded before regimes
// existed.
func (r Regime) orDefault() Regime {
	if r == "" {
		return RegimeUKGDPR
	}
	return r
}

// DefaultTimeZone is the zone of a practice that set none: dates are then UTC dates.
const DefaultTimeZone = "UTC"

// Rules are a practice's settings for subject access requests: the regime a new request follows
// unless it names its own, and the IANA time zone (e.g. Europe/London) in which "today" and every
// deadline date are counted. A request keeps the rules it was received under.
type Rules struct {
	Regime   Regime
	TimeZone string
}

// DefaultRules are the rules of a practice that set none: UK GDPR, dates in UTC.
func DefaultRules() Rules { return Rules{Regime: RegimeUKGDPR, TimeZone: DefaultTimeZone} }

// SARRulesSet records a practice's rules for subject access requests. It is the only event type of
// the plaintext stream "sarrules-<practice uuid>" (no personal data); the latest one applies.
type SARRulesSet struct {
	PracticeID domain.ID `json:"practice_id"`
	Regime     Regime    `json:"regime"`
	TimeZone   string    `json:"time_zone"`
	At         time.Time `json:"at"`
}

// EventType names the event.
func (SARRulesSet) EventType() string { return "SARRulesSet" }

// SetRules decides a practice's new rules. The regime must be valid (KindInvalid "invalid_regime")
// and the zone an IANA name such as Europe/London or UTC (KindInvalid "invalid_time_zone"): the
// caller checks that the zone database knows it, since this package does no I/O.
func SetRules(practiceID domain.ID, rules Rules, at time.Time) (SARRulesSet, error) {
	if practiceID.IsZero() {
		return SARRulesSet{}, domain.Invalid("practice_id", "is empty")
	}
	if err := rules.validate(); err != nil {
		return SARRulesSet{}, err
	}
	return SARRulesSet{PracticeID: practiceID, Regime: rules.Regime, TimeZone: rules.TimeZone, At: at}, nil
}

// validate checks the regime and the shape of the zone name.
func (r Rules) validate() error {
	if !r.Regime.Valid() {
		return domain.Invalid("regime", "want uk_gdpr or hipaa")
	}
	if !zoneName(r.TimeZone) {
		return domain.Invalid("time_zone", "want an IANA time zone such as Europe/London")
	}
	return nil
}

// zoneName reports whether s has the shape of an IANA zone name ("UTC", "Europe/London",
// "America/Argentina/Buenos_Aires"): no path tricks, nothing but letters, digits and _+-/.
func zoneName(s string) bool {
	if s == "" || len(s) > 64 || strings.HasPrefix(s, "/") || strings.HasSuffix(s, "/") || strings.Contains(s, "..") || s == "Local" {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && !strings.ContainsRune("_+-/", c) {
			return false
		}
	}
	return true
}

// RulesFrom returns the rules the history of a "sarrules-" stream leaves in force, or
// DefaultRules for an empty history.
func RulesFrom(history []domain.Event) Rules {
	r := DefaultRules()
	for _, ev := range history {
		if e, ok := ev.(SARRulesSet); ok {
			r = Rules{Regime: e.Regime, TimeZone: e.TimeZone}
		}
	}
	return r
}

// DecodeRules is the domain.Decoder of the "sarrules-" stream.
func DecodeRules(eventType string, schemaVersion int, payload []byte) (domain.Event, error) {
	return decodeWith(rulesDecoders, "SAR rules", eventType, schemaVersion, payload)
}

var rulesDecoders = map[string]func([]byte) (domain.Event, error){
	"SARRulesSet": decodeAs[SARRulesSet],
}
