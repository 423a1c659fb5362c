package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("keys/ is empty or missing: expected at least its README")
	}
}
