package main

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/caseledger/caseledger/commands"
)

// DefaultDatabaseURL is the database serve uses when CASELEDGER_DATABASE_URL is unset. When no
// server answers there, serve starts a private PostgreSQL cluster under DataDir instead.
const DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/caseledger?sslmode=disable"

// PrivateDatabaseURL, as CASELEDGER_DATABASE_URL, asks for the private cluster under the data
// directory even when a server answers at the default URL.
const PrivateDatabaseURL = "private"

// defaultDatabaseName is the database the private cluster holds when asked for outright.
const defaultDatabaseName = "caseledger"

// DefaultListen is the HTTP address serve listens on when CASELEDGER_LISTEN is unset.
const DefaultListen = "127.0.0.1:8080"

// DefaultDataDir holds local state: the development master keyset and the private cluster.
const DefaultDataDir = ".data"

// Config is everything the binary reads from its environment. The zero value is not valid; use
// ConfigFromEnv, or fill it in tests and call Validate.
type Config struct {
	// DatabaseURL is the PostgreSQL URL of a role allowed to run migrations (the database owner or
	// a superuser); request traffic switches to the application roles with SET ROLE. The value
	// PrivateDatabaseURL ("private") asks for the private cluster under DataDir.
	DatabaseURL string
	// DatabaseURLExplicit is true when the operator set CASELEDGER_DATABASE_URL. An explicit URL
	// that cannot be reached is an error; only the implicit default may fall back to a private
	// cluster.
	DatabaseURLExplicit bool
	// Listen is the host:port the HTTP server listens on; port 0 picks a free port.
	Listen string
	// MasterKey names the master key that wraps the per-subject keysets, in the keyring's spec
	// syntax: "file:<path>" (development), "passphrase-env:<VARIABLE>", or a KMS key URI
	// (gcp-kms://, aws-kms://, hcvault://). ConfigFromEnv defaults it to the development keyset
	// file DataDir/master.keyset.
	MasterKey string
	// PreviousMasterKeys are masters that may still wrap some keysets during a master rotation.
	PreviousMasterKeys []string
	// DataDir is the directory for local state (development keyset, private cluster).
	DataDir string
	// PrivateCluster allows starting a private PostgreSQL under DataDir/pg when the default URL is
	// unreachable. Tests switch it off to prove they use the database they were given.
	PrivateCluster bool
	// LogLevel is debug, info, warn or error.
	LogLevel string
	// TLSCertFile and TLSKeyFile, both set, make serve answer HTTPS itself (TLS 1.2 or later).
	TLSCertFile, TLSKeyFile string
	// BehindTLSProxy says a proxy in front terminates HTTPS: the API then sends HSTS.
	BehindTLSProxy bool
	// CheckpointInterval is how often serve signs the heads of every stream; zero switches it off.
	CheckpointInterval time.Duration
	// RetentionSweepInterval is how often serve queues clients past their retention period for
	// the DPO's decision; zero switches it off.
	RetentionSweepInterval time.Duration
	// CredentialPurgeInterval is how often serve deletes expired sessions and bearer tokens; zero
	// switches it off (expired credentials are refused anyway, they only stay in the tables).
	CredentialPurgeInterval time.Duration
	// DormantSweepInterval is how often serve disables accounts unused for the policy's dormancy
	// period; zero switches it off (a dormant account is then disabled at its next sign-in).
	DormantSweepInterval time.Duration
	// OrphanReleaseInterval is how often serve frees calendar slots held by bookings interrupted
	// between their writes; zero switches it off.
	OrphanReleaseInterval time.Duration
	// OrphanGrace is how old an unfinished reservation must be before it is freed; at least
	// commands.MinOrphanGrace.
	OrphanGrace time.Duration
}

// Defaults of the background intervals.
const (
	DefaultCheckpointInterval      = time.Hour
	DefaultRetentionSweepInterval  = 24 * time.Hour
	DefaultCredentialPurgeInterval = 24 * time.Hour
	DefaultDormantSweepInterval    = 24 * time.Hour
	DefaultOrphanReleaseInterval   = 5 * time.Minute
	DefaultOrphanGrace             = 5 * time.Minute
)

// ConfigFromEnv reads the configuration from the environment through getenv:
// CASELEDGER_DATABASE_URL, CASELEDGER_LISTEN, CASELEDGER_MASTER_KEY,
// CASELEDGER_PREVIOUS_MASTER_KEYS (comma-separated), CASELEDGER_DATA_DIR,
// CASELEDGER_PRIVATE_CLUSTER (set to "off" to forbid the private cluster), CASELEDGER_LOG_LEVEL,
// CASELEDGER_TLS_CERT_FILE, CASELEDGER_TLS_KEY_FILE, CASELEDGER_BEHIND_TLS_PROXY (on or off),
// CASELEDGER_CHECKPOINT_INTERVAL, CASELEDGER_RETENTION_SWEEP_INTERVAL,
// CASELEDGER_CREDENTIAL_PURGE_INTERVAL, CASELEDGER_DORMANT_SWEEP_INTERVAL and
// CASELEDGER_ORPHAN_RELEASE_INTERVAL (Go durations such as "1h"; "0" or "off" switches the task
// off), and CASELEDGER_ORPHAN_GRACE (a duration). It reports unparseable values; call Validate for
// the rest.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		DatabaseURL:    getenv("CASELEDGER_DATABASE_URL"),
		Listen:         getenv("CASELEDGER_LISTEN"),
		MasterKey:      getenv("CASELEDGER_MASTER_KEY"),
		DataDir:        getenv("CASELEDGER_DATA_DIR"),
		LogLevel:       strings.ToLower(getenv("CASELEDGER_LOG_LEVEL")),
		PrivateCluster: true,
	}
	c.DatabaseURLExplicit = c.DatabaseURL != ""
	if !c.DatabaseURLExplicit {
		c.DatabaseURL = DefaultDatabaseURL
	}
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.DataDir == "" {
		c.DataDir = DefaultDataDir
	}
	if c.LogLevel == "" {
		c.LogLevel = "info"
	}
	if c.MasterKey == "" {
		c.MasterKey = "file:" + filepath.Join(c.DataDir, "master.keyset")
	}
	for _, spec := range strings.Split(getenv("CASELEDGER_PREVIOUS_MASTER_KEYS"), ",") {
		if spec = strings.TrimSpace(spec); spec != "" {
			c.PreviousMasterKeys = append(c.PreviousMasterKeys, spec)
		}
	}
	var errs []error
	interval := func(name string, def time.Duration) time.Duration {
		v := strings.ToLower(strings.TrimSpace(getenv(name)))
		switch v {
		case "":
			return def
		case "off", "0":
			return 0
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: want a duration such as 1h, or off", name, v))
		}
		return d
	}
	c.TLSCertFile = getenv("CASELEDGER_TLS_CERT_FILE")
	c.TLSKeyFile = getenv("CASELEDGER_TLS_KEY_FILE")
	switch v := strings.ToLower(getenv("CASELEDGER_BEHIND_TLS_PROXY")); v {
	case "", "off", "false", "0":
	case "on", "true", "1":
		c.BehindTLSProxy = true
	default:
		errs = append(errs, fmt.Errorf("CASELEDGER_BEHIND_TLS_PROXY=%q: want on or off", v))
	}
	c.CheckpointInterval = interval("CASELEDGER_CHECKPOINT_INTERVAL", DefaultCheckpointInterval)
	c.RetentionSweepInterval = interval("CASELEDGER_RETENTION_SWEEP_INTERVAL", DefaultRetentionSweepInterval)
	c.CredentialPurgeInterval = interval("CASELEDGER_CREDENTIAL_PURGE_INTERVAL", DefaultCredentialPurgeInterval)
	c.DormantSweepInterval = interval("CASELEDGER_DORMANT_SWEEP_INTERVAL", DefaultDormantSweepInterval)
	c.OrphanReleaseInterval = interval("CASELEDGER_ORPHAN_RELEASE_INTERVAL", DefaultOrphanReleaseInterval)
	c.OrphanGrace = DefaultOrphanGrace
	if v := strings.TrimSpace(getenv("CASELEDGER_ORPHAN_GRACE")); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("CASELEDGER_ORPHAN_GRACE=%q: want a duration such as 5m", v))
		}
		c.OrphanGrace = d
	}
	switch v := strings.ToLower(getenv("CASELEDGER_PRIVATE_CLUSTER")); v {
	case "", "on", "auto", "true", "1":
	case "off", "false", "0":
		c.PrivateCluster = false
	default:
		errs = append(errs, fmt.Errorf("CASELEDGER_PRIVATE_CLUSTER=%q: want on or off", v))
	}
	return c, errors.Join(errs...)
}

// Validate reports every problem with c at once, joined with errors.Join. Messages name the
// setting, never echo a password.
func (c Config) Validate() error {
	var errs []error
	if c.DatabaseURL == "" {
		errs = append(errs, errors.New("database url is empty"))
	} else if c.DatabaseURL == PrivateDatabaseURL {
		if !c.PrivateCluster {
			errs = append(errs, errors.New("CASELEDGER_DATABASE_URL=private but CASELEDGER_PRIVATE_CLUSTER=off"))
		}
	} else if u, err := url.Parse(c.DatabaseURL); err != nil {
		errs = append(errs, errors.New("CASELEDGER_DATABASE_URL is not a URL"))
	} else if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		errs = append(errs, fmt.Errorf("CASELEDGER_DATABASE_URL: scheme %q, want postgres://", u.Scheme))
	} else if strings.TrimPrefix(u.Path, "/") == "" {
		errs = append(errs, errors.New("CASELEDGER_DATABASE_URL names no database"))
	}
	if _, port, err := net.SplitHostPort(c.Listen); err != nil {
		errs = append(errs, fmt.Errorf("CASELEDGER_LISTEN=%q: want host:port", c.Listen))
	} else if port == "" {
		errs = append(errs, fmt.Errorf("CASELEDGER_LISTEN=%q: no port", c.Listen))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("data directory is empty"))
	} else if filepath.Clean(c.DataDir) == "/" {
		errs = append(errs, errors.New("CASELEDGER_DATA_DIR must not be /"))
	}
	if c.MasterKey == "" {
		errs = append(errs, errors.New("master key spec is empty"))
	}
	for _, p := range c.PreviousMasterKeys {
		if p == c.MasterKey {
			errs = append(errs, errors.New("CASELEDGER_PREVIOUS_MASTER_KEYS repeats the current master key"))
		}
	}
	for _, iv := range []struct {
		name  string
		value time.Duration
	}{
		{"CASELEDGER_CHECKPOINT_INTERVAL", c.CheckpointInterval},
		{"CASELEDGER_RETENTION_SWEEP_INTERVAL", c.RetentionSweepInterval},
		{"CASELEDGER_CREDENTIAL_PURGE_INTERVAL", c.CredentialPurgeInterval},
		{"CASELEDGER_DORMANT_SWEEP_INTERVAL", c.DormantSweepInterval},
		{"CASELEDGER_ORPHAN_RELEASE_INTERVAL", c.OrphanReleaseInterval},
	} {
		if iv.value < 0 || (iv.value > 0 && iv.value < time.Second) {
			errs = append(errs, fmt.Errorf("%s=%s: want at least 1s, or off", iv.name, iv.value))
		}
	}
	if c.OrphanReleaseInterval > 0 && c.OrphanGrace < commands.MinOrphanGrace {
		errs = append(errs, fmt.Errorf("CASELEDGER_ORPHAN_GRACE=%s: want at least %s", c.OrphanGrace, commands.MinOrphanGrace))
	}
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		errs = append(errs, errors.New("CASELEDGER_TLS_CERT_FILE and CASELEDGER_TLS_KEY_FILE go together"))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("CASELEDGER_LOG_LEVEL=%q: want debug, info, warn or error", c.LogLevel))
	}
	return errors.Join(errs...)
}
