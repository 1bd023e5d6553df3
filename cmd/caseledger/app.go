package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/caseledger/caseledger/eventstore/pgstore"
	"github.com/caseledger/caseledger/keyring"
	"github.com/caseledger/caseledger/migrations"
	"github.com/caseledger/caseledger/projections"
)

// Pool sizes per role. The reader serves request reads, the app pool writes the log and maintains
// keys and read models; the admin pool only answers readiness and operator queries.
const (
	appPoolSize    = 10
	readerPoolSize = 10
	adminPoolSize  = 2
)

// shutdownTimeout bounds how long Close waits for in-flight requests.
const shutdownTimeout = 15 * time.Second

// Main wires the whole system from a Config: database (or private cluster), migrations, pools,
// event store, keyring, projections and HTTP server. Subcommands receive one; end-to-end tests
// build one with NewMain and a pgtest database. A Main is used by one goroutine at a time; the
// pools it exposes are safe for concurrent use.
type Main struct {
	// Config is the validated configuration.
	Config Config
	// Stdin is read only by subcommands that say so (a password); NewMain's default is empty.
	Stdin io.Reader
	// Stdout receives a subcommand's results; Stderr receives the JSON logs.
	Stdout, Stderr io.Writer
	// Logger writes structured JSON logs to Stderr. Logs carry ids, never personal data.
	Logger *slog.Logger

	// Admin is a small pool as the configured login role (allowed to migrate); App acts as
	// caseledger_app (writes the log, keys, read models); Reader acts as caseledger_reader (request
	// reads under row-level security). All three are nil until Open or OpenLog.
	Admin, App, Reader *pgxpool.Pool
	// Store is the PostgreSQL event log on the App pool; nil until Open or OpenLog.
	Store *pgstore.Store
	// Keys is the keyring (per-client keys, blind index) on the App pool; nil until Open.
	Keys *keyring.Keyring
	// Projections runs the read-model projectors; built by Open, run by Run.
	Projections *projections.Engine
	// ReadModels queries the read models as an actor, on the Reader pool under row-level
	// security; nil until Open.
	ReadModels *projections.Reader
	// LookupEnv reads environment variables a master key provider names (a passphrase variable,
	// VAULT_TOKEN). Dispatch sets it to os.LookupEnv; NewMain's default finds nothing.
	LookupEnv func(string) (string, bool)

	dsn         string        // effective database URL, set by Database
	leaderRetry time.Duration // how often to try to lead (runAsLeader); zero: defaultLeaderRetry
	opened      bool
	listener    net.Listener
	server      *http.Server
	serveErr    chan error

	closeOnce sync.Once
	closers   []func() error // run in reverse order by Close
	closeErr  error
}

// NewMain returns a Main for cfg that writes results to stdout and logs to stderr. It opens
// nothing; Open and Run do.
func NewMain(cfg Config, stdout, stderr io.Writer) *Main {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	return &Main{
		Config:    cfg,
		Stdin:     strings.NewReader(""),
		Stdout:    stdout,
		Stderr:    stderr,
		Logger:    slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level})),
		LookupEnv: func(string) (string, bool) { return "", false },
		serveErr:  make(chan error, 1),
	}
}

// Open makes the database ready and connects everything that needs it: it finds or starts the
// database (see Database), applies pending migrations, opens the pools and the event log
// (OpenLog), the keyring (its master key from Config.MasterKey; a development key is logged
// loudly), the read-model Reader, and builds the projections engine without starting it. Calling
// it again after success does nothing. On error, whatever was acquired is released by Close.
func (m *Main) Open(ctx context.Context) error {
	if m.opened {
		return nil
	}
	if _, err := m.Migrate(ctx); err != nil {
		return err
	}
	if err := m.OpenLog(ctx); err != nil {
		return err
	}
	if err := m.openKeyring(ctx); err != nil {
		return err
	}
	var err error
	m.Projections, err = projections.New(projections.Config{
		Store: m.Store, Pool: m.App, Projectors: projections.All(m.Keys), Logger: m.Logger})
	if err != nil {
		return err
	}
	if m.ReadModels, err = projections.NewReader(m.Reader, m.Keys); err != nil {
		return err
	}
	m.opened = true
	return nil
}

// OpenLog opens only what reading the event log needs: the database (see Database), the three
// pools and the event log. It applies no migration and needs no master key, so an auditor can
// verify the log without either. Calling it again after success does nothing.
func (m *Main) OpenLog(ctx context.Context) error {
	if m.Store != nil {
		return nil
	}
	if _, err := m.Database(ctx); err != nil {
		return err
	}
	var err error
	if m.Admin, err = m.pool(ctx, "", adminPoolSize); err != nil {
		return err
	}
	if m.App, err = m.pool(ctx, migrations.RoleApp, appPoolSize); err != nil {
		return err
	}
	if m.Reader, err = m.pool(ctx, migrations.RoleReader, readerPoolSize); err != nil {
		return err
	}
	m.Store, err = pgstore.New(ctx, m.App, pgstore.Config{})
	return err
}

// pool opens a pool acting as role on the database and registers it for Close.
func (m *Main) pool(ctx context.Context, role string, size int32) (*pgxpool.Pool, error) {
	p, err := migrations.ConnectAs(ctx, m.dsn, role, size)
	if err != nil {
		return nil, err
	}
	m.onClose(func() error { p.Close(); return nil })
	return p, nil
}

// Run opens everything (see Open), binds Config.Listen, starts the background tasks (projectors,
// signed checkpoints, retention sweep: see startBackground) and serves HTTP in the background. It
// returns once the listener is bound; Addr reports the address, Done reports a server failure,
// and Close shuts everything down gracefully.
func (m *Main) Run(ctx context.Context) error {
	if err := m.Open(ctx); err != nil {
		return err
	}
	handler, err := m.handler()
	if err != nil {
		return err
	}
	tlsConfig, err := m.tlsConfig()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", m.Config.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", m.Config.Listen, err)
	}
	m.listener = ln
	if tlsConfig != nil {
		ln = tls.NewListener(ln, tlsConfig)
	}
	if err := m.startBackground(ctx); err != nil {
		ln.Close()
		return err
	}
	m.server = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := m.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.serveErr <- err
		}
		close(m.serveErr)
	}()
	m.onClose(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		err := m.server.Shutdown(ctx)
		m.Logger.Info("http server stopped")
		return err
	})
	m.Logger.Info("http server listening", "url", m.URL())
	return nil
}

// Addr returns the address the HTTP server listens on, or "" before Run.
func (m *Main) Addr() string {
	if m.listener == nil {
		return ""
	}
	return m.listener.Addr().String()
}

// URL returns the server's base URL (https when it serves TLS itself), or "" before Run.
func (m *Main) URL() string {
	if m.listener == nil {
		return ""
	}
	if m.Config.TLSCertFile != "" {
		return "https://" + m.Addr()
	}
	return "http://" + m.Addr()
}

// tlsConfig loads the server certificate when TLS is configured, or returns nil.
func (m *Main) tlsConfig() (*tls.Config, error) {
	if m.Config.TLSCertFile == "" {
		return nil, nil
	}
	cert, err := tls.LoadX509KeyPair(m.Config.TLSCertFile, m.Config.TLSKeyFile)
	if err != nil {
		return nil, fmt.Errorf("TLS certificate: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// Done returns a channel that, after Run, yields the error that stopped the HTTP server on its
// own, if any, and is closed once the server has stopped. Before Run it never yields.
func (m *Main) Done() <-chan error {
	return m.serveErr
}

// onClose registers f to run when Close is called, after everything registered later.
func (m *Main) onClose(f func() error) {
	m.closers = append(m.closers, f)
}

// Close releases everything Open and Run acquired, in reverse order: it stops the HTTP server
// gracefully, then the background tasks, closes the keyring and the pools and stops a private
// cluster this process started. It is safe to
// call more than once and on a Main that never opened anything; later calls return the first
// call's result.
func (m *Main) Close() error {
	m.closeOnce.Do(func() {
		var errs []error
		for i := len(m.closers) - 1; i >= 0; i-- {
			errs = append(errs, m.closers[i]())
		}
		m.closeErr = errors.Join(errs...)
	})
	return m.closeErr
}
