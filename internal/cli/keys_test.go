package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dcc/carport/internal/bundle"
)

// TestNoSecretKeysCommitted fails if any file under keys/ holds an age
// secret key: only public recipients may ever be committed.
func TestNoSecretKeysCommitted(t *testing.T) {
	root := filepath.Join("..", "..", "keys")
	n := 0
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(strings.ToUpper(string(b)), "AGE-SECRET-KEY") {
			t.Errorf("%s holds an age secret key: only public recipients belong in keys/", path)
		}
		// minisign secret keys, unencrypted ("Ed", no KDF, "B2") or not
		// ("Ed", "Sc", "B2"), and carport's own comment for them
		for _, marker := range []string{"RWQAAEIy", "RWRTY0Iy", "signing secret key", "minisign encrypted secret key"} {
			if strings.Contains(string(b), marker) {
				t.Errorf("%s holds a minisign secret key (%s): only the public key belongs in keys/", path, marker)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("keys/ is empty or missing: expected at least its README")
	}
}

// TestCommittedSigningKey: keys/dcc-signing.pub is a valid public key and
// is the one built into carport.
func TestCommittedSigningKey(t *testing.T) {
	k, err := bundle.ReadPublicKey(filepath.Join("..", "..", "keys", "dcc-signing.pub"))
	if err != nil {
		t.Fatal(err)
	}
	built, err := openKey("")
	if err != nil {
		t.Fatal(err)
	}
	if k.String() != built.String() {
		t.Errorf("built-in key %s, keys/dcc-signing.pub %s", built.ID(), k.ID())
	}
}
