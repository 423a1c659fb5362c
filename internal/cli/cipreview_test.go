package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/dcc/carport/internal/extract"
)

// TestCIPreviewOnATwoCommitHistory runs `make ci-preview BASE=HEAD~1`, the
// pull-request workflow's steps but the tests, in a fresh git repository
// holding this one's files in two commits, the second changing one report:
// lint against the base passes, the plan names the change, and the
// preview's sites of a dual-fuel supplier and a distributor open.
func TestCIPreviewOnATwoCommitHistory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds carport and three synthetic months: not in -short")
	}
	root, _ := filepath.Abs(repoRoot)
	repo := t.TempDir()
	run := func(dir string, name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=ci", "GIT_AUTHOR_EMAIL=ci@dcc.invalid",
			"GIT_COMMITTER_NAME=ci", "GIT_COMMITTER_EMAIL=ci@dcc.invalid", "GIT_CONFIG_GLOBAL=/dev/null")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return string(out)
	}

	// commit 1: the repository's tracked files as they are in the work tree
	files := strings.Split(strings.TrimSpace(run(root, "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")), "\x00")
	for _, f := range files {
		if f == "" {
			continue
		}
		src := filepath.Join(root, f)
		fi, err := os.Lstat(src)
		if err != nil || !fi.Mode().IsRegular() {
			continue // deleted in the work tree, or not a file
		}
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(repo, f)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, fi.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	run(repo, "git", "init", "-q", "-b", "main")
	run(repo, "git", "add", "-A")
	run(repo, "git", "commit", "-q", "-m", "base")

	// commit 2: one report changed, its version bumped, a changelog entry
	def := filepath.Join(repo, "reportdefs", "srvs-all.toml")
	b, err := os.ReadFile(def)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	oldVersion := regexpFind(t, text, `(?m)^version = "([0-9.]+)"$`)
	parts := strings.Split(oldVersion, ".")
	minor, _ := strconv.Atoi(parts[1])
	newVersion := parts[0] + "." + strconv.Itoa(minor+1) + ".0"
	text = strings.Replace(text, `version = "`+oldVersion+`"`, `version = "`+newVersion+`"`, 1)
	text = strings.Replace(text, `title = "This month against industry"`, `title = "This month, against industry"`, 1)
	text += "\n[[changelog]]\nversion = \"" + newVersion + "\"\ndate = 2026-11-29\nnote = \"The summary's title reads better.\"\n"
	if err := os.WriteFile(def, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	run(repo, "git", "commit", "-q", "-am", "srvs-all: a clearer title")

	out := run(repo, "make", "ci-preview", "BASE=HEAD~1")
	if !strings.Contains(out, "ci-preview: plan in preview/plan.md") {
		t.Fatalf("make ci-preview did not finish:\n%s", out)
	}

	plan, err := os.ReadFile(filepath.Join(repo, "preview", "plan.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"srvs-all", oldVersion + " → " + newVersion, "The summary's title reads better."} {
		if !strings.Contains(string(plan), want) {
			t.Errorf("the plan lacks %q:\n%s", want, plan)
		}
	}
	// the preview's parties are what the workflow promises: a dual-fuel
	// supplier and a distributor of the synthetic month
	parties, _, err := extract.ReadParties(filepath.Join(repo, "preview", "extracts", "2026-10"))
	if err != nil {
		t.Fatal(err)
	}
	for id, roles := range map[string]string{"BRIU": "IS GS", "DNO10": "ED"} {
		p := parties.Get(id)
		if p == nil {
			t.Fatalf("the synthetic month has no party %s", id)
		}
		var got []string
		for _, r := range p.Roles {
			got = append(got, string(r))
		}
		if strings.Join(got, " ") != roles {
			t.Errorf("%s holds %v, the preview wants %s", id, got, roles)
		}
		site := filepath.Join(repo, "preview", "sites", id)
		if _, err := os.Stat(filepath.Join(site, "index.html")); err != nil {
			t.Errorf("the preview has no site of %s: %v", id, err)
		}
		// the changed report reached the preview
		page, err := os.ReadFile(filepath.Join(site, strings.Fields(roles)[0], "srvs-all.html"))
		if err != nil {
			t.Errorf("%s: %v", id, err)
		} else if !strings.Contains(string(page), "This month, against industry") {
			t.Errorf("%s's srvs-all page does not show the changed title", id)
		}
	}
}

func regexpFind(t *testing.T, s, re string) string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no %s in the text", re)
	}
	return m[1]
}
