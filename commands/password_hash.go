package commands

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// PasswordHasher hashes passwords with argon2id and checks them against stored hashes. Hashes are
// stored in the PHC string format "$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>"
// (unpadded standard base64), so the parameters travel with each hash and can be raised later
// without invalidating old ones. The zero value is not usable; use DefaultPasswordHasher.
// A PasswordHasher is safe for concurrent use.
type PasswordHasher struct {
	MemoryKiB uint32
	Passes    uint32
	Lanes     uint8
}

// DefaultPasswordHasher uses OWASP's recommended argon2id parameters: 19 MiB, 2 passes, 1 lane.
func DefaultPasswordHasher() PasswordHasher {
	return PasswordHasher{MemoryKiB: 19 * 1024, Passes: 2, Lanes: 1}
}

// Validate reports parameters below OWASP's minimum.
func (h PasswordHasher) Validate() error {
	if h.MemoryKiB < 19*1024 || h.Passes < 2 || h.Lanes < 1 {
		return errors.New("password hasher: argon2id needs at least 19 MiB, 2 passes and 1 lane")
	}
	return nil
}

// Hash returns the encoded argon2id hash of password with a fresh 16-byte salt.
func (h PasswordHasher) Hash(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	sum := argon2.IDKey([]byte(password), salt, h.Passes, h.MemoryKiB, h.Lanes, 32)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, h.MemoryKiB, h.Passes, h.Lanes,
		enc.EncodeToString(salt), enc.EncodeToString(sum)), nil
}

// Verify reports whether password matches encoded, in constant time over the hash. A malformed
// encoded hash never matches. The parameters are read from encoded, not from h.
func (h PasswordHasher) Verify(password, encoded string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 || m > 1<<22 || t > 64 {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is verified against when a sign-in names an unknown email, so the response takes as
// long as for a known one.
var dummyHash = func() string {
	s, _ := DefaultPasswordHasher().Hash("caseledger timing equaliser")
	return s
}()
