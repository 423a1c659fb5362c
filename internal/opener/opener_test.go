package opener

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestFiles: the four files are embedded with their sums and SRI values.
func TestFiles(t *testing.T) {
	want := []string{Stylesheet, PageScript, ServiceWorker, VendorScript}
	var names []string
	for _, f := range Files() {
		names = append(names, f.Name)
		s := sha256.Sum256(f.Body)
		if f.SHA256 != hex.EncodeToString(s[:]) || !strings.HasPrefix(f.Integrity, "sha384-") || len(f.Body) == 0 {
			t.Errorf("%s: sha256 %s, integrity %s, %d bytes", f.Name, f.SHA256, f.Integrity, len(f.Body))
		}
	}
	for _, n := range want {
		if _, ok := Lookup(n); !ok {
			t.Errorf("no %s among %v", n, names)
		}
	}
	if len(names) != len(want) {
		t.Errorf("files %v, want %v", names, want)
	}
	if _, ok := Lookup("../opener.go"); ok {
		t.Error("Lookup reached outside the assets")
	}
}

func repo(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestVendorBundleIsReproducible: the committed vendor.js is what
// scripts/opener-vendor.sh makes from the pinned npm packages, byte for
// byte, so the binary carries exactly the reviewed versions.
func TestVendorBundleIsReproducible(t *testing.T) {
	root := repo(t)
	if _, err := os.Stat(filepath.Join(root, "node_modules", ".bin", "esbuild")); err != nil {
		// CARPORT_REQUIRE_NPM=1 (set by .ci/run) makes CI fail rather than skip
		if os.Getenv("CARPORT_REQUIRE_NPM") == "1" {
			t.Fatalf("node_modules is not installed and CARPORT_REQUIRE_NPM=1: run npm ci")
		}
		t.Skip("node_modules is not installed (run npm ci): cannot rebuild vendor.js to compare")
	}
	out := filepath.Join(t.TempDir(), "vendor.js")
	cmd := exec.Command(filepath.Join(root, "scripts", "opener-vendor.sh"), out)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/opener-vendor.sh: %v\n%s", err, b)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	committed, _ := Lookup(VendorScript)
	if !bytes.Equal(got, committed.Body) {
		t.Fatalf("internal/opener/assets/vendor.js (%d bytes) differs from a fresh build from node_modules (%d bytes): run make opener and commit", len(committed.Body), len(got))
	}
}

var update = flag.Bool("update", false, "rewrite the README's list of opener sums")

// sumsBlock is the README's fenced list of the opener's sums.
var sumsBlock = regexp.MustCompile("(?s)(This release's opener[^\n]*\n\n```\n)(.*?)(```\n)")

// TestReadmeListsSums: the README lists every opener file's current
// sha256, as `carport version --opener` prints it (go test -update
// rewrites the list).
func TestReadmeListsSums(t *testing.T) {
	readme := filepath.Join(repo(t), "README.md")
	b, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	if !sumsBlock.Match(b) {
		t.Fatal("README.md has no list of the opener's sums after \"This release's opener\"")
	}
	if *update {
		var lines strings.Builder
		for _, f := range Files() {
			lines.WriteString(f.SHA256 + "  " + f.Name + "\n")
		}
		b = sumsBlock.ReplaceAll(b, []byte("${1}"+lines.String()+"${3}"))
		if err := os.WriteFile(readme, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range Files() {
		line := f.SHA256 + "  " + f.Name
		if !bytes.Contains(b, []byte(line)) {
			t.Errorf("README.md does not list %q: update the opener section (carport version --opener prints the lines)", line)
		}
	}
	// and no stale line for a file that is gone
	re := regexp.MustCompile(`(?m)^([0-9a-f]{64})  (\S+\.(?:js|css))$`)
	for _, m := range re.FindAllSubmatch(b, -1) {
		f, ok := Lookup(string(m[2]))
		if !ok || f.SHA256 != string(m[1]) {
			t.Errorf("README.md lists a stale sum: %s", m[0])
		}
	}
}
