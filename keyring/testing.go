package keyring

import (
	"context"
	"testing"
)

// NewForTests returns a Keyring on a fresh MemoryStorage with a fresh random master, closed when tb
// ends. events may be nil when the test does not Shred. Use it in fast tests of code that seals and
// opens; tests of the keyring's durability use PostgresStorage.
func NewForTests(tb testing.TB, events EventAppender) *Keyring {
	tb.Helper()
	m, err := NewRandomMaster()
	if err != nil {
		tb.Fatalf("keyring: %v", err)
	}
	k, err := New(context.Background(), Config{Storage: NewMemoryStorage(), Master: m, Events: events})
	if err != nil {
		tb.Fatalf("keyring: %v", err)
	}
	tb.Cleanup(k.Close)
	return k
}
