package bundle

import (
	"io"

	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"aead.dev/minisign"

	"filippo.io/age"
)

// testSite is a small site in the bundle layout.
var testSite = map[string]string{
	"index.html":                     "<!doctype html><title>ACME 2026-10</title>\n",
	"css/site.css":                   "body { font-family: sans-serif }\n",
	"data/IS/srv-4.1.1/league.csv":   "rank,party,success_rate,requests\n1,,0.9990,\n2,ACME Energy,0.9871,1200\n",
	"data/IS/srv-4.1.1/rtt.csv":      "scope,requests,best_ms,worst_ms,mean_ms,median_ms,p95_ms\nyou,1200,80,9000,410,350,900\n",
	"data/ED/inventory/models.csv":   "device_type,device_model,firmware_version,devices\nESME,M1,1.0,12\n",
	"reports/is/srv-4.1.1.html":      "<p>league</p>\n",
	"js/echarts.min.js":              "/* stand-in */\n",
	"data/IS/alerts-all/summary.csv": "",
}

// writeSite writes files under a new temporary folder and returns it.
func writeSite(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// wantEntries returns the manifest entries files should produce, computed
// independently of scanSite.
func wantEntries(files map[string]string) []FileEntry {
	var out []FileEntry
	for name, body := range files {
		sum := sha256.Sum256([]byte(body))
		out = append(out, FileEntry{Path: name, Size: int64(len(body)), SHA256: hex.EncodeToString(sum[:])})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// keyFiles makes a fresh identity and writes a recipients file and an
// identity file for it into dir.
func keyFiles(t testing.TB, dir string) (recipients, identity string) {
	t.Helper()
	rec, sec, err := NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	recipients = filepath.Join(dir, "ACME.txt")
	identity = filepath.Join(dir, "ACME.key")
	if err := os.WriteFile(recipients, []byte("# ACME Energy\n"+rec+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(identity, []byte("# created: test\n"+sec+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return recipients, identity
}

// testManifest is the caller's part of a manifest.
func testManifest() Manifest {
	return Manifest{
		Period:           "2026-10",
		Party:            "ACME",
		GeneratorVersion: "v0.1.0-test",
		Reports: []ReportRef{
			{Role: "IS", ID: "srv-4.1.1", Version: "3"},
			{Role: "ED", ID: "inventory", Version: "1"},
			{Role: "IS", ID: "alerts-all", Version: "2"},
		},
	}
}

// testKey signs every bundle of these tests; testPub checks them.
var testKey, testPub = func() (*Signer, *PublicKey) {
	pub, sec, err := GenerateSigningKey()
	if err != nil {
		panic(err)
	}
	p, err := ParsePublicKey(pub)
	if err != nil {
		panic(err)
	}
	s, err := ParseSigner(sec, p)
	if err != nil {
		panic(err)
	}
	return s, p
}()

// signFile writes path+".minisig": signer's outer signature of the file at
// path, claiming party ACME, period 2026-10 and a zip of sha256 zipSHA.
func signFile(t testing.TB, signer *Signer, path, zipSHA string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := minisign.NewReader(f)
	if _, err := io.Copy(io.Discard, r); err != nil {
		t.Fatal(err)
	}
	sig := signer.signBundle(r, bundleClaim{Period: "2026-10", Party: "ACME", ZipSHA256: zipSHA})
	if err := os.WriteFile(path+SignatureSuffix, sig, 0o644); err != nil {
		t.Fatal(err)
	}
}

// recipientsOf reads the recipients file at path.
func recipientsOf(t testing.TB, path string) *Recipients {
	t.Helper()
	r, err := ReadRecipients(path)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// encryptTo age-encrypts plaintext to the recipients in recipientsPath,
// writes it to out and signs it with testKey, for building hostile bundles
// by hand.
func encryptTo(t testing.TB, recipientsPath, out string, plaintext []byte) {
	t.Helper()
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, recipientsOf(t, recipientsPath).list...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(plaintext); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(plaintext)
	signFile(t, testKey, out, hex.EncodeToString(sum[:]))
}

// dirNames lists the names in dir, failing the test on error.
func dirNames(t testing.TB, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}
