package kurrentdb_test

import (
	"os"
	"strings"
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/eventstoretest"
	"github.com/caseledger/caseledger/eventstore/kurrentdb"
)

// TestConformance runs the shared suite against the KurrentDB server at KURRENTDB_URL (for
// example esdb://127.0.0.1:2113?tls=false). It is the one test in Caseledger allowed to skip: no
// KurrentDB server can be installed on the development machines. Each subtest gets a namespace of
// its own, so the server may hold other data.
func TestConformance(t *testing.T) {
	url := os.Getenv("KURRENTDB_URL")
	if url == "" {
		t.Skip("KURRENTDB_URL is not set: no KurrentDB server to run the conformance suite against")
	}
	cfg, err := esdb.ParseConnectionString(url)
	if err != nil {
		t.Fatalf("KURRENTDB_URL: %v", err)
	}
	eventstoretest.Run(t, func(tb testing.TB) eventstore.Store {
		client, err := esdb.NewClient(cfg)
		if err != nil {
			tb.Fatalf("connect to KurrentDB: %v", err)
		}
		tb.Cleanup(func() { client.Close() })
		s, err := kurrentdb.New(client, kurrentdb.Config{Namespace: strings.ReplaceAll(uuid.NewString(), "-", "")})
		if err != nil {
			tb.Fatal(err)
		}
		return s
	})
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  kurrentdb.Config
		ok   bool
	}{
		{"zero", kurrentdb.Config{}, true},
		{"batch", kurrentdb.Config{TailBatch: 10}, true},
		{"negative batch", kurrentdb.Config{TailBatch: -1}, false},
		{"huge batch", kurrentdb.Config{TailBatch: 1 << 20}, false},
		{"namespace", kurrentdb.Config{Namespace: "t0190f3c2"}, true},
		{"namespace with a dash", kurrentdb.Config{Namespace: "a-b"}, false},
		{"namespace too long", kurrentdb.Config{Namespace: strings.Repeat("a", 33)}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.cfg.Validate(); (err == nil) != tc.ok {
				t.Fatalf("Validate() = %v, want ok %v", err, tc.ok)
			}
		})
	}
	if _, err := kurrentdb.New(nil, kurrentdb.Config{}); err == nil {
		t.Fatal("New accepted a nil client")
	}
}
