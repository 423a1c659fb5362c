package bundle

import (
	"archive/zip"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
)

// TestAgeCLIDecryptsBundle proves a party can open a bundle with nothing but
// the upstream age tool and any unzip: it builds the age command at the
// version in go.mod and decrypts a sealed bundle with it.
func TestAgeCLIDecryptsBundle(t *testing.T) {
	goTool := filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	if os.Getenv("GOROOT") == "" {
		var err error
		if goTool, err = exec.LookPath("go"); err != nil {
			t.Fatalf("the go command is needed to build age: %v", err)
		}
	}
	dir := t.TempDir()
	ageBin := filepath.Join(dir, "age")
	build := exec.Command(goTool, "build", "-o", ageBin, "filippo.io/age/cmd/age")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building age: %v\n%s", err, out)
	}

	site := writeSite(t, testSite)
	recipients, identity := keyFiles(t, dir)
	bundle := filepath.Join(dir, "ACME.zip.age")
	sealed, err := Seal(SealOptions{SiteDir: site, Recipients: recipients, OutPath: bundle, Manifest: testManifest()})
	if err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(dir, "out.zip")
	dec := exec.Command(ageBin, "-d", "-i", identity, "-o", plain, bundle)
	if out, err := dec.CombinedOutput(); err != nil {
		t.Fatalf("age -d: %v\n%s", err, out)
	}

	zr, err := zip.OpenReader(plain)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	got := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		got[f.Name] = string(b)
	}
	var m Manifest
	if err := json.Unmarshal([]byte(got[ManifestName]), &m); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	if !reflect.DeepEqual(m, sealed) {
		t.Errorf("manifest.json = %+v, want %+v", m, sealed)
	}
	delete(got, ManifestName)
	if !reflect.DeepEqual(got, testSite) {
		t.Errorf("zip files = %q, want %q", got, testSite)
	}
}
