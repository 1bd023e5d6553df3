package api

import (
	"errors"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain/identity"
)

// Config is everything New needs. Zero values of the optional fields get the defaults documented
// on each field; Validate reports what is missing or out of range.
type Config struct {
	// Pool is a pool acting as caseledger_app: sessions, tokens, the email directory and
	// emergency-access grants live there. Required.
	Pool *pgxpool.Pool
	// Log, Sealer and Index are the event log, the keyring's payload sealer and its blind index.
	// Required.
	Log    commands.EventLog
	Sealer commands.Sealer
	Index  commands.BlindIndex
	// Streams lists the log's stream heads (subject access request list, retention sweep).
	// Defaults to Log when it can (*pgstore.Store does).
	Streams commands.StreamLister
	// ReadModels serves lists and reports (the projections' Reader on a caseledger_reader pool).
	// Required.
	ReadModels ReadModels
	// Shredder carries out approved erasures (the keyring's Shred). Required.
	Shredder commands.Shredder
	// Clock defaults to the system clock.
	Clock commands.Clock
	// Policy is the sign-in policy; the zero value means identity.DefaultPolicy().
	Policy identity.Policy
	// Hasher defaults to commands.DefaultPasswordHasher().
	Hasher commands.PasswordHasher
	// Logger receives the JSON access log and server errors; defaults to slog.Default().
	Logger *slog.Logger
	// Registry receives the HTTP metrics and is served at /metrics; defaults to a new registry.
	Registry *prometheus.Registry
	// TLS says the server is reached over HTTPS (directly or through a proxy): HSTS is sent.
	TLS bool
	// MaxBodyBytes limits request bodies; defaults to 1 MiB.
	MaxBodyBytes int64
	// SignInsPerMinute limits sign-in attempts per client address; defaults to 20.
	SignInsPerMinute int
	// TokenLifetime is how long a bearer token lives; defaults to 90 days, at most 1 year.
	TokenLifetime time.Duration
	// EmergencyAccessFor is how long a break-glass grant lasts; defaults to 4 hours, at most 24.
	EmergencyAccessFor time.Duration
}

// withDefaults returns c with every optional zero field set to its default.
func (c Config) withDefaults() Config {
	if c.Clock == nil {
		c.Clock = commands.ClockFunc(time.Now)
	}
	if l, ok := c.Log.(commands.StreamLister); ok && c.Streams == nil {
		c.Streams = l
	}
	if c.Policy == (identity.Policy{}) {
		c.Policy = identity.DefaultPolicy()
	}
	if c.Hasher == (commands.PasswordHasher{}) {
		c.Hasher = commands.DefaultPasswordHasher()
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Registry == nil {
		c.Registry = prometheus.NewRegistry()
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 1 << 20
	}
	if c.SignInsPerMinute == 0 {
		c.SignInsPerMinute = 20
	}
	if c.TokenLifetime == 0 {
		c.TokenLifetime = 90 * 24 * time.Hour
	}
	if c.EmergencyAccessFor == 0 {
		c.EmergencyAccessFor = 4 * time.Hour
	}
	return c
}

// Validate reports every missing dependency and out-of-range setting, joined. It validates the
// configuration as New will use it, defaults applied.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	if c.Pool == nil || c.ReadModels == nil {
		errs = append(errs, errors.New("api: Pool and ReadModels are required"))
	}
	if c.Log == nil || c.Sealer == nil || c.Index == nil || c.Shredder == nil || c.Streams == nil {
		errs = append(errs, errors.New("api: Log, Sealer, Index, Shredder and Streams (or a Log that lists streams) are required"))
	}
	if c.MaxBodyBytes < 1024 {
		errs = append(errs, errors.New("api: MaxBodyBytes must be at least 1024"))
	}
	if c.SignInsPerMinute < 1 {
		errs = append(errs, errors.New("api: SignInsPerMinute must be positive"))
	}
	if c.TokenLifetime < time.Hour || c.TokenLifetime > 366*24*time.Hour {
		errs = append(errs, errors.New("api: TokenLifetime must be between 1 hour and 1 year"))
	}
	if c.EmergencyAccessFor < time.Minute || c.EmergencyAccessFor > 24*time.Hour {
		errs = append(errs, errors.New("api: EmergencyAccessFor must be between 1 minute and 24 hours"))
	}
	return errors.Join(append(errs, c.Policy.Validate(), c.Hasher.Validate())...)
}
