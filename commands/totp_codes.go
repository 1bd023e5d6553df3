package commands

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/identity"
)

// TOTP parameters: RFC 6238 defaults that every authenticator app supports.
const (
	totpPeriod = 30
	totpSkew   = 1 // steps accepted either side of now
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// TOTPStep returns the time step (Unix time / 30 s) at which code is valid for secret, looking one
// step either side of now, or 0 when it matches none. The caller refuses steps already used.
func TOTPStep(secret, code string, now time.Time) int64 {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return 0
	}
	step := now.Unix() / totpPeriod
	var found int64
	for s := step - totpSkew; s <= step+totpSkew; s++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*totpPeriod, 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			found = s
		}
	}
	return found
}

// newTOTPKey returns a fresh 160-bit TOTP secret and its otpauth:// URL. The account label is the
// user id, never an email.
func newTOTPKey(user domain.ID) (secret, url string, err error) {
	k, err := totp.Generate(totp.GenerateOpts{Issuer: "Caseledger", AccountName: user.String(), Period: totpPeriod, SecretSize: 20, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return "", "", fmt.Errorf("totp secret: %w", err)
	}
	return k.Secret(), k.URL(), nil
}

// recoveryCodeCount is how many recovery codes a confirmation issues.
const recoveryCodeCount = 10

// newRecoveryCodes returns recovery codes (80 random bits each, as XXXX-XXXX-XXXX-XXXX in
// base32) and their stored hashes.
func newRecoveryCodes() (codes, hashes []string, err error) {
	for range recoveryCodeCount {
		b := make([]byte, 10)
		if _, err := rand.Read(b); err != nil {
			return nil, nil, fmt.Errorf("recovery code: %w", err)
		}
		s := base32.StdEncoding.EncodeToString(b)
		c := s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
		codes = append(codes, c)
		hashes = append(hashes, identity.HashRecoveryCode(c))
	}
	return codes, hashes, nil
}
