package bundle

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// entry is one raw zip entry for hand-built bundles.
type entry struct{ name, body string }

// fileEntry returns the honest manifest entry for body at name.
func fileEntry(name, body string) FileEntry {
	sum := sha256.Sum256([]byte(body))
	return FileEntry{Path: name, Size: int64(len(body)), SHA256: hex.EncodeToString(sum[:])}
}

// rawZip builds a zip holding a manifest.json that lists listed, followed
// by entries exactly as given (archive/zip does not vet names).
func rawZip(t *testing.T, listed []FileEntry, entries []entry) []byte {
	t.Helper()
	m, err := testManifest().normalise()
	if err != nil {
		t.Fatal(err)
	}
	m.Files = listed
	mj, err := m.encode()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	sig := testKey.SignManifest(mj, m.Period, m.Party)
	for _, e := range append([]entry{{ManifestName, string(mj)}, {SignatureName, string(sig)}}, entries...) {
		w, err := zw.Create(e.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// assertNothingExtracted checks that opening into to left no trace: to does
// not exist and its parent holds only what it held before.
func assertNothingExtracted(t *testing.T, to string, before []string) {
	t.Helper()
	if _, err := os.Lstat(to); !os.IsNotExist(err) {
		t.Errorf("%s exists after a failed Open (%v)", to, err)
	}
	if after := dirNames(t, filepath.Dir(to)); !slices.Equal(after, before) {
		t.Errorf("parent folder holds %q after a failed Open, want %q", after, before)
	}
}

func TestOpenRefusesTruncatedBundle(t *testing.T) {
	site := writeSite(t, testSite)
	dir := t.TempDir()
	recipients, identity := keyFiles(t, dir)
	out := filepath.Join(dir, "ACME.zip.age")
	res, err := Seal(SealOptions{SiteDir: site, Recipients: recipientsOf(t, recipients), OutPath: out, Manifest: testManifest(), Signer: testKey})
	if err != nil {
		t.Fatal(err)
	}
	whole, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := os.ReadFile(out + SignatureSuffix)
	if err != nil {
		t.Fatal(err)
	}
	for _, cut := range []int{1, 16, 200, len(whole) / 2} {
		bad := filepath.Join(dir, "cut.zip.age")
		if err := os.WriteFile(bad, whole[:len(whole)-cut], 0o644); err != nil {
			t.Fatal(err)
		}
		// with the bundle's own signature: the signature catches it
		if err := os.WriteFile(bad+SignatureSuffix, sig, 0o644); err != nil {
			t.Fatal(err)
		}
		parent := t.TempDir()
		to := filepath.Join(parent, "ACME")
		_, err := Open(OpenOptions{PublicKey: testPub, Bundle: bad, Identity: identity, To: to})
		if want := bad + ": bundle: signature does not verify: the file was altered or not signed by the DCC"; err == nil || err.Error() != want {
			t.Errorf("cut %d bytes: error %v, want %q", cut, err, want)
		}
		assertNothingExtracted(t, to, nil)

		// signed as cut (the signer's own mistake): age catches it
		signFile(t, testKey, bad, res.ZipSHA256)
		_, err = Open(OpenOptions{PublicKey: testPub, Bundle: bad, Identity: identity, To: to})
		if err == nil {
			t.Errorf("cut %d bytes: Open succeeded", cut)
			continue
		}
		if want := bad + ": damaged or truncated: decrypting failed after "; !bytes.HasPrefix([]byte(err.Error()), []byte(want)) {
			t.Errorf("cut %d bytes: error %q, want prefix %q", cut, err, want)
		}
		assertNothingExtracted(t, to, nil)
	}
}

func TestOpenRefusesWrongIdentity(t *testing.T) {
	site := writeSite(t, testSite)
	dir := t.TempDir()
	recipients, _ := keyFiles(t, dir)
	out := filepath.Join(dir, "ACME.zip.age")
	if _, err := Seal(SealOptions{SiteDir: site, Recipients: recipientsOf(t, recipients), OutPath: out, Manifest: testManifest(), Signer: testKey}); err != nil {
		t.Fatal(err)
	}
	_, other := keyFiles(t, t.TempDir())
	to := filepath.Join(t.TempDir(), "ACME")
	_, err := Open(OpenOptions{PublicKey: testPub, Bundle: out, Identity: other, To: to})
	if want := out + ": no identity in " + other + " matches this bundle"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
	assertNothingExtracted(t, to, nil)
}

func TestOpenRefusesBadZips(t *testing.T) {
	const (
		index  = "<!doctype html>\n"
		league = "rank,party,success_rate,requests\n1,ACME,0.9,10\n"
	)
	honest := []FileEntry{fileEntry("data/IS/srv-4.1.1/league.csv", league), fileEntry("index.html", index)}
	for _, tc := range []struct {
		name    string
		listed  []FileEntry
		entries []entry
		want    string // after "<bundle>: "
	}{
		{
			name:    "content does not match the manifest",
			listed:  []FileEntry{fileEntry("data/IS/srv-4.1.1/league.csv", "rank,party,success_rate,requests\n1,ACME,0.8,10\n"), fileEntry("index.html", index)},
			entries: []entry{{"data/IS/srv-4.1.1/league.csv", league}, {"index.html", index}},
			want:    "data/IS/srv-4.1.1/league.csv: sha256 mismatch",
		},
		{
			name:    "size does not match the manifest",
			listed:  []FileEntry{fileEntry("data/IS/srv-4.1.1/league.csv", league+"2,,0.8,\n"), fileEntry("index.html", index)},
			entries: []entry{{"data/IS/srv-4.1.1/league.csv", league}, {"index.html", index}},
			want:    "data/IS/srv-4.1.1/league.csv: size mismatch: zip says 47 bytes, manifest.json says 55",
		},
		{
			name:    "zip-slip with dot-dot",
			listed:  append(slices.Clone(honest), fileEntry("x.csv", "evil")),
			entries: []entry{{"data/IS/srv-4.1.1/league.csv", league}, {"index.html", index}, {"../evil.txt", "evil"}},
			want:    `zip entry refused: unsafe path "../evil.txt"`,
		},
		{
			name:    "zip-slip nested dot-dot",
			listed:  honest,
			entries: []entry{{"data/../../evil.txt", "evil"}, {"data/IS/srv-4.1.1/league.csv", league}, {"index.html", index}},
			want:    `zip entry refused: unsafe path "data/../../evil.txt"`,
		},
		{
			name:    "absolute path",
			listed:  honest,
			entries: []entry{{"/tmp/evil.txt", "evil"}, {"data/IS/srv-4.1.1/league.csv", league}, {"index.html", index}},
			want:    `zip entry refused: unsafe path "/tmp/evil.txt"`,
		},
		{
			name:    "backslash path",
			listed:  honest,
			entries: []entry{{`..\evil.txt`, "evil"}, {"data/IS/srv-4.1.1/league.csv", league}, {"index.html", index}},
			want:    `zip entry refused: unsafe path "..\\evil.txt": backslash or colon`,
		},
		{
			name:    "duplicate name",
			listed:  honest,
			entries: []entry{{"data/IS/srv-4.1.1/league.csv", league}, {"index.html", index}, {"index.html", "<script>evil()</script>"}},
			want:    "index.html: zip entry refused: duplicate name",
		},
		{
			name:    "names equal but for case",
			listed:  honest,
			entries: []entry{{"data/IS/srv-4.1.1/league.csv", league}, {"index.html", index}, {"INDEX.html", index}},
			want:    "INDEX.html: zip entry refused: same name as index.html but for case",
		},
		{
			name:    "duplicate manifest",
			listed:  honest,
			entries: []entry{{"data/IS/srv-4.1.1/league.csv", league}, {"index.html", index}, {ManifestName, "{}"}},
			want:    "manifest.json: zip entry refused: duplicate name",
		},
		{
			name:    "file is also a folder",
			listed:  honest,
			entries: []entry{{"data/IS/srv-4.1.1/league.csv", league}, {"index.html", index}, {"data/IS", "x"}},
			want:    "data/IS/srv-4.1.1/league.csv: zip entry refused: data/IS is also a file",
		},
		{
			name:    "entry not in the manifest",
			listed:  honest,
			entries: []entry{{"data/IS/srv-4.1.1/league.csv", league}, {"index.html", index}, {"extra.js", "evil()"}},
			want:    "extra.js: in the zip but not listed in manifest.json",
		},
		{
			name:    "manifest entry missing from the zip",
			listed:  honest,
			entries: []entry{{"index.html", index}},
			want:    "data/IS/srv-4.1.1/league.csv: listed in manifest.json but missing from the zip",
		},
		{
			name:    "manifest lists an unsafe path",
			listed:  []FileEntry{fileEntry("../evil.txt", "evil")},
			entries: []entry{{"index.html", index}},
			want:    `manifest.json: files[0]: unsafe path "../evil.txt"`,
		},
		{
			name:    "manifest out of order",
			listed:  []FileEntry{fileEntry("index.html", index), fileEntry("data/IS/srv-4.1.1/league.csv", league)},
			entries: []entry{{"data/IS/srv-4.1.1/league.csv", league}, {"index.html", index}},
			want:    "manifest.json: files[1]: data/IS/srv-4.1.1/league.csv is out of order or repeated",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			recipients, identity := keyFiles(t, dir)
			bundle := filepath.Join(dir, "ACME.zip.age")
			encryptTo(t, recipients, bundle, rawZip(t, tc.listed, tc.entries))
			parent := t.TempDir()
			to := filepath.Join(parent, "out", "ACME")
			if err := os.Mkdir(filepath.Dir(to), 0o755); err != nil {
				t.Fatal(err)
			}
			_, err := Open(OpenOptions{PublicKey: testPub, Bundle: bundle, Identity: identity, To: to})
			if want := bundle + ": " + tc.want; err == nil || err.Error() != want {
				t.Errorf("got  %v\nwant %s", err, want)
			}
			assertNothingExtracted(t, to, nil)
			if names := dirNames(t, parent); !slices.Equal(names, []string{"out"}) {
				t.Errorf("files escaped the destination: %q", names)
			}
		})
	}
}
