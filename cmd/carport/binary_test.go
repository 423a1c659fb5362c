package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBinaryAloneInAnEmptyFolder builds carport as go build does, copies
// the binary alone into an empty folder and runs a month there: synth,
// lint, build and open, with nothing else on disk (no reportdefs/,
// templates/, content/ or node_modules/, no repository, no Go): the report
// definitions, templates, pages and ECharts come from the binary.
func TestBinaryAloneInAnEmptyFolder(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build carport: %v", err)
	}
	built := filepath.Join(t.TempDir(), "carport")
	if out, err := exec.Command(goTool, "build", "-buildvcs=auto", "-o", built, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "carport")
	b, err := os.ReadFile(built)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	// the process sees this folder, its own temp folder, and nothing of ours
	env := []string{"PATH=/nonexistent", "HOME=" + dir, "TMPDIR=" + t.TempDir()}
	run := func(args ...string) (string, string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir, cmd.Env = dir, env
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("carport %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		return stdout.String(), stderr.String()
	}
	run("synth", "--out", "ext", "--period", "2026-10", "--scale", "tiny", "--seed", "3")
	if _, stderr := run("lint"); !strings.Contains(stderr, "(the definitions built into carport)") {
		t.Errorf("lint did not use the built-in definitions:\n%s", stderr)
	}
	stdout, _ := run("build", "--extracts", "ext", "--period", "2026-10", "--keys", filepath.Join("ext", "keys"), "--out", "out",
		"--signing-key", filepath.Join("ext", "identities", "dcc-signing.key"))
	if strings.TrimSpace(stdout) != filepath.Join("out", "2026-10") {
		t.Errorf("build printed %q, want out/2026-10", stdout)
	}
	bundles, _ := filepath.Glob(filepath.Join(dir, "out", "2026-10", "*.zip.age"))
	if len(bundles) != 12 {
		t.Fatalf("%d bundles, want one per party of the tiny month (12)", len(bundles))
	}
	party := strings.TrimSuffix(filepath.Base(bundles[0]), ".zip.age")
	stdout, _ = run("open", filepath.Join("out", "2026-10", party+".zip.age"), "-i", filepath.Join("ext", "identities", party+".key"),
		"--to", "opened", "--pub", filepath.Join("ext", "keys", "dcc-signing.pub"))
	if strings.TrimSpace(stdout) != filepath.Join("opened", "index.html") {
		t.Errorf("open printed %q", stdout)
	}
	for _, f := range []string{"index.html", "help.html", "methodology.html", "assets/site.css", "manifest.json"} {
		if _, err := os.Stat(filepath.Join(dir, "opened", filepath.FromSlash(f))); err != nil {
			t.Errorf("the opened site lacks %s: %v", f, err)
		}
	}
	got, err := os.ReadFile(filepath.Join(dir, "opened", "assets", "echarts.min.js"))
	want, _ := os.ReadFile(filepath.Join("..", "..", "third_party", "echarts", "echarts.min.js"))
	if err != nil || len(want) == 0 || !bytes.Equal(got, want) {
		t.Errorf("the site's echarts.min.js is not the pinned copy (%d bytes, %v)", len(got), err)
	}
	// the folder holds what the run made, and only that (the history
	// beside OUT)
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "carport ext opened out out.history" {
		t.Errorf("the folder holds %q", names)
	}
	// go build stamps the module and, in a git clone (where .git is a
	// folder: go does not stamp from a git worktree), the revision it built
	stdout, _ = run("version")
	if !strings.HasPrefix(stdout, "carport ") || !strings.Contains(stdout, "\nmodule github.com/dcc/carport ") {
		t.Errorf("version printed %q", stdout)
	}
	wantRev := "\nrevision unknown (not built from a git checkout)\n"
	if st, err := os.Stat(filepath.Join("..", "..", ".git")); err == nil && st.IsDir() {
		if head, err := exec.Command("git", "rev-parse", "HEAD").Output(); err == nil {
			wantRev = "\nrevision " + strings.TrimSpace(string(head)) + " ("
		}
	}
	if !strings.Contains(stdout, wantRev) {
		t.Errorf("version printed %q, want a line starting %q", stdout, strings.TrimSpace(wantRev))
	}
}
