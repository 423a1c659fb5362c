package bundle

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// sealed makes a real, signed bundle of testSite in dir and returns its
// path, recipients file and identity.
func sealed(t *testing.T, dir string) (bundle, recipients, identity string) {
	t.Helper()
	recipients, identity = keyFiles(t, dir)
	bundle = filepath.Join(dir, "ACME.zip.age")
	if _, err := Seal(SealOptions{SiteDir: writeSite(t, testSite), Recipients: recipientsOf(t, recipients), OutPath: bundle, Manifest: testManifest(), Signer: testKey}); err != nil {
		t.Fatal(err)
	}
	return bundle, recipients, identity
}

// honestZip is the zip Seal would make of testSite, its manifest signed by
// signer.
func honestZip(t *testing.T, signer *Signer) []byte {
	t.Helper()
	site := writeSite(t, testSite)
	files, err := scanSite(site)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := testManifest().normalise()
	m.Files = files
	mj, _ := m.encode()
	var buf bytes.Buffer
	if err := writeZip(context.Background(), &buf, site, mustPeriodStart(t), mj, signer.SignManifest(mj, m.Period, m.Party), files, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func mustPeriodStart(t *testing.T) (ts time.Time) {
	t.Helper()
	ts, err := periodStart("2026-10")
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// TestOpenRefusesForgedBundles: anyone holding a party's public recipient
// can make a bundle that age opens; only the DCC's key can sign it.
func TestOpenRefusesForgedBundles(t *testing.T) {
	mallory := func() *Signer {
		pub, sec, err := GenerateSigningKey()
		if err != nil {
			t.Fatal(err)
		}
		p, _ := ParsePublicKey(pub)
		s, err := ParseSigner(sec, p)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}()
	for _, tc := range []struct {
		name string
		// make writes a bundle (and maybe its signature) at path
		make func(t *testing.T, recipients, path string)
		want string // after "<bundle>: "
	}{
		{
			name: "unsigned, made with the party's public key",
			make: func(t *testing.T, recipients, path string) {
				encryptTo(t, recipients, path, honestZip(t, testKey))
				os.Remove(path + SignatureSuffix)
			},
			want: "no signature PATH.minisig: refusing an unsigned bundle",
		},
		{
			name: "signed by another key",
			make: func(t *testing.T, recipients, path string) {
				z := honestZip(t, mallory)
				encryptTo(t, recipients, path, z)
				sum := sha256.Sum256(z)
				signFile(t, mallory, path, hex.EncodeToString(sum[:]))
			},
			want: "bundle: signed by key " + mallory.Public().ID() + ", not by the DCC key " + testPub.ID(),
		},
		{
			name: "a genuine signature moved onto another bundle",
			make: func(t *testing.T, recipients, path string) {
				// a real bundle's signature beside a forged ciphertext
				real, _, _ := sealed(t, t.TempDir())
				sig, _ := os.ReadFile(real + SignatureSuffix)
				encryptTo(t, recipients, path, honestZip(t, testKey))
				os.WriteFile(path+SignatureSuffix, sig, 0o644)
			},
			want: "bundle: signature does not verify: the file was altered or not signed by the DCC",
		},
		{
			name: "outer signature genuine, zip swapped under it",
			make: func(t *testing.T, recipients, path string) {
				// the DCC signed a ciphertext whose claim names another zip
				encryptTo(t, recipients, path, honestZip(t, testKey))
				signFile(t, testKey, path, strings.Repeat("ab", 32))
			},
			want: "the zip inside is not the one the DCC signed (sha256 ",
		},
		{
			name: "manifest signed by another key",
			make: func(t *testing.T, recipients, path string) {
				encryptTo(t, recipients, path, honestZip(t, mallory))
			},
			want: "manifest.json: signed by key " + mallory.Public().ID() + ", not by the DCC key " + testPub.ID(),
		},
		{
			name: "manifest without its signature",
			make: func(t *testing.T, recipients, path string) {
				encryptTo(t, recipients, path, rawZipNoSig(t))
			},
			want: "no manifest.json.minisig inside: refusing an unsigned manifest",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			recipients, identity := keyFiles(t, dir)
			path := filepath.Join(dir, "ACME.zip.age")
			tc.make(t, recipients, path)
			parent := t.TempDir()
			to := filepath.Join(parent, "ACME")
			_, err := Open(OpenOptions{PublicKey: testPub, Bundle: path, Identity: identity, To: to})
			want := path + ": " + strings.ReplaceAll(tc.want, "PATH", path)
			if err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Errorf("got  %v\nwant %s", err, want)
			}
			assertNothingExtracted(t, to, nil)
		})
	}
}

// rawZipNoSig is a zip with an honest manifest and no signature entry.
func rawZipNoSig(t *testing.T) []byte {
	t.Helper()
	const index = "<!doctype html>\n"
	m, _ := testManifest().normalise()
	m.Files = []FileEntry{fileEntry("index.html", index)}
	mj, _ := m.encode()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range []entry{{ManifestName, string(mj)}, {"index.html", index}} {
		w, _ := zw.Create(e.name)
		w.Write([]byte(e.body))
	}
	zw.Close()
	return buf.Bytes()
}

func TestOpenRefusesTamperedCiphertext(t *testing.T) {
	dir := t.TempDir()
	bundle, _, identity := sealed(t, dir)
	b, _ := os.ReadFile(bundle)
	b[len(b)/2] ^= 1
	os.WriteFile(bundle, b, 0o644)
	to := filepath.Join(t.TempDir(), "ACME")
	_, err := Open(OpenOptions{PublicKey: testPub, Bundle: bundle, Identity: identity, To: to})
	if want := bundle + ": bundle: signature does not verify: the file was altered or not signed by the DCC"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
	assertNothingExtracted(t, to, nil)
}

// TestOpenRefusesZipBombWithinAValidSignature: a bundle the DCC key did
// sign (a bug, a stolen key) still cannot fill the disk: 64 MiB of zeros
// in a zip of about 64 KiB is refused before anything is written.
func TestOpenRefusesZipBombWithinAValidSignature(t *testing.T) {
	site := writeSite(t, map[string]string{"index.html": "<!doctype html>\n"})
	if err := os.WriteFile(filepath.Join(site, "data.csv"), make([]byte, 64<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	recipients, identity := keyFiles(t, dir)
	bundle := filepath.Join(dir, "ACME.zip.age")
	res, err := Seal(SealOptions{SiteDir: site, Recipients: recipientsOf(t, recipients), OutPath: bundle, Manifest: testManifest(), Signer: testKey})
	if err != nil {
		t.Fatal(err)
	}
	if res.ZipSize > 1<<20 {
		t.Fatalf("the bomb is %d bytes: not a bomb", res.ZipSize)
	}
	parent := t.TempDir()
	to := filepath.Join(parent, "ACME")
	_, err = Open(OpenOptions{PublicKey: testPub, Bundle: bundle, Identity: identity, To: to})
	if want := "data.csv: refused: expands "; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want %q", err, want)
	}
	assertNothingExtracted(t, to, nil)

	// the size limit and the file limit, each alone
	for _, tc := range []struct {
		lim  Limits
		want string
	}{
		{Limits{MaxBytes: 1 << 20, MaxFiles: 10, MaxRatio: 1e9}, "refused: the files add up to more than the limit of 1048576 bytes"},
		{Limits{MaxBytes: 1 << 40, MaxFiles: 1, MaxRatio: 1e9}, "refused: 4 zip entries, more than the limit of 1"},
	} {
		_, err = Open(OpenOptions{PublicKey: testPub, Bundle: bundle, Identity: identity, To: to, Limits: tc.lim})
		if err == nil || !strings.HasSuffix(err.Error(), tc.want) {
			t.Errorf("limits %+v: got %v, want %q", tc.lim, err, tc.want)
		}
		assertNothingExtracted(t, to, nil)
	}
	// within generous limits the same bundle opens
	if _, err := Open(OpenOptions{PublicKey: testPub, Bundle: bundle, Identity: identity, To: to, Limits: Limits{MaxBytes: 1 << 30, MaxFiles: 10, MaxRatio: 1e6}}); err != nil {
		t.Errorf("with generous limits: %v", err)
	}
}

func TestOpenStopsWhenInterrupted(t *testing.T) {
	dir := t.TempDir()
	bundle, _, identity := sealed(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	parent := t.TempDir()
	to := filepath.Join(parent, "ACME")
	_, err := Open(OpenOptions{PublicKey: testPub, Bundle: bundle, Identity: identity, To: to, Context: ctx})
	if !errors.Is(err, ErrInterrupted) {
		t.Errorf("got %v, want ErrInterrupted", err)
	}
	assertNothingExtracted(t, to, nil)
}

func TestOpenDefaultFolderIsNamedFromTheVerifiedManifest(t *testing.T) {
	dir := t.TempDir()
	bundle, _, identity := sealed(t, dir)
	parent := t.TempDir()
	op, err := Open(OpenOptions{PublicKey: testPub, Bundle: bundle, Identity: identity, Parent: parent})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(parent, "ACME-2026-10"); op.Dir != want {
		t.Errorf("Dir = %q, want %q", op.Dir, want)
	}
	if names := dirNames(t, parent); len(names) != 1 || names[0] != "ACME-2026-10" {
		t.Errorf("parent holds %q", names)
	}
	// the manifest's signature comes out too, for checking it offline
	sig, err := os.ReadFile(filepath.Join(op.Dir, SignatureName))
	if err != nil || !bytes.Contains(sig, []byte("trusted comment: carport-manifest period:2026-10 party:ACME")) {
		t.Errorf("%s: %q, %v", SignatureName, sig, err)
	}
	// a second open refuses the now full folder
	if _, err := Open(OpenOptions{PublicKey: testPub, Bundle: bundle, Identity: identity, Parent: parent}); err == nil || !strings.Contains(err.Error(), "folder is not empty") {
		t.Errorf("second open: %v", err)
	}
}

func TestSigningKeys(t *testing.T) {
	pub, sec, err := GenerateSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pub, []byte("untrusted comment: minisign public key: ")) {
		t.Errorf("public key file %q", pub)
	}
	p, err := ParsePublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	// the bare base64 line works too
	if q, err := ParsePublicKey([]byte(p.String())); err != nil || q.ID() != p.ID() {
		t.Errorf("bare key: %v", err)
	}
	if _, err := ParseSigner(sec, p); err != nil {
		t.Errorf("ParseSigner: %v", err)
	}
	if _, err := ParseSigner(sec, testPub); err == nil || !strings.Contains(err.Error(), "does not match the public key") {
		t.Errorf("mismatched pair: %v", err)
	}
	_, err = ParseSigner([]byte("RWRTY0Iy-not-a-key"), p)
	if err == nil || err.Error() != "not a minisign secret key" {
		t.Errorf("garbage: %v", err)
	}
	if _, err := ParsePublicKey([]byte("hello\nworld")); err == nil {
		t.Error("garbage public key accepted")
	}
}
