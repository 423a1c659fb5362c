package bundle

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestSealFailureLeavesOutputAlone(t *testing.T) {
	for _, tc := range []struct {
		name string
		// setup returns the options to seal with; keys and site live in dir.
		setup func(t *testing.T, dir string) SealOptions
		want  func(o SealOptions) string
	}{
		{
			name: "no recipients",
			setup: func(t *testing.T, dir string) SealOptions {
				return SealOptions{SiteDir: writeSite(t, testSite), Manifest: testManifest(), Signer: testKey}
			},
			want: func(o SealOptions) string {
				return "no recipients"
			},
		},
		{
			name: "symlink in site",
			setup: func(t *testing.T, dir string) SealOptions {
				recipients, _ := keyFiles(t, dir)
				site := writeSite(t, testSite)
				if err := os.Symlink("/etc/passwd", filepath.Join(site, "data", "passwd.csv")); err != nil {
					t.Fatal(err)
				}
				return SealOptions{SiteDir: site, Recipients: recipientsOf(t, recipients), Manifest: testManifest(), Signer: testKey}
			},
			want: func(o SealOptions) string {
				return filepath.Join(o.SiteDir, "data", "passwd.csv") + ": is a symlink: a bundle holds only regular files"
			},
		},
		{
			name: "symlinked folder in site",
			setup: func(t *testing.T, dir string) SealOptions {
				recipients, _ := keyFiles(t, dir)
				site := writeSite(t, testSite)
				if err := os.Symlink(t.TempDir(), filepath.Join(site, "more")); err != nil {
					t.Fatal(err)
				}
				return SealOptions{SiteDir: site, Recipients: recipientsOf(t, recipients), Manifest: testManifest(), Signer: testKey}
			},
			want: func(o SealOptions) string {
				return filepath.Join(o.SiteDir, "more") + ": is a symlink: a bundle holds only regular files"
			},
		},
		{
			name: "site has its own manifest",
			setup: func(t *testing.T, dir string) SealOptions {
				recipients, _ := keyFiles(t, dir)
				files := map[string]string{"index.html": "x", "manifest.json": "{}"}
				return SealOptions{SiteDir: writeSite(t, files), Recipients: recipientsOf(t, recipients), Manifest: testManifest(), Signer: testKey}
			},
			want: func(o SealOptions) string {
				return filepath.Join(o.SiteDir, "manifest.json") + ": the site must not have its own manifest.json: the bundle writes it"
			},
		},
		{
			name: "site without index.html",
			setup: func(t *testing.T, dir string) SealOptions {
				recipients, _ := keyFiles(t, dir)
				return SealOptions{SiteDir: writeSite(t, map[string]string{"home.html": "x"}), Recipients: recipientsOf(t, recipients), Manifest: testManifest(), Signer: testKey}
			},
			want: func(o SealOptions) string {
				return "site " + o.SiteDir + " has no index.html"
			},
		},
		{
			name: "site missing",
			setup: func(t *testing.T, dir string) SealOptions {
				recipients, _ := keyFiles(t, dir)
				return SealOptions{SiteDir: filepath.Join(dir, "nosite"), Recipients: recipientsOf(t, recipients), Manifest: testManifest(), Signer: testKey}
			},
			want: func(o SealOptions) string {
				return "site: stat " + o.SiteDir + ": no such file or directory"
			},
		},
		{
			name: "bad period",
			setup: func(t *testing.T, dir string) SealOptions {
				recipients, _ := keyFiles(t, dir)
				m := testManifest()
				m.Period = "2026-1"
				return SealOptions{SiteDir: writeSite(t, testSite), Recipients: recipientsOf(t, recipients), Manifest: m, Signer: testKey}
			},
			want: func(o SealOptions) string {
				return `manifest period "2026-1" is not YYYY-MM`
			},
		},
		{
			name: "report listed twice",
			setup: func(t *testing.T, dir string) SealOptions {
				recipients, _ := keyFiles(t, dir)
				m := testManifest()
				m.Reports = append(m.Reports, ReportRef{Role: "IS", ID: "srv-4.1.1", Version: "4"})
				return SealOptions{SiteDir: writeSite(t, testSite), Recipients: recipientsOf(t, recipients), Manifest: m, Signer: testKey}
			},
			want: func(o SealOptions) string {
				return "manifest lists report IS/srv-4.1.1 twice"
			},
		},
	} {
		for _, previous := range []bool{false, true} {
			name := tc.name + "/no previous bundle"
			if previous {
				name = tc.name + "/previous bundle"
			}
			t.Run(name, func(t *testing.T) {
				dir := t.TempDir()
				o := tc.setup(t, dir)
				outDir := filepath.Join(t.TempDir(), "2026-10")
				o.OutPath = filepath.Join(outDir, "ACME.zip.age")
				const old = "previous good bundle"
				var before []string
				if previous {
					if err := os.MkdirAll(outDir, 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(o.OutPath, []byte(old), 0o644); err != nil {
						t.Fatal(err)
					}
					before = []string{"ACME.zip.age"}
				}
				_, err := Seal(o)
				if want := tc.want(o); err == nil || err.Error() != want {
					t.Errorf("got  %v\nwant %s", err, want)
				}
				if previous {
					got, err := os.ReadFile(o.OutPath)
					if err != nil || string(got) != old {
						t.Errorf("previous bundle changed: %q, %v", got, err)
					}
				}
				if _, err := os.Stat(outDir); err == nil {
					if names := dirNames(t, outDir); !slices.Equal(names, before) {
						t.Errorf("output folder holds %q, want %q", names, before)
					}
				} else if previous {
					t.Errorf("output folder gone: %v", err)
				}
			})
		}
	}
}

func TestSealFailsWhenOutputFolderCannotBeMade(t *testing.T) {
	dir := t.TempDir()
	recipients, _ := keyFiles(t, dir)
	blocker := filepath.Join(dir, "OUT")
	if err := os.WriteFile(blocker, []byte("a file, not a folder"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(blocker, "2026-10", "ACME.zip.age")
	_, err := Seal(SealOptions{SiteDir: writeSite(t, testSite), Recipients: recipientsOf(t, recipients), OutPath: out, Manifest: testManifest(), Signer: testKey})
	if want := "mkdir " + blocker + ": not a directory"; err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
}

func TestWriteSealedRemovesTempFileOnError(t *testing.T) {
	// A failure after the temporary file exists (here, half-way through
	// writing, as when a site file changes during sealing) removes it and
	// keeps the previous bundle.
	outDir := t.TempDir()
	out := filepath.Join(outDir, "ACME.zip.age")
	if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	var tmp string
	err := writeSealed(out, func(f *os.File) error {
		tmp = f.Name()
		if _, err := f.WriteString("partial bundle"); err != nil {
			return err
		}
		return errChanged
	}, nil)
	if err != errChanged {
		t.Errorf("got %v, want %v", err, errChanged)
	}
	if filepath.Dir(tmp) != outDir {
		t.Errorf("temporary file %s is not beside the output", tmp)
	}
	if names := dirNames(t, outDir); !slices.Equal(names, []string{"ACME.zip.age"}) {
		t.Errorf("output folder holds %q, want only the previous bundle", names)
	}
	if got, err := os.ReadFile(out); err != nil || string(got) != "old" {
		t.Errorf("previous bundle changed: %q, %v", got, err)
	}
}

func TestSealReplacesPreviousBundle(t *testing.T) {
	dir := t.TempDir()
	recipients, identity := keyFiles(t, dir)
	out := filepath.Join(dir, "OUT", "2026-10", "ACME.zip.age")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Seal(SealOptions{SiteDir: writeSite(t, testSite), Recipients: recipientsOf(t, recipients), OutPath: out, Manifest: testManifest(), Signer: testKey}); err != nil {
		t.Fatal(err)
	}
	m, err := Open(OpenOptions{PublicKey: testPub, Bundle: out, Identity: identity, To: filepath.Join(dir, "opened")})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Manifest.Files) != len(testSite) {
		t.Errorf("opened %d files, want %d", len(m.Manifest.Files), len(testSite))
	}
}

// TestEncryptThroughAPipe seals as a build's worker and parent do: Encrypt
// in one place with the manifest signed elsewhere and the file list given,
// the ciphertext through a pipe into a BundleFile committed by the key's
// holder. The bundle opens, and its zip is the one Seal makes.
func TestEncryptThroughAPipe(t *testing.T) {
	dir := t.TempDir()
	recipients, identity := keyFiles(t, dir)
	site := writeSite(t, testSite)
	ref, err := Seal(SealOptions{SiteDir: site, Recipients: recipientsOf(t, recipients), OutPath: filepath.Join(dir, "ref", "ACME.zip.age"), Manifest: testManifest(), Signer: testKey})
	if err != nil {
		t.Fatal(err)
	}
	files, err := scanSite(site)
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(files) // any order
	// half the files' bytes are given, as the audit kept them
	data := map[string][]byte{}
	for i, fe := range files {
		if i%2 == 0 {
			b, err := os.ReadFile(filepath.Join(site, filepath.FromSlash(fe.Path)))
			if err != nil {
				t.Fatal(err)
			}
			data[fe.Path] = b
		}
	}
	out := filepath.Join(dir, "OUT", "2026-10", "ACME.zip.age")
	bf, err := CreateBundleFile(out)
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := io.Copy(bf, pr)
		done <- err
	}()
	signed := 0
	enc, err := Encrypt(EncryptOptions{SiteDir: site, Recipients: recipientsOf(t, recipients), Manifest: testManifest(), Files: files, Data: data,
		SignManifest: func(mj []byte) ([]byte, error) { signed++; return testKey.SignManifest(mj, "2026-10", "ACME"), nil }},
		func() (io.Writer, error) { return pw, nil })
	pw.CloseWithError(err)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatalf("%s exists before Commit", out)
	}
	size, sum, err := bf.Commit(testKey, "2026-10", "ACME", enc.ZipSHA256)
	if err != nil {
		t.Fatal(err)
	}
	if signed != 1 || enc.ZipSHA256 != ref.ZipSHA256 || enc.ManifestSHA256 != ref.ManifestSHA256 || enc.ZipSize != ref.ZipSize {
		t.Errorf("signed %d times; zip %s (%d bytes), manifest %s; Seal made zip %s (%d bytes), manifest %s",
			signed, enc.ZipSHA256, enc.ZipSize, enc.ManifestSHA256, ref.ZipSHA256, ref.ZipSize, ref.ManifestSHA256)
	}
	if fi, err := os.Stat(out); err != nil || fi.Size() != size || len(sum) != 64 {
		t.Errorf("bundle %v, %v; Commit said %d bytes, sha256 %s", fi, err, size, sum)
	}
	if _, err := Open(OpenOptions{PublicKey: testPub, Bundle: out, Identity: identity, To: filepath.Join(dir, "opened")}); err != nil {
		t.Fatalf("opening: %v", err)
	}
	if names := dirNames(t, filepath.Dir(out)); !slices.Equal(names, []string{"ACME.zip.age", "ACME.zip.age.minisig"}) {
		t.Errorf("output folder holds %q", names)
	}
}

// TestEncryptChecksGivenFiles: a given file list must be safe and must
// still match the site as it is zipped; nothing is opened when it is not
// safe, and a change is caught.
func TestEncryptChecksGivenFiles(t *testing.T) {
	dir := t.TempDir()
	recipients, _ := keyFiles(t, dir)
	site := writeSite(t, testSite)
	files, err := scanSite(site)
	if err != nil {
		t.Fatal(err)
	}
	sign := func(mj []byte) ([]byte, error) { return testKey.SignManifest(mj, "2026-10", "ACME"), nil }
	for _, tc := range []struct {
		name   string
		files  func() []FileEntry
		data   map[string][]byte
		want   string
		opened bool
	}{
		{"given bytes differ", func() []FileEntry { return files }, map[string][]byte{files[2].Path: []byte("not what was hashed")},
			filepath.Join(site, files[2].Path) + ": changed while sealing: size or sha256 differs from the first pass", true},
		{"twice", func() []FileEntry { return append(slices.Clone(files), files[0]) }, nil, filepath.Join(site, files[0].Path) + ": listed twice", false},
		{"unsafe", func() []FileEntry {
			return append(slices.Clone(files), FileEntry{Path: "../etc/passwd", Size: 1, SHA256: files[0].SHA256})
		}, nil, filepath.Join(site, "../etc/passwd") + `: unsafe path "../etc/passwd"`, false},
		{"manifest", func() []FileEntry {
			return append(slices.Clone(files), FileEntry{Path: ManifestName, Size: 1, SHA256: files[0].SHA256})
		}, nil, filepath.Join(site, ManifestName) + ": the site must not have its own manifest.json: the bundle writes it", false},
		{"changed", func() []FileEntry {
			fs := slices.Clone(files)
			fs[1].SHA256 = files[0].SHA256
			if fs[1].SHA256 == files[1].SHA256 {
				t.Fatal("two test files with one sum")
			}
			return fs
		}, nil, filepath.Join(site, files[1].Path) + ": changed while sealing: size or sha256 differs from the first pass", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opened := false
			_, err := Encrypt(EncryptOptions{SiteDir: site, Recipients: recipientsOf(t, recipients), Manifest: testManifest(), Files: tc.files(), Data: tc.data, SignManifest: sign},
				func() (io.Writer, error) { opened = true; return io.Discard, nil })
			if err == nil || err.Error() != tc.want {
				t.Errorf("got  %v\nwant %s", err, tc.want)
			}
			if opened != tc.opened {
				t.Errorf("output opened: %v, want %v", opened, tc.opened)
			}
		})
	}
}
