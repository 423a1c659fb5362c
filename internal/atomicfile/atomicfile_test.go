package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func TestWriteFileReplacesWhole(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub", "a.json")
	if err := WriteFile(p, []byte("one"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, []byte("two"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	st, _ := os.Stat(p)
	if err != nil || string(b) != "two" || st.Mode().Perm() != 0o644 {
		t.Errorf("got %q %v, mode %v", b, err, st.Mode())
	}
	if got := entries(t, filepath.Dir(p)); len(got) != 1 {
		t.Errorf("folder holds %v, want a.json alone", got)
	}
}

func TestAbortLeavesThePreviousFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a")
	os.WriteFile(p, []byte("old"), 0o644)
	f, err := Create(p, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("half"))
	if !IsTemp(filepath.Base(f.Name())) {
		t.Errorf("%s is not recognised as a temporary file", f.Name())
	}
	f.Abort()
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Errorf("previous file is %q", b)
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("folder holds %v", got)
	}
	// a failing hook before the rename aborts too
	f, _ = Create(p, 0o644)
	f.Write([]byte("new"))
	if err := f.Commit(func() error { return errors.New("no") }); err == nil {
		t.Error("commit with a failing hook succeeded")
	}
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Errorf("previous file is %q", b)
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("folder holds %v", got)
	}
}

func TestWriteNewRefusesAnExistingFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "key")
	if err := WriteNew(p, []byte("one"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteNew(p, []byte("two"), 0o600); !errors.Is(err, fs.ErrExist) {
		t.Errorf("second WriteNew: %v, want ErrExist", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "one" {
		t.Errorf("file is %q", b)
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("folder holds %v", got)
	}
}
