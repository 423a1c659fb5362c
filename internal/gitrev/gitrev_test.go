package gitrev

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// repo makes a git repository in a temporary folder with defs/a.toml and
// defs/sub/b.toml committed, then changes a.toml in the working copy.
func repo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null",
			"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.org", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.org")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(name, text string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run("init", "-q")
	write("defs/a.toml", "a = 1\n")
	write("defs/sub/b.toml", "b = 2\n")
	write("other.txt", "not under defs\n")
	run("add", ".")
	run("commit", "-q", "-m", "first")
	write("defs/a.toml", "a = 2\n")
	return dir
}

func TestFSIsTheFolderAtTheRevision(t *testing.T) {
	dir := repo(t)
	fsys, err := FS(filepath.Join(dir, "defs"), "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"a.toml": "a = 1\n", "sub/b.toml": "b = 2\n"} {
		b, err := fs.ReadFile(fsys, name)
		if err != nil || string(b) != want {
			t.Errorf("%s at HEAD = %q, %v; want %q (the committed bytes, not the working copy's)", name, b, err, want)
		}
	}
	if _, err := fs.Stat(fsys, "other.txt"); err == nil {
		t.Error("a file outside the folder is in its file system")
	}
}

func TestFSErrorsSayWhatStoppedThem(t *testing.T) {
	dir := repo(t)
	for _, tc := range []struct {
		dir, ref string
		kind     Kind
		text     string
	}{
		{filepath.Join(dir, "defs"), "--output=x", BadRevision, `"--output=x" is not a git revision`},
		{t.TempDir(), "HEAD", NotARepository, " is not in a git repository: "},
		{filepath.Join(dir, "defs"), "v9.9.9", NoSuchRevision, `"v9.9.9": no such revision`},
	} {
		_, err := FS(tc.dir, tc.ref)
		var ge *Error
		if !errors.As(err, &ge) || ge.Kind != tc.kind {
			t.Errorf("FS(%s, %s) = %v, want a %d", tc.dir, tc.ref, err, tc.kind)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, tc.text) {
			t.Errorf("FS(%s, %s) says %q, want %q in it", tc.dir, tc.ref, msg, tc.text)
		}
	}
}
