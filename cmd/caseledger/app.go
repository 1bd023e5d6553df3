package main

import (
	"errors"
	"io"
	"log/slog"
	"sync"
)

// Main wires the whole system from a Config: database (or private cluster), migrations, pools,
// event store, keyring, projections and HTTP server. Subcommands receive one; end-to-end tests
// build one with NewMain and a pgtest database. A Main is used by one goroutine at a time.
type Main struct {
	// Config is the validated configuration.
	Config Config
	// Stdout receives a subcommand's results; Stderr receives the JSON logs.
	Stdout, Stderr io.Writer
	// Logger writes structured JSON logs to Stderr. Logs carry ids, never personal data.
	Logger *slog.Logger

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
		Config: cfg,
		Stdout: stdout,
		Stderr: stderr,
		Logger: slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level})),
	}
}

// onClose registers f to run when Close is called, after everything registered later.
func (m *Main) onClose(f func() error) {
	m.closers = append(m.closers, f)
}

// Close releases everything Open and Run acquired, in reverse order: it stops the HTTP server
// gracefully, closes the pools and stops a private cluster. It is safe to call more than once and
// on a Main that never opened anything; later calls return the first call's result.
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
