package keyring_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/keyring"
	"github.com/caseledger/caseledger/migrations"
	"github.com/caseledger/caseledger/migrations/pgtest"
)

// coldKeyring opens a keyring on its own pool (like a separate process) whose cache entries expire
// at once, so that every Seal and Open reads and unwraps the subject's keyset from the database:
// whatever a rotation or a process of another configuration did to the row is seen by the next call.
func (p pgEnv) coldKeyring(tb testing.TB, m *keyring.Master, previous ...*keyring.Master) *keyring.Keyring {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	k, err := keyring.New(ctx, keyring.Config{
		Storage:  keyring.NewPostgresStorage(pgtest.Pool(tb, p.dsn, migrations.RoleApp)),
		Master:   m,
		Previous: previous,
		CacheTTL: time.Nanosecond,
	})
	if err != nil {
		tb.Fatalf("keyring.New: %v", err)
	}
	tb.Cleanup(k.Close)
	return k
}

// workload is a process's traffic during a rollout: it mints keys for new subjects and opens
// events sealed by any process, until stopped. The events it seals join a shared list.
type workload struct {
	mu     sync.Mutex
	events []eventstore.RecordedEvent
	errs   []error
	wg     sync.WaitGroup
}

func (w *workload) add(r eventstore.RecordedEvent) {
	w.mu.Lock()
	w.events = append(w.events, r)
	w.mu.Unlock()
}

func (w *workload) pick() eventstore.RecordedEvent {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.events[rand.IntN(len(w.events))]
}

func (w *workload) fail(err error) {
	w.mu.Lock()
	w.errs = append(w.errs, err)
	w.mu.Unlock()
}

// run starts name's traffic on k and returns a function that stops it and waits for it.
func (w *workload) run(tb testing.TB, name string, k *keyring.Keyring) (stop func()) {
	tb.Helper()
	ctx := context.Background()
	done := make(chan struct{})
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			if i%3 == 0 { // a new client: their key is minted under this process's current master
				s := newID(tb)
				stream := eventstore.StreamID("client-" + s.String())
				e := eventstore.EventData{ID: newID(tb), Type: "NoteAuthored", Subject: s, Payload: []byte(secret)}
				if err := k.Seal(ctx, stream, &e); err != nil {
					w.fail(fmt.Errorf("%s: Seal: %w", name, err))
					return
				}
				w.add(eventstore.RecordedEvent{EventData: e, StreamID: stream})
				continue
			}
			r := w.pick()
			if got, err := k.Open(ctx, r); err != nil || string(got) != secret {
				w.fail(fmt.Errorf("%s: Open of subject %s = %q, %w", name, r.Subject, got, err))
				return
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done) }) }
}

// TestRotateMasterDuringRollingRestart runs the documented rotation procedure on a fleet that is
// restarted one process at a time, every process working throughout and reading keysets from the
// database on every call: (1) every process learns the new master as a previous one while still
// wrapping with the old; (2) every process switches to wrapping with the new master, keeping the
// old one as previous; (3) RotateMaster re-wraps what is left; (4) the old master is dropped. No
// Seal or Open fails at any point. It also shows why step 1 exists: a process that knows only the
// old master cannot open a key minted by one already switched to the new master (and the test
// fails when one process skips step 1).
func TestRotateMasterDuringRollingRestart(t *testing.T) {
	t.Parallel()
	pg := newPG(t)
	ctx := context.Background()
	oldM, newM := newMaster(t), newMaster(t)
	w := &workload{}
	for range 20 {
		s := newID(t)
		w.add(sealed(t, pg.coldKeyring(t, oldM), eventstore.StreamID("client-"+s.String()), s, secret))
	}
	// Two processes on the old master only.
	stopA := w.run(t, "a (old)", pg.coldKeyring(t, oldM))
	stopB := w.run(t, "b (old)", pg.coldKeyring(t, oldM))
	pause := func() { time.Sleep(150 * time.Millisecond) }
	pause()

	// Step 1, one process at a time: wrap with the old master, unwrap with either.
	stopA()
	stopA = w.run(t, "a (old, knows new)", pg.coldKeyring(t, oldM, newM))
	pause()
	stopB()
	stopB = w.run(t, "b (old, knows new)", pg.coldKeyring(t, oldM, newM))
	pause()

	// Step 2, one process at a time: wrap with the new master, unwrap with either. While a is
	// switched and b is not, each opens the keys the other mints.
	stopA()
	stopA = w.run(t, "a (new, knows old)", pg.coldKeyring(t, newM, oldM))
	pause()
	// A key wrapped by the new master, for the control at the end.
	mintedSubject := newID(t)
	minted := sealed(t, pg.coldKeyring(t, newM, oldM), eventstore.StreamID("client-"+mintedSubject.String()), mintedSubject, secret)
	// Why step 1 exists: a process that knows only the old master cannot open a key minted by a
	// process already wrapping with the new one.
	if _, err := pg.coldKeyring(t, oldM).Open(ctx, minted); !errors.Is(err, keyring.ErrMasterMismatch) {
		t.Fatalf("Open by an old-master-only process of a key minted under the new master = %v, want ErrMasterMismatch", err)
	}
	stopB()
	stopB = w.run(t, "b (new, knows old)", pg.coldKeyring(t, newM, oldM))
	pause()

	// Step 3: rotate while both keep working.
	res, err := pg.coldKeyring(t, newM, oldM).RotateMaster(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pause()
	stopA()
	stopB()
	w.wg.Wait()
	if len(w.errs) > 0 {
		t.Fatalf("%d failures during the rollout, first: %v", len(w.errs), w.errs[0])
	}
	if res.Rewrapped == 0 {
		t.Fatal("RotateMaster re-wrapped nothing: the old master wrapped no key when it ran")
	}
	var left int
	if err := pg.admin.QueryRow(ctx, `SELECT count(*) FROM keyring_subject_keys WHERE master_id <> $1`, newM.ID()).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Fatalf("%d keysets still wrapped by the old master", left)
	}

	// Step 4: the new master alone opens everything every process ever sealed.
	final := pg.coldKeyring(t, newM)
	if len(w.events) <= 20 {
		t.Fatalf("the fleet minted no key during the rollout (%d events)", len(w.events))
	}
	for _, r := range append(w.events, minted) {
		if got, err := final.Open(ctx, r); err != nil || string(got) != secret {
			t.Fatalf("Open of subject %s with the new master only = %q, %v", r.Subject, got, err)
		}
	}
}
