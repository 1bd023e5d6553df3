package keyring

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// The master key provider kinds, the prefixes of a master key spec.
const (
	// MasterFile is "file:<path>": a Tink keyset in a local file, created with mode 0600 on first
	// use. For development: the key sits unencrypted on the same machine as the database.
	MasterFile = "file"
	// MasterPassphraseEnv is "passphrase-env:<VARIABLE>": a passphrase, read from the named
	// environment variable by the caller's LookupEnv, stretched with argon2id. The salt and the
	// parameters are stored in the database.
	MasterPassphraseEnv = "passphrase-env"
	// MasterGCPKMS, MasterAWSKMS and MasterVault are KMS key URIs: "gcp-kms://projects/.../cryptoKeys/k",
	// "aws-kms://arn:aws:kms:<region>:<account>:key/<id>", "hcvault://<host>[:port]/transit/keys/<name>".
	MasterGCPKMS = "gcp-kms"
	MasterAWSKMS = "aws-kms"
	MasterVault  = "hcvault"
	// MasterFakeKMS is Tink's fake KMS ("fake-kms://<keyset>"), whose URI holds the key itself:
	// for tests only.
	MasterFakeKMS = "fake-kms"
)

// DefaultMasterSpec is the development default of CASELEDGER_MASTER_KEY.
const DefaultMasterSpec = "file:.data/master.keyset"

// MasterConfig says where the master key comes from. Only cmd/ reads the environment: it passes
// CASELEDGER_MASTER_KEY as Spec and os.LookupEnv as LookupEnv.
type MasterConfig struct {
	// Spec selects the provider: "file:<path>", "passphrase-env:<VARIABLE>", or a KMS key URI
	// (gcp-kms://, aws-kms://, hcvault://, and fake-kms:// for tests).
	Spec string
	// Storage holds the passphrase salts and the master check values: the keyring's storage.
	Storage Storage
	// LookupEnv reads the passphrase variable of passphrase-env and VAULT_TOKEN for hcvault.
	LookupEnv func(string) (string, bool)
	// Argon2 sets the cost of deriving a key from a new passphrase; zero fields take
	// DefaultArgon2. Existing passphrases keep the parameters stored with their salt.
	Argon2 Argon2
}

// masterSpec is a parsed MasterConfig.Spec.
type masterSpec struct {
	kind string
	arg  string // the path, the variable name, or the whole URI
}

// parseMasterSpec splits spec into its kind and argument and checks its shape.
func parseMasterSpec(spec string) (masterSpec, error) {
	if spec == "" {
		return masterSpec{}, errors.New("keyring: master key spec is empty (e.g. " + DefaultMasterSpec + ")")
	}
	scheme, rest, ok := strings.Cut(spec, ":")
	if !ok {
		return masterSpec{}, fmt.Errorf("keyring: master key spec has no kind prefix (file:, passphrase-env:, gcp-kms://, aws-kms://, hcvault://)")
	}
	switch scheme {
	case MasterFile:
		if rest == "" {
			return masterSpec{}, errors.New("keyring: master key spec file: needs a path")
		}
		return masterSpec{kind: scheme, arg: rest}, nil
	case MasterPassphraseEnv:
		if !validEnvName(rest) {
			return masterSpec{}, errors.New("keyring: master key spec passphrase-env: needs an environment variable name ([A-Za-z_][A-Za-z0-9_]*)")
		}
		return masterSpec{kind: scheme, arg: rest}, nil
	case MasterGCPKMS, MasterAWSKMS, MasterVault, MasterFakeKMS:
		if !strings.HasPrefix(rest, "//") || len(rest) <= 2 {
			return masterSpec{}, fmt.Errorf("keyring: master key spec %s: must be a URI %s://...", scheme, scheme)
		}
		if scheme == MasterVault {
			u, err := url.Parse(spec)
			if err != nil || u.Host == "" || u.Path == "" {
				return masterSpec{}, errors.New("keyring: master key spec hcvault: must be hcvault://<host>[:port]/<transit path>/keys/<name>")
			}
		}
		return masterSpec{kind: scheme, arg: spec}, nil
	}
	return masterSpec{}, fmt.Errorf("keyring: master key spec: unknown kind %q (file, passphrase-env, gcp-kms, aws-kms, hcvault)", scheme)
}

func validEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// Validate reports every problem with c at once, without touching the key.
func (c MasterConfig) Validate() error {
	var errs []error
	spec, err := parseMasterSpec(c.Spec)
	if err != nil {
		errs = append(errs, err)
	}
	if c.Storage == nil {
		errs = append(errs, errors.New("keyring: MasterConfig.Storage is required"))
	}
	if (spec.kind == MasterPassphraseEnv || spec.kind == MasterVault) && c.LookupEnv == nil {
		errs = append(errs, fmt.Errorf("keyring: master key spec %s: needs LookupEnv", spec.kind))
	}
	if err := c.Argon2.validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// OpenMaster returns the master key c describes: it reads (or on first use creates) the keyset
// file, derives the passphrase key, or connects to the KMS. Master.Development reports a key only
// fit for development (file, fake KMS), which a server should log loudly. The result is checked
// against the database by New, not here.
func OpenMaster(ctx context.Context, c MasterConfig) (*Master, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	spec, _ := parseMasterSpec(c.Spec)
	switch spec.kind {
	case MasterFile:
		return openFileMaster(spec.arg)
	case MasterPassphraseEnv:
		pass, ok := c.LookupEnv(spec.arg)
		if !ok {
			return nil, fmt.Errorf("keyring: master passphrase variable %s is not set", spec.arg)
		}
		return openPassphraseMaster(ctx, c.Storage, pass, c.Argon2)
	default:
		return openKMSMaster(ctx, spec, c.LookupEnv)
	}
}
