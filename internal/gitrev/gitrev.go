// Package gitrev reads a folder of a git checkout as it was at a
// revision: what lint --base and plan compare the working copy with.
package gitrev

// The folder's tree at the revision is listed (git ls-tree), its blobs
// read in one git cat-file --batch into memory and served as an fs.FS.
// Only git's own command runs, so the repository's configuration,
// worktrees and packs all just work.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"path"
	"strconv"
	"strings"
	"testing/fstest" // an in-memory fs.FS; the package imports nothing of testing
)

// Kind says what stopped a read at a revision.
type Kind int

// The kinds of Error.
const (
	BadRevision    Kind = iota // the revision is not one (it looks like a flag)
	NotARepository             // the folder is not in a git repository
	NoSuchRevision             // the repository has no such revision
	NoSuchFolder               // the folder did not exist at the revision
)

// Error is a read at a revision that could not start.
type Error struct {
	Kind Kind
	Dir  string
	Ref  string
	Err  error // git's own message, when it gave one
}

func (e *Error) Error() string {
	switch e.Kind {
	case BadRevision:
		return fmt.Sprintf("%q is not a git revision", e.Ref)
	case NotARepository:
		return fmt.Sprintf("%s is not in a git repository: %v", e.Dir, e.Err)
	case NoSuchRevision:
		return fmt.Sprintf("%q: no such revision", e.Ref)
	}
	return fmt.Sprintf("%s does not exist at %s: %v", e.Dir, e.Ref, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// FS returns the files under dir as they were at the git revision ref,
// as an in-memory file system rooted at dir. Errors that stop the read
// before it starts are *Error.
func FS(dir, ref string) (fs.FS, error) {
	if strings.HasPrefix(ref, "-") {
		return nil, &Error{Kind: BadRevision, Dir: dir, Ref: ref}
	}
	top, err := git(dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, &Error{Kind: NotARepository, Dir: dir, Ref: ref, Err: err}
	}
	if _, err := git(dir, "rev-parse", "--verify", "--quiet", ref+"^{commit}"); err != nil {
		return nil, &Error{Kind: NoSuchRevision, Dir: dir, Ref: ref}
	}
	prefix, err := git(dir, "rev-parse", "--show-prefix")
	if err != nil {
		return nil, err
	}
	prefix = strings.TrimSuffix(strings.TrimSpace(prefix), "/")
	tree := ref + ":" + prefix
	if prefix == "" {
		tree = ref + "^{tree}"
	}
	// the blobs as stored, read by object id: git archive would apply
	// export-subst and export-ignore attributes, and a digest must see the
	// committed bytes
	list, err := gitBytes(strings.TrimSpace(top), "ls-tree", "-r", "-z", "--full-tree", tree)
	if err != nil {
		return nil, &Error{Kind: NoSuchFolder, Dir: dir, Ref: ref, Err: err}
	}
	var names, ids []string
	for _, entry := range strings.Split(strings.TrimSuffix(string(list), "\x00"), "\x00") {
		// "<mode> SP <type> SP <object> TAB <path>"
		meta, name, ok := strings.Cut(entry, "\t")
		f := strings.Fields(meta)
		if !ok || len(f) != 3 || f[1] != "blob" {
			continue
		}
		names, ids = append(names, name), append(ids, f[2])
	}
	fsys := fstest.MapFS{}
	if len(ids) == 0 {
		return fsys, nil
	}
	out, err := gitInput(strings.TrimSpace(top), strings.Join(ids, "\n")+"\n", "cat-file", "--batch")
	if err != nil {
		return nil, fmt.Errorf("reading %s at %s: %w", dir, ref, err)
	}
	r := bufio.NewReader(bytes.NewReader(out))
	for _, name := range names {
		// "<object> SP blob SP <size> LF <contents> LF"
		header, err := r.ReadString('\n')
		f := strings.Fields(header)
		if err != nil || len(f) != 3 || f[1] != "blob" {
			return nil, fmt.Errorf("reading %s at %s: unexpected git cat-file output %q", name, ref, header)
		}
		size, err := strconv.Atoi(f[2])
		if err != nil {
			return nil, fmt.Errorf("reading %s at %s: %w", name, ref, err)
		}
		b := make([]byte, size+1)
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, fmt.Errorf("reading %s at %s: %w", name, ref, err)
		}
		fsys[path.Clean(name)] = &fstest.MapFile{Data: b[:size], Mode: 0o644}
	}
	return fsys, nil
}

// git runs git in dir and returns its standard output.
func git(dir string, args ...string) (string, error) {
	b, err := gitBytes(dir, args...)
	return string(b), err
}

func gitBytes(dir string, args ...string) ([]byte, error) { return gitInput(dir, "", args...) }

// gitInput runs git in dir with stdin and returns its standard output, or
// an error holding the first line git printed on stderr.
func gitInput(dir, stdin string, args ...string) ([]byte, error) {
	var stdout, stderr bytes.Buffer
	c := exec.Command("git", args...)
	c.Dir = dir
	c.Stdin = strings.NewReader(stdin)
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		var ee *exec.ExitError
		if msg := strings.TrimSpace(stderr.String()); errors.As(err, &ee) && msg != "" {
			first, _, _ := strings.Cut(msg, "\n")
			return nil, errors.New(strings.TrimPrefix(first, "fatal: "))
		}
		return nil, fmt.Errorf("git %s: %w", args[0], err)
	}
	return stdout.Bytes(), nil
}
