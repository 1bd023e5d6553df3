package projections

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"

	"github.com/caseledger/caseledger/eventstore"
)

// Rebuild replays the whole log into a new generation of the named projector's read model while
// the active generation keeps serving reads (and a running Engine keeps it current). When the new
// generation has caught up with the end of the log, one transaction makes it active and deletes the
// old generation's rows; a running Engine then carries on from the new checkpoint. An empty name
// rebuilds every projector, one after another.
//
// An interrupted rebuild leaves an inactive generation behind, which the next Rebuild of that
// projector deletes first. Two rebuilds of one projector at once make the later one fail.
func (e *Engine) Rebuild(ctx context.Context, name string) error {
	if name == "" {
		errs := make([]error, len(e.cfg.Projectors))
		var wg sync.WaitGroup
		for i, p := range e.cfg.Projectors {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = e.rebuild(ctx, p)
			}()
		}
		wg.Wait()
		return errors.Join(errs...)
	}
	p, ok := e.projectors[name]
	if !ok {
		return fmt.Errorf("projections: no projector named %q", name)
	}
	return e.rebuild(ctx, p)
}

func (e *Engine) rebuild(ctx context.Context, p Projector) error {
	name := p.Name()
	if err := e.cps.ensure(ctx, name); err != nil {
		return err
	}
	gen, err := e.startGeneration(ctx, p)
	if err != nil {
		return err
	}
	e.cfg.Logger.Info("projection rebuild started", "projector", name, "generation", gen)
	from := eventstore.Start
	for {
		events, err := e.cfg.Store.ReadAll(ctx, from, e.cfg.RebuildBatch)
		if err != nil {
			return fmt.Errorf("projections: rebuild %s: read log: %w", name, err)
		}
		if len(events) == 0 {
			break
		}
		b := Batch{Projector: name, Generation: gen, From: from, Events: events}
		if err := applyBatch(ctx, e.cps, p, b); err != nil {
			if ferr := recordFailure(ctx, e.cps, b, err); ferr != nil {
				e.cfg.Logger.Error("projection failure not recorded", "projector", name, "err", ferr)
			}
			return fmt.Errorf("projections: rebuild %s: %w", name, err)
		}
		from = events[len(events)-1].Position
	}
	if err := e.activate(ctx, p, gen, from); err != nil {
		return err
	}
	e.cfg.Logger.Info("projection rebuild finished", "projector", name, "generation", gen, "position", from.String())
	return nil
}

// startGeneration deletes any inactive generation of p (an interrupted rebuild) and creates the
// next one, inactive, at Start.
func (e *Engine) startGeneration(ctx context.Context, p Projector) (int32, error) {
	var gen int32
	err := pgx.BeginFunc(ctx, e.cfg.Pool, func(tx pgx.Tx) error {
		stale, err := lockGenerations(ctx, tx, p.Name(), false)
		if err != nil {
			return err
		}
		for _, g := range stale {
			if err := dropGeneration(ctx, tx, p, g); err != nil {
				return err
			}
		}
		return tx.QueryRow(ctx, `
			INSERT INTO projection_checkpoints (name, generation, active, position)
			SELECT $1, max(generation) + 1, false, $2 FROM projection_checkpoints WHERE name = $1
			RETURNING generation`, p.Name(), eventstore.Start.String()).Scan(&gen)
	})
	if err != nil {
		return 0, fmt.Errorf("projections: start rebuild of %s: %w", p.Name(), err)
	}
	return gen, nil
}

// activate makes generation gen of p active if its checkpoint is still at pos, and deletes the
// generation it replaces.
func (e *Engine) activate(ctx context.Context, p Projector, gen int32, pos eventstore.Position) error {
	err := pgx.BeginFunc(ctx, e.cfg.Pool, func(tx pgx.Tx) error {
		old, err := lockGenerations(ctx, tx, p.Name(), true)
		if err != nil {
			return err
		}
		var at string
		err = tx.QueryRow(ctx, `SELECT position FROM projection_checkpoints
			WHERE name = $1 AND generation = $2 AND NOT active`, p.Name(), gen).Scan(&at)
		if err != nil || at != pos.String() {
			return fmt.Errorf("generation %d was changed by another rebuild: %w", gen, errCheckpointMoved)
		}
		if _, err := tx.Exec(ctx, `UPDATE projection_checkpoints SET active = false
			WHERE name = $1 AND active`, p.Name()); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE projection_checkpoints SET active = true, updated_at = now()
			WHERE name = $1 AND generation = $2`, p.Name(), gen); err != nil {
			return err
		}
		for _, g := range old {
			if err := dropGeneration(ctx, tx, p, g); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("projections: activate rebuilt %s: %w", p.Name(), err)
	}
	return nil
}

// lockGenerations locks every checkpoint row of name for the rest of tx and returns the
// generations whose active flag equals active.
func lockGenerations(ctx context.Context, tx pgx.Tx, name string, active bool) ([]int32, error) {
	rows, err := tx.Query(ctx, `SELECT generation, active FROM projection_checkpoints
		WHERE name = $1 ORDER BY generation FOR UPDATE`, name)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int32
	for rows.Next() {
		var g int32
		var a bool
		if err := rows.Scan(&g, &a); err != nil {
			return nil, err
		}
		if a == active {
			out = append(out, g)
		}
	}
	return out, rows.Err()
}

// dropGeneration deletes generation g's checkpoint of p. Deleting it drops the generation's
// partition of each of p's tables, with its rows (a trigger on projection_checkpoints, see
// migrations/0033_read_model_partitions.sql), which locks those tables until tx ends.
func dropGeneration(ctx context.Context, tx pgx.Tx, p Projector, g int32) error {
	if _, err := tx.Exec(ctx, `DELETE FROM projection_checkpoints WHERE name = $1 AND generation = $2`, p.Name(), g); err != nil {
		return fmt.Errorf("drop generation %d: %w", g, err)
	}
	return nil
}
