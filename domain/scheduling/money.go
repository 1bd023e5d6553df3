package scheduling

import "github.com/caseledger/caseledger/domain"

// Money is an amount in the currency's minor units (pence, cents) and an ISO 4217 code. Fees are
// recorded here and invoiced later by billing.
type Money struct {
	AmountMinor int64  `json:"amount_minor"`
	Currency    string `json:"currency"`
}

// Validate checks the amount is positive and the currency is three upper-case letters.
func (m Money) Validate() error {
	if m.AmountMinor <= 0 {
		return domain.Invalid("fee", "amount must be positive")
	}
	if len(m.Currency) != 3 {
		return domain.Invalid("currency", "want an ISO 4217 code")
	}
	for _, c := range m.Currency {
		if c < 'A' || c > 'Z' {
			return domain.Invalid("currency", "want an ISO 4217 code")
		}
	}
	return nil
}
