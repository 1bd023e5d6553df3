package keyring

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"

	vault "github.com/hashicorp/vault/api"
	"github.com/tink-crypto/tink-go-awskms/v2/integration/awskms"
	"github.com/tink-crypto/tink-go-gcpkms/v2/integration/gcpkms"
	"github.com/tink-crypto/tink-go-hcvault/v2/integration/hcvault"
	"github.com/tink-crypto/tink-go/v2/core/registry"
	"github.com/tink-crypto/tink-go/v2/testing/fakekms"
)

// openKMSMaster returns a master whose AEAD is a KMS key: every wrap and unwrap is a call to the
// KMS. Credentials come from each KMS's usual sources (Google application default credentials,
// the AWS default credential chain, VAULT_TOKEN through lookupEnv for Vault). The master id is the
// key URI, except for the fake KMS whose URI is the key itself and is replaced by its hash.
func openKMSMaster(ctx context.Context, spec masterSpec, lookupEnv func(string) (string, bool)) (*Master, error) {
	var (
		client registry.KMSClient
		err    error
		id     = spec.arg
		dev    bool
	)
	switch spec.kind {
	case MasterGCPKMS:
		client, err = gcpkms.NewClient(ctx, spec.arg)
	case MasterAWSKMS:
		client, err = awskms.NewClientWithOptions(spec.arg)
	case MasterVault:
		client, err = vaultClient(spec.arg, lookupEnv)
	case MasterFakeKMS:
		sum := sha256.Sum256([]byte(spec.arg))
		id, dev = "fake-kms:"+hex.EncodeToString(sum[:8]), true
		client, err = fakekms.NewClient(spec.arg)
	default:
		return nil, fmt.Errorf("keyring: unknown KMS %q", spec.kind)
	}
	if err != nil {
		return nil, fmt.Errorf("keyring: %s client: %w", spec.kind, err)
	}
	a, err := client.GetAEAD(spec.arg)
	if err != nil {
		return nil, fmt.Errorf("keyring: %s key: %w", spec.kind, err)
	}
	return NewMaster(id, a, dev)
}

// vaultClient connects to the Vault server named in uri (over TLS) with the token in VAULT_TOKEN.
func vaultClient(uri string, lookupEnv func(string) (string, bool)) (registry.KMSClient, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return nil, err
	}
	token, ok := lookupEnv("VAULT_TOKEN")
	if !ok || token == "" {
		return nil, errors.New("VAULT_TOKEN is not set")
	}
	c, err := vault.NewClient(&vault.Config{Address: "https://" + u.Host})
	if err != nil {
		return nil, err
	}
	c.SetToken(token)
	return hcvault.NewClientWithAEADOptions(uri, c.Logical())
}
