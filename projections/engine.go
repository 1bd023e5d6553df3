package projections

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/caseledger/caseledger/eventstore"
)

// Config configures an Engine.
type Config struct {
	// Store is the event log the projectors follow. Required.
	Store eventstore.Store
	// Pool writes the read models and checkpoints; it must act as caseledger_app. Required.
	Pool *pgxpool.Pool
	// Projectors are run by the engine, each with its own checkpoint. Required; names unique.
	Projectors []Projector
	// Logger receives the engine's and Watermill's logs (ids only). Nil discards them.
	Logger *slog.Logger
	// MaxAttempts is how many times in a row a failing batch is tried before its projector stops
	// (default 5). RetryPause is the pause after the first failure, growing linearly (default 1s).
	MaxAttempts int
	RetryPause  time.Duration
	// RebuildBatch is how many events Rebuild reads and applies per transaction (default 10000).
	RebuildBatch int
}

// Validate reports every problem with c at once.
func (c Config) Validate() error {
	var errs []error
	if c.Store == nil {
		errs = append(errs, errors.New("projections: Store is required"))
	}
	if c.Pool == nil {
		errs = append(errs, errors.New("projections: Pool is required"))
	}
	if err := checkProjectors(c.Projectors); err != nil {
		errs = append(errs, err)
	}
	if c.MaxAttempts < 0 {
		errs = append(errs, fmt.Errorf("projections: MaxAttempts %d is negative", c.MaxAttempts))
	}
	if c.RetryPause < 0 {
		errs = append(errs, fmt.Errorf("projections: RetryPause %s is negative", c.RetryPause))
	}
	if c.RebuildBatch < 0 || c.RebuildBatch > eventstore.MaxAppendEvents {
		errs = append(errs, fmt.Errorf("projections: RebuildBatch %d must be 0 (default) to %d", c.RebuildBatch, eventstore.MaxAppendEvents))
	}
	return errors.Join(errs...)
}

func (c Config) withDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 5
	}
	if c.RetryPause == 0 {
		c.RetryPause = time.Second
	}
	if c.RebuildBatch == 0 {
		c.RebuildBatch = 10000
	}
	return c
}

// Engine runs projectors in a Watermill router, rebuilds them and reports their status. It is
// safe for concurrent use; several engines (processes) may run the same projectors at once, and
// the checkpoints' compare-and-set keeps every effect applied exactly once.
type Engine struct {
	cfg        Config
	cps        checkpoints
	projectors map[string]Projector
}

// New returns an engine for cfg, or cfg's problems.
func New(cfg Config) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	e := &Engine{cfg: cfg, cps: checkpoints{pool: cfg.Pool}, projectors: map[string]Projector{}}
	for _, p := range cfg.Projectors {
		e.projectors[p.Name()] = p
	}
	return e, nil
}

// Run creates any missing checkpoint (a new projector starts from the beginning of the log) and
// runs every projector until ctx ends, returning nil then. A projector that cannot apply an event
// stops on its own (see subscriber) while the others go on; when every projector has stopped, Run
// returns an error.
func (e *Engine) Run(ctx context.Context) error {
	for _, p := range e.cfg.Projectors {
		if err := e.cps.ensure(ctx, p.Name()); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
	logger := watermill.NewSlogLogger(e.cfg.Logger)
	router, err := message.NewRouter(message.RouterConfig{CloseTimeout: 30 * time.Second}, logger)
	if err != nil {
		return fmt.Errorf("projections: router: %w", err)
	}
	sub := &subscriber{store: e.cfg.Store, cps: e.cps, log: e.cfg.Logger,
		maxAttempts: e.cfg.MaxAttempts, retryPause: e.cfg.RetryPause}
	for _, p := range e.cfg.Projectors {
		router.AddConsumerHandler(p.Name(), p.Name(), sub, e.handler(p))
	}
	runErr := router.Run(ctx)
	if runErr != nil {
		return fmt.Errorf("projections: router: %w", runErr)
	}
	if ctx.Err() == nil {
		return errors.New("projections: every projector stopped; see `caseledger projections status`")
	}
	return nil
}

// handler applies a message's batch; its error Nacks the message.
func (e *Engine) handler(p Projector) message.NoPublishHandlerFunc {
	return func(msg *message.Message) error {
		b, ok := BatchOf(msg)
		if !ok {
			return errors.New("projections: message carries no batch")
		}
		ctx := msg.Context()
		err := applyBatch(ctx, e.cps, p, b)
		if err == nil {
			return nil
		}
		if ferr := recordFailure(ctx, e.cps, b, err); ferr != nil {
			e.cfg.Logger.Error("projection failure not recorded", "projector", b.Projector, "err", ferr)
		}
		if !errors.Is(err, errCheckpointMoved) && ctx.Err() == nil {
			e.cfg.Logger.Error("projector cannot apply batch", "projector", b.Projector,
				"generation", b.Generation, "err", err)
		}
		return err
	}
}
