package bundle

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSealOpenRoundTrip(t *testing.T) {
	site := writeSite(t, testSite)
	keys := t.TempDir()
	recipients, identity := keyFiles(t, keys)
	out := filepath.Join(t.TempDir(), "site", "2026-10", "ACME.zip.age")

	res, err := Seal(SealOptions{SiteDir: site, Recipients: recipientsOf(t, recipients), OutPath: out, Manifest: testManifest(), Signer: testKey})
	if err != nil {
		t.Fatal(err)
	}
	sealed := res.Manifest
	if res.Recipients != 1 || res.Size <= res.ZipSize || len(res.SHA256) != 64 || len(res.ZipSHA256) != 64 || len(res.ManifestSHA256) != 64 {
		t.Errorf("Sealed = %+v", res)
	}
	if sealed.Format != FormatVersion {
		t.Errorf("Format = %d, want %d", sealed.Format, FormatVersion)
	}
	wantReports := []ReportRef{
		{Role: "ED", ID: "inventory", Version: "1"},
		{Role: "IS", ID: "alerts-all", Version: "2"},
		{Role: "IS", ID: "srv-4.1.1", Version: "3"},
	}
	if !reflect.DeepEqual(sealed.Reports, wantReports) {
		t.Errorf("Reports = %+v, want %+v", sealed.Reports, wantReports)
	}
	if want := wantEntries(testSite); !reflect.DeepEqual(sealed.Files, want) {
		t.Errorf("Files = %+v\nwant %+v", sealed.Files, want)
	}
	info, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o644 {
		t.Errorf("bundle mode = %v, want 0644", info.Mode().Perm())
	}
	if names := dirNames(t, filepath.Dir(out)); !slices.Equal(names, []string{"ACME.zip.age", "ACME.zip.age.minisig"}) {
		t.Errorf("output folder holds %q, want only the bundle and its signature", names)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(raw, []byte("age-encryption.org/v1\n")) {
		t.Errorf("bundle does not start with the binary age header: %q", raw[:min(len(raw), 30)])
	}

	to := filepath.Join(t.TempDir(), "opened", "ACME")
	op, err := Open(OpenOptions{PublicKey: testPub, Bundle: out, Identity: identity, To: to})
	if err != nil {
		t.Fatal(err)
	}
	if op.Dir != to {
		t.Errorf("Open Dir = %q, want %q", op.Dir, to)
	}
	opened := op.Manifest
	if !reflect.DeepEqual(opened, sealed) {
		t.Errorf("Open manifest = %+v\nSeal manifest = %+v", opened, sealed)
	}
	info, err = os.Stat(to)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o700 {
		t.Errorf("extracted folder mode = %v, want 0700", info.Mode().Perm())
	}
	for name, body := range testSite {
		got, err := os.ReadFile(filepath.Join(to, filepath.FromSlash(name)))
		if err != nil {
			t.Errorf("extracted %s: %v", name, err)
			continue
		}
		if string(got) != body {
			t.Errorf("extracted %s = %q, want %q", name, got, body)
		}
	}
	mj, err := os.ReadFile(filepath.Join(to, ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	var onDisk Manifest
	if err := json.Unmarshal(mj, &onDisk); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(onDisk, sealed) {
		t.Errorf("extracted manifest.json = %+v, want %+v", onDisk, sealed)
	}
	if names := dirNames(t, filepath.Dir(to)); !slices.Equal(names, []string{"ACME"}) {
		t.Errorf("after Open the parent holds %q, want only the extracted folder (no temporary files)", names)
	}

	// Into an existing empty folder works; into a non-empty one does not.
	empty := t.TempDir()
	if _, err := Open(OpenOptions{PublicKey: testPub, Bundle: out, Identity: identity, To: empty}); err != nil {
		t.Errorf("Open into an empty folder: %v", err)
	}
	_, err = Open(OpenOptions{PublicKey: testPub, Bundle: out, Identity: identity, To: to})
	if want := out + ": " + to + ": folder is not empty: open into a new or empty folder"; err == nil || err.Error() != want {
		t.Errorf("Open into a full folder: %v, want %q", err, want)
	}
}

func TestManifestJSONIsStable(t *testing.T) {
	m, err := testManifest().normalise()
	if err != nil {
		t.Fatal(err)
	}
	m.Files = wantEntries(map[string]string{"index.html": "hi\n"})
	got, err := m.encode()
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "format": 1,
  "period": "2026-10",
  "party": "ACME",
  "generator_version": "v0.1.0-test",
  "reports": [
    {
      "role": "ED",
      "id": "inventory",
      "version": "1"
    },
    {
      "role": "IS",
      "id": "alerts-all",
      "version": "2"
    },
    {
      "role": "IS",
      "id": "srv-4.1.1",
      "version": "3"
    }
  ],
  "files": [
    {
      "path": "index.html",
      "size": 3,
      "sha256": "98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4"
    }
  ]
}
`
	if string(got) != want {
		t.Errorf("manifest.json =\n%s\nwant\n%s", got, want)
	}
}

// zipOf scans site and writes its zip with m, returning the bytes.
func zipOf(t testing.TB, site string, m Manifest) []byte {
	t.Helper()
	files, err := scanSite(site)
	if err != nil {
		t.Fatal(err)
	}
	m, err = m.normalise()
	if err != nil {
		t.Fatal(err)
	}
	m.Files = files
	mj, err := m.encode()
	if err != nil {
		t.Fatal(err)
	}
	modified, _ := periodStart(m.Period)
	var buf bytes.Buffer
	if err := writeZip(context.Background(), &buf, site, modified, mj, testKey.SignManifest(mj, m.Period, m.Party), files, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestZipIsDeterministic(t *testing.T) {
	site := writeSite(t, testSite)
	first := zipOf(t, site, testManifest())

	// Timestamps, permissions and a rewrite with the same bytes must not
	// change the zip.
	p := filepath.Join(site, "data", "IS", "srv-4.1.1", "league.csv")
	if err := os.Chtimes(p, time.Now().Add(time.Hour), time.Now().Add(-48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(site, "index.html"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(site, "css", "site.css")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(site, "css", "site.css"), []byte(testSite["css/site.css"]), 0o640); err != nil {
		t.Fatal(err)
	}
	second := zipOf(t, site, testManifest())
	if !bytes.Equal(first, second) {
		t.Fatalf("same site gave different zips (%d and %d bytes)", len(first), len(second))
	}
	// A copy of the site elsewhere, written in another order, gives the
	// same bytes too.
	if third := zipOf(t, writeSite(t, testSite), testManifest()); !bytes.Equal(first, third) {
		t.Fatalf("a copy of the site gave a different zip")
	}

	zr, err := zip.NewReader(bytes.NewReader(first), int64(len(first)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	wantTime := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for _, f := range zr.File {
		names = append(names, f.Name)
		if f.Method != zip.Deflate {
			t.Errorf("%s: method %d, want Deflate", f.Name, f.Method)
		}
		if f.Mode() != 0o644 {
			t.Errorf("%s: mode %v, want 0644", f.Name, f.Mode())
		}
		if !f.Modified.Equal(wantTime) {
			t.Errorf("%s: modified %v, want %v", f.Name, f.Modified, wantTime)
		}
	}
	want := []string{ManifestName, SignatureName}
	for _, fe := range wantEntries(testSite) {
		want = append(want, fe.Path)
	}
	if !slices.Equal(names, want) {
		t.Errorf("zip entries %q, want %q", names, want)
	}

	// And a one-byte change in a file does change it.
	if err := os.WriteFile(p, []byte(strings.Replace(testSite["data/IS/srv-4.1.1/league.csv"], "0.9871", "0.9872", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if changed := zipOf(t, site, testManifest()); bytes.Equal(first, changed) {
		t.Error("changed site gave the same zip")
	}
}

func TestWriteZipNoticesAFileChangedSinceTheScan(t *testing.T) {
	site := writeSite(t, testSite)
	files, err := scanSite(site)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(site, "index.html")
	if err := os.WriteFile(p, []byte("<!doctype html><title>ACME 2026-11</title>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err = writeZip(context.Background(), io.Discard, site, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), []byte("{}\n"), nil, files, nil)
	if want := p + ": changed while sealing: size or sha256 differs from the first pass"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
}
