package carport

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The committed ECharts script is what scripts/echarts-bundle.sh makes
// from the pinned npm package, byte for byte. The package is installed by
// npm ci, which CI runs; without it the test can only skip, and
// CARPORT_REQUIRE_NPM=1 (set by .ci/run) turns the skip into a failure so
// that CI never skips it.
func TestEChartsIsThePinnedPackage(t *testing.T) {
	npm := filepath.Join("node_modules", "echarts", "package.json")
	if _, err := os.Stat(npm); os.IsNotExist(err) {
		if os.Getenv("CARPORT_REQUIRE_NPM") == "1" {
			t.Fatalf("%s is missing and CARPORT_REQUIRE_NPM=1: run npm ci", npm)
		}
		t.Skipf("%s is not installed (npm ci installs it; CI runs it): cannot rebuild the committed copy to compare", npm)
	}
	out := filepath.Join(t.TempDir(), "echarts.min.js")
	if b, err := exec.Command(filepath.Join("scripts", "echarts-bundle.sh"), out).CombinedOutput(); err != nil {
		t.Fatalf("scripts/echarts-bundle.sh: %v\n%s", err, b)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	fsys, name, err := ECharts("")
	if err != nil {
		t.Fatal(err)
	}
	got, err := fs.ReadFile(fsys, name)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("third_party/echarts/echarts.min.js (%d bytes) differs from a fresh build from the npm package (%d bytes): run 'make echarts' and commit it",
			len(got), len(want))
	}
}

// The built-in folders hold what the repository's do, Hugo's _partials
// and friends included (embed leaves out names starting with _ without
// "all:").
func TestBuiltInFoldersAreWhole(t *testing.T) {
	for _, kind := range []string{Reportdefs, Templates, Content} {
		src, err := BuiltIn(kind)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		err = filepath.WalkDir(kind, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				want = append(want, filepath.ToSlash(p))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range want {
			rel := p[len(kind)+1:]
			b, err := fs.ReadFile(src.FS, rel)
			disk, _ := os.ReadFile(p)
			if err != nil || !bytes.Equal(b, disk) {
				t.Errorf("built-in %s lacks %s or differs (%v)", kind, rel, err)
			}
		}
		if len(want) == 0 {
			t.Errorf("no files under %s", kind)
		}
	}
	if _, err := fs.Stat(mustBuiltIn(t, Templates).FS, "layouts/_partials/header.html"); err != nil {
		t.Errorf("the built-in templates lack their _partials: %v", err)
	}
}

func mustBuiltIn(t *testing.T, kind string) Source {
	t.Helper()
	s, err := BuiltIn(kind)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A folder given wins; without one, the current directory's folder; else
// the built-in copy.
func TestOpenPrefersFolders(t *testing.T) {
	if s, err := Open(Templates, "templates"); err != nil || s.BuiltIn || s.Name != "templates" {
		t.Errorf("given folder: %+v, %v", s, err)
	}
	if _, err := Open(Templates, "no-such-folder"); err == nil {
		t.Error("a missing folder given was accepted")
	}
	if _, err := Open(Templates, "embed.go"); err == nil {
		t.Error("a file given as a folder was accepted")
	}
	// the repository root holds templates/: found there
	if s, err := Open(Templates, ""); err != nil || s.BuiltIn {
		t.Errorf("found folder: %+v, %v", s, err)
	}
	t.Chdir(t.TempDir())
	if s, err := Open(Templates, ""); err != nil || !s.BuiltIn {
		t.Errorf("empty folder: %+v, %v", s, err)
	}
}
