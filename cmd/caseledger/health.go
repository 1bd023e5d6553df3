package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/caseledger/caseledger/migrations"
)

// readyTimeout bounds the database checks behind /readyz.
const readyTimeout = 2 * time.Second

// healthHandler answers /healthz: 200 while the process is up.
func healthHandler(w http.ResponseWriter, _ *http.Request) {
	writeStatus(w, http.StatusOK, "ok")
}

// readyHandler answers /readyz: 200 when the database answers through both application roles,
// every embedded migration is recorded as applied and no active projector is stopped at an event
// it cannot apply; 503 otherwise. The body names which check failed (and the failing projectors
// by name: code constants, never data), never a database detail.
func (m *Main) readyHandler(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	if err := m.ready(ctx); err != "" {
		writeStatus(w, http.StatusServiceUnavailable, err)
		return
	}
	failing, err := m.failingProjectors(ctx)
	if err != nil {
		writeStatus(w, http.StatusServiceUnavailable, "database unreachable")
		return
	}
	if len(failing) > 0 {
		writeStatus(w, http.StatusServiceUnavailable, "projector failing: "+strings.Join(failing, ", "))
		return
	}
	writeStatus(w, http.StatusOK, "ready")
}

// ready returns "" when ready, or the name of the failed check.
func (m *Main) ready(ctx context.Context) string {
	if m.App.Ping(ctx) != nil || m.Reader.Ping(ctx) != nil {
		return "database unreachable"
	}
	var n int
	err := m.Admin.QueryRow(ctx, `SELECT count(*) FROM schema_migrations WHERE name = ANY($1)`,
		migrations.Names()).Scan(&n)
	if err != nil {
		return "database unreachable"
	}
	if n != len(migrations.Names()) {
		return "migrations pending"
	}
	return ""
}

// failingProjectors returns the names of the active projectors stopped at an event they cannot
// apply (the failure `caseledger projections status` details), in name order. It reads the
// checkpoints only, so it stays cheap however far behind the projectors are.
func (m *Main) failingProjectors(ctx context.Context) ([]string, error) {
	rows, err := m.Admin.Query(ctx, `SELECT name FROM projection_checkpoints
		WHERE active AND failed_event_id IS NOT NULL ORDER BY name`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

func writeStatus(w http.ResponseWriter, code int, status string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"status": status})
}
