package keyring

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/insecurecleartextkeyset"
	"github.com/tink-crypto/tink-go/v2/keyset"
)

// openFileMaster reads the Tink keyset (JSON) at path, creating it with a fresh AES-256-GCM key
// and mode 0600 (its directory 0700) when it does not exist. A file readable or writable by group
// or others is refused. The master id is "file:<primary key id>".
func openFileMaster(path string) (*Master, error) {
	h, err := readKeysetFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		h, err = createKeysetFile(path)
		if errors.Is(err, fs.ErrExist) { // created concurrently by another process
			h, err = readKeysetFile(path)
		}
	}
	if err != nil {
		return nil, err
	}
	a, err := aead.New(h)
	if err != nil {
		return nil, fmt.Errorf("keyring: master keyset file %s: not an AEAD keyset: %w", path, err)
	}
	return NewMaster(fmt.Sprintf("file:%08x", h.KeysetInfo().GetPrimaryKeyId()), a, true)
}

func readKeysetFile(path string) (*keyset.Handle, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("keyring: master keyset file %s: %w", path, err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("keyring: master keyset file %s has mode %04o; it must not be accessible to group or others (chmod 600)", path, st.Mode().Perm())
	}
	h, err := insecurecleartextkeyset.Read(keyset.NewJSONReader(f))
	if err != nil {
		return nil, fmt.Errorf("keyring: master keyset file %s: %w", path, err)
	}
	return h, nil
}

// createKeysetFile writes a new keyset to path, failing with fs.ErrExist if the file exists. It
// writes a temporary file and links it into place, so that no reader ever sees a partial keyset.
func createKeysetFile(path string) (*keyset.Handle, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("keyring: master keyset file %s: %w", path, err)
	}
	h, err := keyset.NewHandle(aead.AES256GCMKeyTemplate())
	if err != nil {
		return nil, fmt.Errorf("keyring: new master keyset: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".master-keyset-*")
	if err != nil {
		return nil, fmt.Errorf("keyring: master keyset file %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err == nil {
		err = insecurecleartextkeyset.Write(h, keyset.NewJSONWriter(tmp))
		if err == nil {
			err = tmp.Sync()
		}
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Link(tmp.Name(), path)
		}
		if err != nil {
			return nil, fmt.Errorf("keyring: master keyset file %s: %w", path, err)
		}
	} else {
		tmp.Close()
		return nil, fmt.Errorf("keyring: master keyset file %s: %w", path, err)
	}
	return h, nil
}
