package main_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	main "github.com/caseledger/caseledger/cmd/caseledger"
	"github.com/caseledger/caseledger/commands"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/scheduling"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/migrations/pgtest"
)

func TestServeRunsCheckpointsAndRetentionSweeps(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewEmptyDatabase(t)
	cfg := testConfig(t, dsn)
	cfg.CheckpointInterval = time.Second
	cfg.RetentionSweepInterval = time.Second
	cfg.LogLevel = "info"
	m, logs := runMain(t, cfg)
	admin := pgtest.Pool(t, dsn, "")

	var signed int
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && (signed == 0 || !strings.Contains(logs.String(), `"msg":"retention sweep"`)); time.Sleep(200 * time.Millisecond) {
		if err := admin.QueryRow(context.Background(),
			`SELECT count(*) FROM event_log WHERE event_type = 'CheckpointSigned'`).Scan(&signed); err != nil {
			t.Fatal(err)
		}
	}
	if signed == 0 {
		t.Fatalf("no checkpoint signed within 30s\nlogs:\n%s", logs)
	}
	if !strings.Contains(logs.String(), `"msg":"retention sweep"`) {
		t.Fatalf("no retention sweep within 30s\nlogs:\n%s", logs)
	}
	if err := m.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	var after int
	if err := admin.QueryRow(context.Background(),
		`SELECT count(*) FROM event_log WHERE event_type = 'CheckpointSigned'`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	var later int
	if err := admin.QueryRow(context.Background(),
		`SELECT count(*) FROM event_log WHERE event_type = 'CheckpointSigned'`).Scan(&later); err != nil {
		t.Fatal(err)
	}
	if later != after {
		t.Fatalf("checkpoints still signed after Close: %d then %d", after, later)
	}
}

// identityTimersConfig is a Config whose only background tasks are the credential purge, the
// dormant sweep and the orphan release, each every every (zero: all three off).
func identityTimersConfig(tb testing.TB, dsn string, every time.Duration) main.Config {
	tb.Helper()
	cfg := testConfig(tb, dsn)
	cfg.LogLevel = "info"
	cfg.CredentialPurgeInterval = every
	cfg.DormantSweepInterval = every
	cfg.OrphanReleaseInterval = every
	cfg.OrphanGrace = commands.MinOrphanGrace
	return cfg
}

// insertExpiredSession stores a session last seen two days ago and returns its id.
func insertExpiredSession(tb testing.TB, admin *pgxpool.Pool) uuid.UUID {
	tb.Helper()
	id := uuid.New()
	secret, csrf := sha256.Sum256(id[:]), sha256.Sum256(append(id[:], 1))
	old := time.Now().Add(-48 * time.Hour)
	if _, err := admin.Exec(context.Background(), `INSERT INTO api_sessions
		(secret_hash, session_id, user_id, role, stage, csrf_hash, created_at, last_seen_at)
		VALUES ($1, $2, $3, 'therapist', 'full', $4, $5, $5)`, secret[:], id, uuid.New(), csrf[:], old); err != nil {
		tb.Fatal(err)
	}
	return id
}

// appendOrphanedReservation appends to a new therapist's calendar a reservation made ten minutes
// ago whose appointment was never written, and returns the calendar's stream.
func appendOrphanedReservation(tb testing.TB, m *main.Main) string {
	tb.Helper()
	therapist, appointment := uuid.New(), uuid.New()
	start := time.Now().Add(48 * time.Hour).Truncate(time.Hour)
	payload, err := json.Marshal(scheduling.SlotReserved{
		AppointmentID: domain.ID(appointment), Start: start, End: start.Add(50 * time.Minute),
		ReservedAt: time.Now().Add(-10 * time.Minute).UTC(),
	})
	if err != nil {
		tb.Fatal(err)
	}
	stream := commands.CalendarStream(domain.ID(therapist))
	if _, err := m.Store.Append(context.Background(), stream, eventstore.NoStream(), eventstore.EventData{
		ID: uuid.New(), Type: "SlotReserved", SchemaVersion: scheduling.SchemaVersion, OccurredAt: time.Now(),
		Actor: eventstore.Actor{UserID: therapist, Role: string(domain.RoleTherapist)}, Payload: payload,
	}); err != nil {
		tb.Fatal(err)
	}
	return string(stream)
}

func TestServeRunsIdentityAndSchedulingTimers(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewEmptyDatabase(t)
	m, logs := runMain(t, identityTimersConfig(t, dsn, time.Second))
	admin := pgtest.Pool(t, dsn, "")
	session := insertExpiredSession(t, admin)
	calendar := appendOrphanedReservation(t, m)

	ctx := context.Background()
	var sessions, released int
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if err := admin.QueryRow(ctx, `SELECT count(*) FROM api_sessions WHERE session_id = $1`, session).Scan(&sessions); err != nil {
			t.Fatal(err)
		}
		if err := admin.QueryRow(ctx, `SELECT count(*) FROM event_log WHERE stream_id = $1 AND event_type = 'SlotReleased'`,
			calendar).Scan(&released); err != nil {
			t.Fatal(err)
		}
		if sessions == 0 && released == 1 && strings.Contains(logs.String(), `"msg":"dormant sweep"`) {
			break
		}
	}
	if sessions != 0 {
		t.Errorf("the expired session was not purged within 30s\nlogs:\n%s", logs)
	}
	if released != 1 {
		t.Errorf("orphaned reservation released %d times within 30s, want 1\nlogs:\n%s", released, logs)
	}
	if !strings.Contains(logs.String(), `"msg":"dormant sweep"`) {
		t.Errorf("no dormant sweep within 30s\nlogs:\n%s", logs)
	}
}

func TestServeTimersOff(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewEmptyDatabase(t)
	m, logs := runMain(t, identityTimersConfig(t, dsn, 0))
	admin := pgtest.Pool(t, dsn, "")
	session := insertExpiredSession(t, admin)
	calendar := appendOrphanedReservation(t, m)
	time.Sleep(3 * time.Second)

	ctx := context.Background()
	var sessions, released int
	if err := admin.QueryRow(ctx, `SELECT count(*) FROM api_sessions WHERE session_id = $1`, session).Scan(&sessions); err != nil {
		t.Fatal(err)
	}
	if err := admin.QueryRow(ctx, `SELECT count(*) FROM event_log WHERE stream_id = $1 AND event_type = 'SlotReleased'`,
		calendar).Scan(&released); err != nil {
		t.Fatal(err)
	}
	if sessions != 1 || released != 0 {
		t.Errorf("with the timers off: %d sessions left (want 1), %d releases (want 0)", sessions, released)
	}
	for _, msg := range []string{"credential purge", "dormant sweep", "orphan release"} {
		if strings.Contains(logs.String(), `"msg":"`+msg+`"`) {
			t.Errorf("%s ran although off\nlogs:\n%s", msg, logs)
		}
	}
}
