package keyring_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tink-crypto/tink-go/v2/testing/fakekms"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/keyring"
	"github.com/caseledger/caseledger/migrations"
	"github.com/caseledger/caseledger/migrations/pgtest"
)

// cheap keeps argon2id fast in tests; production uses keyring.DefaultArgon2.
var cheap = keyring.Argon2{Time: 1, Memory: 8 * 1024, Threads: 1}

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func openMaster(tb testing.TB, s keyring.Storage, spec string, vars map[string]string) (*keyring.Master, error) {
	tb.Helper()
	return keyring.OpenMaster(context.Background(), keyring.MasterConfig{Spec: spec, Storage: s, LookupEnv: env(vars), Argon2: cheap})
}

// roundTrip seals with a keyring on master a and opens with another keyring on master b.
func roundTrip(tb testing.TB, s keyring.Storage, a, b *keyring.Master) {
	tb.Helper()
	subject := newID(tb)
	r := sealed(tb, newKeyring(tb, s, a, nil), "client-x", subject, secret)
	got, err := newKeyring(tb, s, b, nil).Open(context.Background(), r)
	if err != nil || string(got) != secret {
		tb.Fatalf("Open under the reopened master = %q, %v", got, err)
	}
}

func TestFileMaster(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "data", "master.keyset")
	s := keyring.NewMemoryStorage()
	m, err := openMaster(t, s, "file:"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Development() {
		t.Error("a keyset file master does not report itself as a development key")
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("keyset file mode %04o, want 0600", st.Mode().Perm())
	}
	again, err := openMaster(t, s, "file:"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.ID() != m.ID() {
		t.Fatalf("reopened master id %s, want %s", again.ID(), m.ID())
	}
	roundTrip(t, s, m, again)

	t.Run("readable by others is refused", func(t *testing.T) {
		if err := os.Chmod(path, 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(path, 0o600)
		if _, err := openMaster(t, s, "file:"+path, nil); err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Fatalf("OpenMaster on a 0644 keyset file = %v, want a refusal", err)
		}
	})
	t.Run("a regenerated file is refused by the database", func(t *testing.T) {
		other, err := openMaster(t, s, "file:"+filepath.Join(dir, "other.keyset"), nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = keyring.New(context.Background(), keyring.Config{Storage: s, Master: other})
		if !errors.Is(err, keyring.ErrMasterMismatch) {
			t.Fatalf("New with a new keyset file = %v, want ErrMasterMismatch", err)
		}
	})
	t.Run("garbage file", func(t *testing.T) {
		bad := filepath.Join(dir, "bad.keyset")
		if err := os.WriteFile(bad, []byte("not a keyset"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := openMaster(t, s, "file:"+bad, nil); err == nil {
			t.Fatal("OpenMaster accepted a file that is not a keyset")
		}
	})
}

func TestPassphraseMasterSurvivesRestartsOnPostgres(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t)
	newStorage := func() keyring.Storage {
		return keyring.NewPostgresStorage(pgtest.Pool(t, dsn, migrations.RoleApp))
	}
	vars := map[string]string{"PASS": "correct horse battery staple", "WRONG": "incorrect horse battery staple"}
	s1 := newStorage()
	m1, err := openMaster(t, s1, "passphrase-env:PASS", vars)
	if err != nil {
		t.Fatal(err)
	}
	if m1.Development() {
		t.Error("a passphrase master reports itself as a development key")
	}
	k1 := newKeyring(t, s1, m1, nil) // stores the master's check value
	subject := newID(t)
	r := sealed(t, k1, eventstore.StreamID("client-"+subject.String()), subject, secret)

	// A restart: new pool, same passphrase, same salt from the database.
	s2 := newStorage()
	m2, err := openMaster(t, s2, "passphrase-env:PASS", vars)
	if err != nil {
		t.Fatal(err)
	}
	if m2.ID() != m1.ID() {
		t.Fatalf("restart derived master %s, want %s", m2.ID(), m1.ID())
	}
	if got, err := newKeyring(t, s2, m2, nil).Open(context.Background(), r); err != nil || string(got) != secret {
		t.Fatalf("Open after restart = %q, %v", got, err)
	}

	// A mistyped passphrase derives another key, which the database refuses.
	wrong, err := openMaster(t, s2, "passphrase-env:WRONG", vars)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.New(context.Background(), keyring.Config{Storage: s2, Master: wrong}); !errors.Is(err, keyring.ErrMasterMismatch) {
		t.Fatalf("New with a wrong passphrase = %v, want ErrMasterMismatch", err)
	}
	var salts int
	if err := pgtest.Pool(t, dsn, "").QueryRow(context.Background(), `SELECT count(*) FROM keyring_kdf WHERE octet_length(salt) = 16 AND time_cost = 1`).Scan(&salts); err != nil || salts < 1 {
		t.Fatalf("kdf rows: %d, %v", salts, err)
	}

	for name, vars := range map[string]map[string]string{
		"too short": {"PASS": "short"},
		"unset":     {},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := openMaster(t, s2, "passphrase-env:PASS", vars); err == nil {
				t.Fatal("OpenMaster succeeded")
			}
		})
	}
}

func TestFakeKMSMaster(t *testing.T) {
	t.Parallel()
	uri, err := fakekms.NewKeyURI()
	if err != nil {
		t.Fatal(err)
	}
	s := keyring.NewMemoryStorage()
	m, err := openMaster(t, s, uri, nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.ID(), strings.TrimPrefix(uri, "fake-kms://")) {
		t.Fatal("the master id holds the fake KMS key")
	}
	again, err := openMaster(t, s, uri, nil)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, s, m, again)

	// Rotating from the fake KMS key to another one re-wraps under the new key.
	uri2, err := fakekms.NewKeyURI()
	if err != nil {
		t.Fatal(err)
	}
	m2, err := openMaster(t, s, uri2, nil)
	if err != nil {
		t.Fatal(err)
	}
	k, err := keyring.New(context.Background(), keyring.Config{Storage: s, Master: m2, Previous: []*keyring.Master{m}})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if res, err := k.RotateMaster(context.Background()); err != nil || res.Rewrapped != 1 {
		t.Fatalf("RotateMaster = %+v, %v", res, err)
	}
	roundTrip(t, s, m2, m2)
}

func TestMasterConfigValidate(t *testing.T) {
	t.Parallel()
	s := keyring.NewMemoryStorage()
	lookup := env(nil)
	tests := []struct {
		name  string
		cfg   keyring.MasterConfig
		wants []string // substrings of the joined error; none means valid
	}{
		{"file", keyring.MasterConfig{Spec: keyring.DefaultMasterSpec, Storage: s}, nil},
		{"passphrase", keyring.MasterConfig{Spec: "passphrase-env:CASELEDGER_PASS", Storage: s, LookupEnv: lookup}, nil},
		{"gcp", keyring.MasterConfig{Spec: "gcp-kms://projects/p/locations/global/keyRings/r/cryptoKeys/k", Storage: s}, nil},
		{"aws", keyring.MasterConfig{Spec: "aws-kms://arn:aws:kms:eu-west-2:111122223333:key/abcd", Storage: s}, nil},
		{"vault", keyring.MasterConfig{Spec: "hcvault://vault.example:8200/transit/keys/caseledger", Storage: s, LookupEnv: lookup}, nil},
		{"empty", keyring.MasterConfig{Storage: s}, []string{"empty"}},
		{"no kind", keyring.MasterConfig{Spec: "master.keyset", Storage: s}, []string{"no kind"}},
		{"unknown kind", keyring.MasterConfig{Spec: "azure-kv://x", Storage: s}, []string{"unknown kind"}},
		{"file without path", keyring.MasterConfig{Spec: "file:", Storage: s}, []string{"needs a path"}},
		{"bad variable", keyring.MasterConfig{Spec: "passphrase-env:1X", Storage: s, LookupEnv: lookup}, []string{"variable name"}},
		{"kms without //", keyring.MasterConfig{Spec: "aws-kms:arn", Storage: s}, []string{"must be a URI"}},
		{"vault without path", keyring.MasterConfig{Spec: "hcvault://vault.example", Storage: s, LookupEnv: lookup}, []string{"hcvault://<host>"}},
		{"everything wrong at once", keyring.MasterConfig{Spec: "passphrase-env:P", Argon2: keyring.Argon2{Memory: 1, Threads: 1}},
			[]string{"Storage is required", "needs LookupEnv", "Argon2.Memory"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.cfg.Validate()
			if len(tc.wants) == 0 {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Validate = nil, want an error")
			}
			for _, w := range tc.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate = %q, want it to mention %q", err, w)
				}
			}
			if _, err := keyring.OpenMaster(context.Background(), tc.cfg); err == nil {
				t.Error("OpenMaster accepted an invalid config")
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	m := newMaster(t)
	err := keyring.Config{CacheSize: -1, CacheTTL: -1, Previous: []*keyring.Master{nil, m}, Master: m}.Validate()
	for _, w := range []string{"Storage is required", "Previous[0] is nil", "Previous[1] is the current master", "CacheSize", "CacheTTL"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("Validate = %v, want it to mention %q", err, w)
		}
	}
	if _, err := keyring.New(context.Background(), keyring.Config{}); err == nil {
		t.Error("New accepted an empty config")
	}
}
