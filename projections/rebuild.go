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
// generation has caught up with the end of the log, its secondary indexes are built and its
// statistics collected (finish), then one transaction makes it active and deletes the old
// generation; a running Engine then carries on from the new checkpoint. An empty name rebuilds
// every projector at once: the log is read once, each batch opened and decoded once, and every
// projector applies it in its own transactions, and is switched in as soon as it is done. A
// projector that fails leaves its old generation active and does not stop the others; when the
// log cannot be read to its end, no projector is switched in.
//
// An interrupted rebuild leaves an inactive generation behind, which the next Rebuild of that
// projector deletes first. Two rebuilds of one projector at once make the later one fail.
func (e *Engine) Rebuild(ctx context.Context, name string) error {
	ps := e.cfg.Projectors
	if name != "" {
		p, ok := e.projectors[name]
		if !ok {
			return fmt.Errorf("projections: no projector named %q", name)
		}
		ps = []Projector{p}
	}
	// The first page of the log is read while the generations are made.
	first := make(chan logPage, 1)
	go func() {
		events, err := e.cfg.Store.ReadAll(ctx, eventstore.Start, e.cfg.RebuildBatch)
		first <- logPage{events, err}
	}()
	gens, err := e.startGenerations(ctx, ps)
	if err != nil {
		return err
	}

	feeds := make([]chan Batch, len(ps))
	errs := make([]error, len(ps))
	// read is closed when the log has been read, to its end (readErr nil, at end) or not.
	read := make(chan struct{})
	var end eventstore.Position
	var readErr error
	var wg sync.WaitGroup
	for i, p := range ps {
		feeds[i] = make(chan Batch, 2)
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = e.replay(ctx, p, feeds[i])
			<-read // the feed is closed: the reader is done
			if errs[i] != nil || readErr != nil {
				return
			}
			if errs[i] = e.finish(ctx, p, gens[i]); errs[i] != nil {
				return
			}
			if errs[i] = e.activate(ctx, p, gens[i], end); errs[i] == nil {
				e.cfg.Logger.Info("projection rebuild finished", "projector", p.Name(), "generation", gens[i], "position", end.String())
			}
		}()
	}
	end, readErr = e.readForRebuild(ctx, ps, gens, feeds, first)
	close(read)
	wg.Wait()
	if readErr != nil {
		return readErr
	}
	return errors.Join(errs...)
}

// startGenerations starts a new generation of each of ps (startGeneration), side by side: each
// makes its own projector's partitions. A projector whose start failed fails the rebuild; the
// generations started for the others are deleted by the next rebuild.
func (e *Engine) startGenerations(ctx context.Context, ps []Projector) ([]int32, error) {
	gens := make([]int32, len(ps))
	errs := make([]error, len(ps))
	var wg sync.WaitGroup
	for i, p := range ps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if errs[i] = e.cps.ensure(ctx, p.Name()); errs[i] != nil {
				return
			}
			if gens[i], errs[i] = e.startGeneration(ctx, p); errs[i] == nil {
				e.cfg.Logger.Info("projection rebuild started", "projector", p.Name(), "generation", gens[i])
			}
		}()
	}
	wg.Wait()
	return gens, errors.Join(errs...)
}

// logPage is one read of the log.
type logPage struct {
	events []eventstore.RecordedEvent
	err    error
}

// readForRebuild reads the whole log in batches of RebuildBatch, the first from first, and sends
// each batch, with one shared opening of its events, to every feed; it closes the feeds and
// returns the position of the last event. Each projector's batches carry one rebuildScratch.
func (e *Engine) readForRebuild(ctx context.Context, ps []Projector, gens []int32, feeds []chan Batch, first <-chan logPage) (eventstore.Position, error) {
	scratch := make([]*rebuildScratch, len(ps))
	for i := range scratch {
		scratch[i] = &rebuildScratch{}
	}
	defer func() {
		for _, f := range feeds {
			close(f)
		}
	}()
	from := eventstore.Start
	for {
		var page logPage
		if from == eventstore.Start {
			page = <-first
		} else {
			page.events, page.err = e.cfg.Store.ReadAll(ctx, from, e.cfg.RebuildBatch)
		}
		events, err := page.events, page.err
		if err != nil {
			return from, fmt.Errorf("projections: rebuild: read log: %w", err)
		}
		if len(events) == 0 {
			return from, nil
		}
		shared := make([]opened, len(events))
		for i, p := range ps {
			b := Batch{Projector: p.Name(), Generation: gens[i], From: from, Events: events, shared: shared, rebuild: true,
				scratch: scratch[i]}
			select {
			case feeds[i] <- b:
			case <-ctx.Done():
				return from, ctx.Err()
			}
		}
		from = events[len(events)-1].Position
	}
}

// replay applies the batches of feed with p. After a failure it records it and drains the feed,
// so that the other projectors of the rebuild go on.
func (e *Engine) replay(ctx context.Context, p Projector, feed <-chan Batch) error {
	var failure error
	for b := range feed {
		if failure != nil {
			continue
		}
		if err := applyBatch(ctx, e.cps, p, b); err != nil {
			if ferr := recordFailure(ctx, e.cps, b, err); ferr != nil {
				e.cfg.Logger.Error("projection failure not recorded", "projector", p.Name(), "err", ferr)
			}
			failure = fmt.Errorf("projections: rebuild %s: %w", p.Name(), err)
		}
	}
	return failure
}

// finishParallel is how many of one projector's index builds finish runs at once, each on its
// own connection.
const finishParallel = 4

// finish builds the secondary indexes of the filled generation gen of p's tables, several at once
// (migrations/0038_rebuild_parallel_indexes.sql), then collects their planner statistics and seals
// the partitions (projection_partitions_finish), so that the generation is not switched in
// without any of it. It runs outside the switch's transaction, which therefore stays short.
func (e *Engine) finish(ctx context.Context, p Projector, gen int32) error {
	rows, err := e.cfg.Pool.Query(ctx, `SELECT table_name, index_name FROM projection_partitions_unindexed($1, $2)`, p.Name(), gen)
	if err != nil {
		return fmt.Errorf("projections: rebuild %s: list indexes of generation %d: %w", p.Name(), gen, err)
	}
	type index struct{ table, name string }
	indexes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (index, error) {
		var x index
		return x, r.Scan(&x.table, &x.name)
	})
	if err != nil {
		return fmt.Errorf("projections: rebuild %s: list indexes of generation %d: %w", p.Name(), gen, err)
	}
	errs := make([]error, len(indexes))
	sem := make(chan struct{}, finishParallel)
	var wg sync.WaitGroup
	for i, x := range indexes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if _, err := e.cfg.Pool.Exec(ctx, `SELECT projection_partitions_build_index($1, $2, $3, $4)`, p.Name(), gen, x.table, x.name); err != nil {
				errs[i] = fmt.Errorf("projections: rebuild %s: index %s of %s, generation %d: %w", p.Name(), x.name, x.table, gen, err)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if _, err := e.cfg.Pool.Exec(ctx, `SELECT projection_partitions_finish($1, $2)`, p.Name(), gen); err != nil {
		return fmt.Errorf("projections: rebuild %s: analyze and seal generation %d: %w", p.Name(), gen, err)
	}
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
