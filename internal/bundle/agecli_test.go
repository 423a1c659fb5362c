package bundle

import (
	"archive/zip"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"filippo.io/age"
)

// goTool runs `go tool NAME args...` (the version pinned in go.mod) and
// returns its combined output.
func goTool(t *testing.T, name string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("go", append([]string{"tool", name}, args...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// readZip returns every entry of the zip at path.
func readZip(t *testing.T, path string) map[string]string {
	t.Helper()
	zr, err := zip.OpenReader(path)
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
	return got
}

// TestUpstreamToolsOpenBundle proves a party can check and open a bundle
// with nothing but the upstream minisign and age tools and any unzip:
// minisign verifies the bundle's signature (and prints the trusted
// comment), age decrypts it, minisign verifies manifest.json inside.
func TestUpstreamToolsOpenBundle(t *testing.T) {
	dir := t.TempDir()
	site := writeSite(t, testSite)
	recipients, identity := keyFiles(t, dir)
	bundle := filepath.Join(dir, "ACME.zip.age")
	res, err := Seal(SealOptions{SiteDir: site, Recipients: recipientsOf(t, recipients), OutPath: bundle, Manifest: testManifest(), Signer: testKey})
	if err != nil {
		t.Fatal(err)
	}
	out, err := goTool(t, "minisign", "-V", "-P", testPub.String(), "-m", bundle)
	if err != nil {
		t.Fatalf("minisign -V: %v\n%s", err, out)
	}
	if want := "carport-bundle period:2026-10 party:ACME zip_sha256:" + res.ZipSHA256; !strings.Contains(out, want) {
		t.Errorf("minisign printed %q, want the trusted comment %q", out, want)
	}
	// a public key file works too, as minisign -p takes it
	pubFile := filepath.Join(dir, "dcc-signing.pub")
	pubText, _ := testPub.key.MarshalText()
	if err := os.WriteFile(pubFile, pubText, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := goTool(t, "minisign", "-Vm", bundle, "-p", pubFile); err != nil {
		t.Fatalf("minisign -Vm -p: %v\n%s", err, out)
	}

	plain := filepath.Join(dir, "out.zip")
	if out, err := goTool(t, "age", "-d", "-i", identity, "-o", plain, bundle); err != nil {
		t.Fatalf("age -d: %v\n%s", err, out)
	}
	got := readZip(t, plain)
	var m Manifest
	if err := json.Unmarshal([]byte(got[ManifestName]), &m); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	if !reflect.DeepEqual(m, res.Manifest) {
		t.Errorf("manifest.json = %+v, want %+v", m, res.Manifest)
	}
	x := filepath.Join(dir, "x")
	os.Mkdir(x, 0o755)
	os.WriteFile(filepath.Join(x, ManifestName), []byte(got[ManifestName]), 0o644)
	os.WriteFile(filepath.Join(x, SignatureName), []byte(got[SignatureName]), 0o644)
	if out, err := goTool(t, "minisign", "-V", "-P", testPub.String(), "-m", filepath.Join(x, ManifestName)); err != nil {
		t.Fatalf("minisign -V manifest.json: %v\n%s", err, out)
	}
	delete(got, ManifestName)
	delete(got, SignatureName)
	if !reflect.DeepEqual(got, testSite) {
		t.Errorf("zip files = %q, want %q", got, testSite)
	}

	// and minisign refuses the bundle under another key
	other, _, err := GenerateSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	op, _ := ParsePublicKey(other)
	if out, err := goTool(t, "minisign", "-V", "-P", op.String(), "-m", bundle); err == nil {
		t.Errorf("minisign verified the bundle with another key:\n%s", out)
	}
}

// TestTwoRecipientsEitherIdentity seals to two recipients, classic X25519
// and then post-quantum hybrid (age1pq1…), and opens the bundle with each
// identity, with carport and with the upstream age CLI.
func TestTwoRecipientsEitherIdentity(t *testing.T) {
	for _, kind := range []string{"x25519", "hybrid"} {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			var lines, ids []string
			for i := range 2 {
				var rec, sec string
				if kind == "hybrid" {
					id, err := age.GenerateHybridIdentity()
					if err != nil {
						t.Fatal(err)
					}
					rec, sec = id.Recipient().String(), id.String()
				} else {
					var err error
					if rec, sec, err = NewIdentity(); err != nil {
						t.Fatal(err)
					}
				}
				lines = append(lines, rec)
				p := filepath.Join(dir, "id"+string(rune('1'+i))+".key")
				if err := os.WriteFile(p, []byte(sec+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, p)
			}
			recipients := filepath.Join(dir, "ACME.txt")
			if err := os.WriteFile(recipients, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			bundle := filepath.Join(dir, "ACME.zip.age")
			res, err := Seal(SealOptions{SiteDir: writeSite(t, testSite), Recipients: recipientsOf(t, recipients), OutPath: bundle, Manifest: testManifest(), Signer: testKey})
			if err != nil {
				t.Fatal(err)
			}
			if res.Recipients != 2 {
				t.Errorf("Recipients = %d, want 2", res.Recipients)
			}
			for i, id := range ids {
				to := filepath.Join(t.TempDir(), "ACME")
				if _, err := Open(OpenOptions{PublicKey: testPub, Bundle: bundle, Identity: id, To: to}); err != nil {
					t.Errorf("carport open with identity %d: %v", i+1, err)
				}
				plain := filepath.Join(t.TempDir(), "out.zip")
				if out, err := goTool(t, "age", "-d", "-i", id, "-o", plain, bundle); err != nil {
					t.Errorf("age -d with identity %d: %v\n%s", i+1, err, out)
					continue
				}
				if got := readZip(t, plain); got["index.html"] != testSite["index.html"] {
					t.Errorf("identity %d: index.html = %q", i+1, got["index.html"])
				}
			}
		})
	}
}
