package cli

// lint --base and plan read the definitions as they were at a git
// revision: the folder's tree at that revision is listed (git ls-tree),
// its blobs read in one git cat-file --batch into memory, and loaded like
// the working copy. Only git's own command runs, so the repository's
// configuration, worktrees and packs all just work.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path"
	"strconv"
	"strings"
	"testing/fstest" // an in-memory fs.FS; the package imports nothing of testing

	"github.com/dcc/carport/internal/reportdef"
)

// suiteAt loads the suite in dir as it was at the git revision ref. Its
// files are named "DIR@REF/…" in messages.
func suiteAt(cmd, dir, ref string) (*reportdef.Suite, error) {
	hint := "give --base a commit, branch or tag of the repository holding " + dir + ", e.g. --base main"
	if strings.HasPrefix(ref, "-") {
		return nil, usagef(hint, "%s: --base %q is not a git revision", cmd, ref)
	}
	top, err := git(dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, &badInput{fmt.Errorf("%s: --base: %s is not in a git repository: %w", cmd, dir, err), "run carport inside a git clone of the report definitions"}
	}
	if _, err := git(dir, "rev-parse", "--verify", "--quiet", ref+"^{commit}"); err != nil {
		return nil, &badInput{fmt.Errorf("%s: --base %q: no such revision", cmd, ref), hint}
	}
	prefix, err := git(dir, "rev-parse", "--show-prefix")
	if err != nil {
		return nil, fmt.Errorf("%s: --base: %w", cmd, err)
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
		return nil, &badInput{fmt.Errorf("%s: %s does not exist at %s: %w", cmd, dir, ref, err), "a suite added after the base revision has nothing to compare with; drop --base"}
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
	if len(ids) > 0 {
		out, err := gitInput(strings.TrimSpace(top), strings.Join(ids, "\n")+"\n", "cat-file", "--batch")
		if err != nil {
			return nil, fmt.Errorf("%s: reading %s at %s: %w", cmd, dir, ref, err)
		}
		r := bufio.NewReader(bytes.NewReader(out))
		for _, name := range names {
			// "<object> SP blob SP <size> LF <contents> LF"
			header, err := r.ReadString('\n')
			f := strings.Fields(header)
			if err != nil || len(f) != 3 || f[1] != "blob" {
				return nil, fmt.Errorf("%s: reading %s at %s: unexpected git cat-file output %q", cmd, name, ref, header)
			}
			size, err := strconv.Atoi(f[2])
			if err != nil {
				return nil, fmt.Errorf("%s: reading %s at %s: %w", cmd, name, ref, err)
			}
			b := make([]byte, size+1)
			if _, err := io.ReadFull(r, b); err != nil {
				return nil, fmt.Errorf("%s: reading %s at %s: %w", cmd, name, ref, err)
			}
			fsys[path.Clean(name)] = &fstest.MapFile{Data: b[:size], Mode: 0o644}
		}
	}
	return reportdef.LoadFS(fsys, dir+"@"+ref)
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
