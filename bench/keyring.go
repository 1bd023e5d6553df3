package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/tink"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/pgstore"
	"github.com/caseledger/caseledger/keyring"
	"github.com/caseledger/caseledger/migrations"
)

// The keyring suite measures what encryption costs, in the same run:
//   - single-event appends of a 512-byte payload through the PostgreSQL store, sealed under the
//     client's key (warm cache) against the same appends in plaintext, one writer, each event to
//     the end of its client's stream at its exact version (target: ratio >= 0.85);
//   - cold key loads through the PostgreSQL keyring (read the wrapped keyset, unwrap it with the
//     master AEAD, build the Tink primitive) against raw pgx reading the same row by primary key;
//   - the cold unwrap alone (memory storage: no I/O), per key, against raw Tink unwrapping the same
//     kind of wrapped keyset with the same master AEAD, building the primitive and decrypting;
//   - warm SealValue+OpenValue of 1 KiB against the raw Tink AES-256-GCM primitive doing the same
//     encrypt+decrypt of the same payload.
//
// Median of three rounds each, baselines interleaved.
func init() { register("keyring", benchKeyring) }

func benchKeyring(ctx context.Context, env *Env) ([]Result, error) {
	dsn, err := env.NewDatabase(ctx)
	if err != nil {
		return nil, err
	}
	pool, err := migrations.ConnectAs(ctx, dsn, migrations.RoleApp, 4)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	master, err := keyring.NewRandomMaster()
	if err != nil {
		return nil, err
	}
	storage := keyring.NewPostgresStorage(pool)
	k, err := keyring.New(ctx, keyring.Config{Storage: storage, Master: master})
	if err != nil {
		return nil, err
	}
	defer k.Close()
	log, err := pgstore.New(ctx, pool, pgstore.Config{})
	if err != nil {
		return nil, err
	}
	appends, clients, keys, warm := 2000, 20, 2000, 200_000
	if env.Quick {
		appends, clients, keys, warm = 200, 5, 200, 20_000
	}
	var out []Result

	sealed, plain, err := compare(
		func() (float64, error) { return keyringBenchAppends(ctx, log, k, appends, clients, true) },
		func() (float64, error) { return keyringBenchAppends(ctx, log, k, appends, clients, false) })
	if err != nil {
		return nil, err
	}
	out = append(out, More("keyring sealed append, 512 B, 1 writer", sealed, "events/s", "plaintext append, same store", plain, 0.85))

	subjects, err := keyringBenchSubjects(ctx, k, keys)
	if err != nil {
		return nil, err
	}
	cold, raw, err := compare(
		func() (float64, error) { return keyringBenchColdLoads(ctx, storage, master, subjects) },
		func() (float64, error) { return keyringBenchRawRows(ctx, pool, subjects) })
	if err != nil {
		return nil, err
	}
	out = append(out, Less("keyring cold key load, PostgreSQL", cold, "ns/op", "raw SELECT of the keyset row", raw, 0))

	unwrap, rawUnwrap, err := keyringBenchMemoryUnwrap(ctx, keys)
	if err != nil {
		return nil, err
	}
	out = append(out, Less("keyring cold key unwrap, no I/O", unwrap, "ns/op", "raw Tink unwrap + primitive + decrypt", rawUnwrap, 0))

	warmK, tinkRaw, err := keyringBenchWarm(ctx, warm)
	if err != nil {
		return nil, err
	}
	out = append(out, Less("keyring warm SealValue+OpenValue, 1 KiB", warmK, "ns/op", "raw Tink AES-256-GCM encrypt+decrypt", tinkRaw, 0))
	return out, nil
}

// keyringBenchAppends appends n single events of 512 random bytes, spread over clients fresh client
// streams, each at the stream's exact version, sealed by k when seal is set; it returns events/s.
func keyringBenchAppends(ctx context.Context, log *pgstore.Store, k *keyring.Keyring, n, clients int, seal bool) (float64, error) {
	type client struct {
		id      uuid.UUID
		stream  eventstore.StreamID
		version uint64
		exists  bool
	}
	cs := make([]client, clients)
	for i := range cs {
		cs[i].id = uuid.New()
		cs[i].stream = eventstore.StreamID("client-" + cs[i].id.String())
		if seal { // mint the key outside the timing: the figure is the warm path
			if _, err := k.SealValue(ctx, cs[i].id, nil, nil); err != nil {
				return 0, err
			}
		}
	}
	events := benchEvents(n)
	start := time.Now()
	for i := range events {
		c := &cs[i%clients]
		e := events[i]
		e.Subject, e.KeyID = uuid.Nil, 0
		if seal {
			e.Subject = c.id
			if err := k.Seal(ctx, c.stream, &e); err != nil {
				return 0, err
			}
		}
		expected := eventstore.NoStream()
		if c.exists {
			expected = eventstore.Exact(c.version)
		}
		res, err := log.Append(ctx, c.stream, expected, e)
		if err != nil {
			return 0, err
		}
		c.version, c.exists = res.Version, true
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// keyringBenchSubjects mints keys for n subjects and returns their ids.
func keyringBenchSubjects(ctx context.Context, k *keyring.Keyring, n int) ([]uuid.UUID, error) {
	ids := make([]uuid.UUID, n)
	for i := range ids {
		ids[i] = uuid.New()
		if _, err := k.SealValue(ctx, ids[i], nil, nil); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// keyringBenchColdLoads opens one value of each subject through a fresh keyring on storage, so
// that every open loads and unwraps a key; it returns ns per key.
func keyringBenchColdLoads(ctx context.Context, storage keyring.Storage, master *keyring.Master, subjects []uuid.UUID) (float64, error) {
	sealer, err := keyring.New(ctx, keyring.Config{Storage: storage, Master: master})
	if err != nil {
		return 0, err
	}
	cts := make([][]byte, len(subjects))
	for i, s := range subjects {
		if cts[i], err = sealer.SealValue(ctx, s, []byte("x"), nil); err != nil {
			sealer.Close()
			return 0, err
		}
	}
	sealer.Close()
	k, err := keyring.New(ctx, keyring.Config{Storage: storage, Master: master})
	if err != nil {
		return 0, err
	}
	defer k.Close()
	start := time.Now()
	for i, s := range subjects {
		if _, err := k.OpenValue(ctx, s, cts[i], nil); err != nil {
			return 0, err
		}
	}
	return float64(time.Since(start).Nanoseconds()) / float64(len(subjects)), nil
}

// keyringBenchRawRows reads each subject's keyset row with raw pgx; it returns ns per row.
func keyringBenchRawRows(ctx context.Context, pool *pgxpool.Pool, subjects []uuid.UUID) (float64, error) {
	start := time.Now()
	var wrapped []byte
	for _, s := range subjects {
		if err := pool.QueryRow(ctx, `SELECT wrapped FROM keyring_subject_keys WHERE subject_id = $1`, s).Scan(&wrapped); err != nil {
			return 0, err
		}
	}
	return float64(time.Since(start).Nanoseconds()) / float64(len(subjects)), nil
}

// keyringBenchMemoryUnwrap measures the cold path without I/O: n subjects sealed on a memory
// storage, then each opened once through a fresh keyring (load, unwrap, build the primitive, cache
// it, decrypt), against raw Tink doing the same unwrap, primitive and decrypt of n wrapped keysets
// with the same master AEAD; ns per key for each, medians of interleaved rounds.
func keyringBenchMemoryUnwrap(ctx context.Context, n int) (float64, float64, error) {
	mh, err := keyset.NewHandle(aead.AES256GCMKeyTemplate())
	if err != nil {
		return 0, 0, err
	}
	ma, err := aead.New(mh)
	if err != nil {
		return 0, 0, err
	}
	master, err := keyring.NewMaster("bench:unwrap", ma, true)
	if err != nil {
		return 0, 0, err
	}
	storage := keyring.NewMemoryStorage()
	return compare(
		func() (float64, error) {
			subjects := make([]uuid.UUID, n)
			for i := range subjects {
				subjects[i] = uuid.New()
			}
			return keyringBenchColdLoads(ctx, storage, master, subjects)
		},
		func() (float64, error) { return rawTinkUnwrap(ma, n) })
}

// rawTinkUnwrap wraps n fresh AES-256-GCM keysets with master and seals one byte under each, then
// times reading each keyset back through master, building its AEAD and opening the byte; ns per
// keyset.
func rawTinkUnwrap(master tink.AEAD, n int) (float64, error) {
	type wrapped struct{ keyset, ad, ct []byte }
	ws := make([]wrapped, n)
	for i := range ws {
		h, err := keyset.NewHandle(aead.AES256GCMKeyTemplate())
		if err != nil {
			return 0, err
		}
		a, err := aead.New(h)
		if err != nil {
			return 0, err
		}
		id := uuid.New()
		ws[i].ad = id[:]
		var buf bytes.Buffer
		if err := h.WriteWithAssociatedData(keyset.NewBinaryWriter(&buf), master, ws[i].ad); err != nil {
			return 0, err
		}
		ws[i].keyset = buf.Bytes()
		if ws[i].ct, err = a.Encrypt([]byte("x"), nil); err != nil {
			return 0, err
		}
	}
	start := time.Now()
	for _, w := range ws {
		h, err := keyset.ReadWithAssociatedData(keyset.NewBinaryReader(bytes.NewReader(w.keyset)), master, w.ad)
		if err != nil {
			return 0, err
		}
		a, err := aead.New(h)
		if err != nil {
			return 0, err
		}
		if _, err := a.Decrypt(w.ct, nil); err != nil {
			return 0, err
		}
	}
	return float64(time.Since(start).Nanoseconds()) / float64(n), nil
}

// keyringBenchWarm measures n warm SealValue+OpenValue pairs of 1 KiB on one subject and the raw
// Tink primitive doing the same; ns per pair for each, medians of three interleaved rounds.
func keyringBenchWarm(ctx context.Context, n int) (float64, float64, error) {
	master, err := keyring.NewRandomMaster()
	if err != nil {
		return 0, 0, err
	}
	k, err := keyring.New(ctx, keyring.Config{Storage: keyring.NewMemoryStorage(), Master: master})
	if err != nil {
		return 0, 0, err
	}
	defer k.Close()
	h, err := keyset.NewHandle(aead.AES256GCMKeyTemplate())
	if err != nil {
		return 0, 0, err
	}
	raw, err := aead.New(h)
	if err != nil {
		return 0, 0, err
	}
	payload := make([]byte, 1024)
	_, _ = rand.Read(payload)
	ad := []byte("client_profiles/0190f3c2-0000-7000-8000-000000000001/name")
	subject := uuid.New()
	if _, err := k.SealValue(ctx, subject, payload, ad); err != nil {
		return 0, 0, err
	}
	return compare(
		func() (float64, error) {
			start := time.Now()
			for range n {
				ct, err := k.SealValue(ctx, subject, payload, ad)
				if err != nil {
					return 0, err
				}
				if _, err := k.OpenValue(ctx, subject, ct, ad); err != nil {
					return 0, err
				}
			}
			return float64(time.Since(start).Nanoseconds()) / float64(n), nil
		},
		func() (float64, error) {
			start := time.Now()
			for range n {
				ct, err := raw.Encrypt(payload, ad)
				if err != nil {
					return 0, err
				}
				if _, err := raw.Decrypt(ct, ad); err != nil {
					return 0, err
				}
			}
			return float64(time.Since(start).Nanoseconds()) / float64(n), nil
		})
}
