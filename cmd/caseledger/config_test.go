package main_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	main "github.com/caseledger/caseledger/cmd/caseledger"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestConfigFromEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want main.Config
	}{
		{
			name: "defaults",
			env:  nil,
			want: main.Config{
				DatabaseURL: main.DefaultDatabaseURL, Listen: main.DefaultListen,
				DataDir: main.DefaultDataDir, PrivateCluster: true, LogLevel: "info",
				MasterKey:          "file:.data/master.keyset",
				CheckpointInterval: time.Hour, RetentionSweepInterval: 24 * time.Hour,
				CredentialPurgeInterval: 24 * time.Hour, DormantSweepInterval: 24 * time.Hour,
				OrphanReleaseInterval: 5 * time.Minute, OrphanGrace: 5 * time.Minute,
			},
		},
		{
			name: "everything set",
			env: map[string]string{
				"CASELEDGER_DATABASE_URL":              "postgres://u:p@db:5432/cl",
				"CASELEDGER_LISTEN":                    ":9000",
				"CASELEDGER_MASTER_KEY":                "gcp-kms://projects/p/locations/l/keyRings/r/cryptoKeys/k",
				"CASELEDGER_DATA_DIR":                  "/var/lib/caseledger",
				"CASELEDGER_PRIVATE_CLUSTER":           "off",
				"CASELEDGER_LOG_LEVEL":                 "DEBUG",
				"CASELEDGER_PREVIOUS_MASTER_KEYS":      " file:/old/one.keyset, ,passphrase-env:OLD_PASS ",
				"CASELEDGER_CHECKPOINT_INTERVAL":       "15m",
				"CASELEDGER_RETENTION_SWEEP_INTERVAL":  "off",
				"CASELEDGER_TLS_CERT_FILE":             "/etc/caseledger/cert.pem",
				"CASELEDGER_TLS_KEY_FILE":              "/etc/caseledger/key.pem",
				"CASELEDGER_BEHIND_TLS_PROXY":          "on",
				"CASELEDGER_CREDENTIAL_PURGE_INTERVAL": "6h",
				"CASELEDGER_DORMANT_SWEEP_INTERVAL":    "OFF",
				"CASELEDGER_ORPHAN_RELEASE_INTERVAL":   "0",
				"CASELEDGER_ORPHAN_GRACE":              "10m",
			},
			want: main.Config{
				DatabaseURL: "postgres://u:p@db:5432/cl", DatabaseURLExplicit: true, Listen: ":9000",
				MasterKey: "gcp-kms://projects/p/locations/l/keyRings/r/cryptoKeys/k",
				DataDir:   "/var/lib/caseledger", PrivateCluster: false, LogLevel: "debug",
				PreviousMasterKeys: []string{"file:/old/one.keyset", "passphrase-env:OLD_PASS"},
				CheckpointInterval: 15 * time.Minute, RetentionSweepInterval: 0,
				CredentialPurgeInterval: 6 * time.Hour, DormantSweepInterval: 0,
				OrphanReleaseInterval: 0, OrphanGrace: 10 * time.Minute,
				TLSCertFile: "/etc/caseledger/cert.pem", TLSKeyFile: "/etc/caseledger/key.pem", BehindTLSProxy: true,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := main.ConfigFromEnv(env(tt.env))
			if err != nil {
				t.Fatalf("ConfigFromEnv: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tt.want)
			}
			if err := got.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
		})
	}
}

func TestConfigFromEnvRejectsUnparseableValues(t *testing.T) {
	t.Parallel()
	for name, value := range map[string]string{
		"CASELEDGER_PRIVATE_CLUSTER":           "maybe",
		"CASELEDGER_CHECKPOINT_INTERVAL":       "hourly",
		"CASELEDGER_RETENTION_SWEEP_INTERVAL":  "7",
		"CASELEDGER_BEHIND_TLS_PROXY":          "sometimes",
		"CASELEDGER_CREDENTIAL_PURGE_INTERVAL": "daily",
		"CASELEDGER_DORMANT_SWEEP_INTERVAL":    "never",
		"CASELEDGER_ORPHAN_RELEASE_INTERVAL":   "5",
		"CASELEDGER_ORPHAN_GRACE":              "off",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := main.ConfigFromEnv(env(map[string]string{name: value}))
			if err == nil || !strings.Contains(err.Error(), name) {
				t.Fatalf("err = %v, want one naming %s", err, name)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	valid := func() main.Config {
		c, err := main.ConfigFromEnv(env(nil))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tests := []struct {
		name   string
		modify func(*main.Config)
		want   []string // substrings of the error; nil means valid
	}{
		{name: "default is valid", modify: func(*main.Config) {}},
		{name: "port zero is valid", modify: func(c *main.Config) { c.Listen = "127.0.0.1:0" }},
		{name: "private cluster asked for", modify: func(c *main.Config) { c.DatabaseURL = main.PrivateDatabaseURL }},
		{name: "private cluster asked for but forbidden", modify: func(c *main.Config) {
			c.DatabaseURL, c.PrivateCluster = main.PrivateDatabaseURL, false
		}, want: []string{"CASELEDGER_PRIVATE_CLUSTER=off"}},
		{name: "empty url", modify: func(c *main.Config) { c.DatabaseURL = "" }, want: []string{"database url is empty"}},
		{name: "wrong scheme", modify: func(c *main.Config) { c.DatabaseURL = "mysql://h/db" }, want: []string{`scheme "mysql"`}},
		{name: "no database", modify: func(c *main.Config) { c.DatabaseURL = "postgres://h:5432/" }, want: []string{"names no database"}},
		{name: "listen without port", modify: func(c *main.Config) { c.Listen = "localhost" }, want: []string{"CASELEDGER_LISTEN"}},
		{name: "empty data dir", modify: func(c *main.Config) { c.DataDir = "" }, want: []string{"data directory is empty"}},
		{name: "root data dir", modify: func(c *main.Config) { c.DataDir = "/" }, want: []string{"must not be /"}},
		{name: "bad log level", modify: func(c *main.Config) { c.LogLevel = "loud" }, want: []string{"CASELEDGER_LOG_LEVEL"}},
		{name: "checkpoints too often", modify: func(c *main.Config) { c.CheckpointInterval = time.Millisecond },
			want: []string{"CASELEDGER_CHECKPOINT_INTERVAL"}},
		{name: "negative sweep interval", modify: func(c *main.Config) { c.RetentionSweepInterval = -time.Hour },
			want: []string{"CASELEDGER_RETENTION_SWEEP_INTERVAL"}},
		{name: "purge too often", modify: func(c *main.Config) { c.CredentialPurgeInterval = time.Millisecond },
			want: []string{"CASELEDGER_CREDENTIAL_PURGE_INTERVAL"}},
		{name: "negative dormant sweep interval", modify: func(c *main.Config) { c.DormantSweepInterval = -time.Hour },
			want: []string{"CASELEDGER_DORMANT_SWEEP_INTERVAL"}},
		{name: "orphan release too often", modify: func(c *main.Config) { c.OrphanReleaseInterval = time.Millisecond },
			want: []string{"CASELEDGER_ORPHAN_RELEASE_INTERVAL"}},
		{name: "orphan grace under a minute", modify: func(c *main.Config) { c.OrphanGrace = 30 * time.Second },
			want: []string{"CASELEDGER_ORPHAN_GRACE"}},
		{name: "orphan grace ignored when the release is off", modify: func(c *main.Config) { c.OrphanReleaseInterval, c.OrphanGrace = 0, 0 }},
		{name: "background tasks off", modify: func(c *main.Config) {
			c.CheckpointInterval, c.RetentionSweepInterval, c.CredentialPurgeInterval, c.DormantSweepInterval, c.OrphanReleaseInterval = 0, 0, 0, 0, 0
		}},
		{name: "TLS certificate without key", modify: func(c *main.Config) { c.TLSCertFile = "/etc/caseledger/cert.pem" },
			want: []string{"CASELEDGER_TLS_CERT_FILE and CASELEDGER_TLS_KEY_FILE go together"}},
		{name: "empty master key", modify: func(c *main.Config) { c.MasterKey = "" }, want: []string{"master key spec is empty"}},
		{name: "previous master is the current one", modify: func(c *main.Config) { c.PreviousMasterKeys = []string{c.MasterKey} },
			want: []string{"repeats the current master key"}},
		{
			name: "all problems reported at once",
			modify: func(c *main.Config) {
				c.DatabaseURL, c.Listen, c.LogLevel = "", "nope", "loud"
			},
			want: []string{"database url is empty", "CASELEDGER_LISTEN", "CASELEDGER_LOG_LEVEL"},
		},
		{
			name:   "password never echoed",
			modify: func(c *main.Config) { c.DatabaseURL = "mysql://u:s3cret@h/db" },
			want:   []string{"scheme"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := valid()
			tt.modify(&c)
			err := c.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Validate: want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error %q echoes the password", err)
			}
		})
	}
}
