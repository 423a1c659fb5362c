package bundle

// Sealing writes to a temporary file beside the output and renames it only
// after the age writer, the file and an fsync have all succeeded, so a failed
// or interrupted run leaves the previous bundle in place and no partial one.
// The outer signature is written the same way, beside the bundle, before the
// bundle is renamed. Encrypting (zip and age) and writing the ciphertext are
// separate steps (Encrypt, BundleFile) so that they can run in different
// processes with only the ciphertext passing between them.

import (
	"context"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"aead.dev/minisign"
	"filippo.io/age"
	"github.com/dcc/carport/internal/atomicfile"
)

// SealOptions says what to seal, to whom and where.
type SealOptions struct {
	// SiteDir is the rendered site (plaintext, in private staging).
	SiteDir string
	// Recipients are the party's age recipients (keys/<party>.txt).
	Recipients *Recipients
	// OutPath is where the bundle goes: OUT/PERIOD/<party>.zip.age.
	OutPath string
	// Manifest describes the bundle. Seal fills in Files (any given are
	// replaced) and Format (when zero), and sorts Reports.
	Manifest Manifest
	// Signer signs manifest.json and the bundle (required).
	Signer *Signer
	// Context, when set, stops sealing between files once it is done.
	Context context.Context
}

// Sealed is what Seal wrote.
type Sealed struct {
	// Manifest is manifest.json as written.
	Manifest Manifest
	// ManifestSHA256 is the sha256 of manifest.json: equal content gives
	// equal manifests, whatever the key or the recipients.
	ManifestSHA256 string
	// ZipSize and ZipSHA256 describe the plaintext zip (reproducible).
	ZipSize   int64
	ZipSHA256 string
	// Size and SHA256 describe the ciphertext file (new at every seal).
	Size   int64
	SHA256 string
	// Recipients is how many age recipients can open it.
	Recipients int
}

// Seal zips every file of o.SiteDir together with a manifest.json listing
// their sizes and SHA-256 sums and its signature, encrypts the zip with age
// (binary format) to every recipient in o.Recipients, and writes it
// atomically to o.OutPath, creating parent folders (0755), with its signature
// at o.OutPath+".minisig". It returns what it wrote.
//
// The zip is deterministic (see writeZip). The site must hold an index.html
// at its top and only regular files: symlinks, devices and the like are
// refused. On any error nothing is left at o.OutPath that was not there
// before, and no temporary file remains.
//
// Seal is Encrypt into a BundleFile, both in this process; a build's
// worker processes run Encrypt and send the ciphertext to the parent,
// which holds the signing key and writes the BundleFile.
func Seal(o SealOptions) (Sealed, error) {
	if _, err := o.Manifest.normalise(); err != nil {
		return Sealed{}, err
	}
	if o.OutPath == "" {
		return Sealed{}, fmt.Errorf("no output path")
	}
	if o.Signer == nil {
		return Sealed{}, fmt.Errorf("no signing key: every bundle is signed by the DCC")
	}
	var bf *BundleFile
	enc, err := Encrypt(EncryptOptions{SiteDir: o.SiteDir, Recipients: o.Recipients, Manifest: o.Manifest, Context: o.Context,
		SignManifest: func(manifestJSON []byte) ([]byte, error) {
			return o.Signer.SignManifest(manifestJSON, o.Manifest.Period, o.Manifest.Party), nil
		}}, func() (io.Writer, error) {
		var err error
		bf, err = CreateBundleFile(o.OutPath)
		return bf, err
	})
	if err != nil {
		bf.Abort()
		return Sealed{}, err
	}
	size, sum, err := bf.Commit(o.Signer, enc.Manifest.Period, enc.Manifest.Party, enc.ZipSHA256)
	if err != nil {
		return Sealed{}, err
	}
	return Sealed{Manifest: enc.Manifest, ManifestSHA256: enc.ManifestSHA256, ZipSize: enc.ZipSize, ZipSHA256: enc.ZipSHA256,
		Size: size, SHA256: sum, Recipients: enc.Recipients}, nil
}

// EncryptOptions says what Encrypt zips, and to whom it encrypts it.
type EncryptOptions struct {
	// SiteDir is the rendered site (plaintext, in private staging).
	SiteDir string
	// Recipients are the party's age recipients (keys/<party>.txt).
	Recipients *Recipients
	// Manifest describes the bundle. Encrypt fills in Files (any given are
	// replaced) and Format (when zero), and sorts Reports.
	Manifest Manifest
	// Files, when set, are the site's files as already read and hashed
	// (by the leak audit), in any order; nil: Encrypt walks and hashes
	// the site itself. Either way every file is hashed again as it is
	// zipped and must still match, so the bundle holds exactly what was
	// hashed.
	Files []FileEntry
	// Data holds, by path, the bytes of files already read (by the leak
	// audit): they are zipped from here, not read again.
	Data map[string][]byte
	// SignManifest returns the DCC's signature of manifest.json
	// (Signer.SignManifest, or a request to the process holding the key).
	SignManifest func(manifestJSON []byte) ([]byte, error)
	// Context, when set, stops encrypting between files once it is done.
	Context context.Context
}

// Encrypted is what Encrypt wrote.
type Encrypted struct {
	// Manifest is manifest.json as written.
	Manifest Manifest
	// ManifestSHA256 is the sha256 of manifest.json.
	ManifestSHA256 string
	// ZipSize and ZipSHA256 describe the plaintext zip (reproducible).
	ZipSize   int64
	ZipSHA256 string
	// Recipients is how many age recipients can open it.
	Recipients int
}

// Encrypt checks the site and the recipients, builds and signs the
// manifest, then opens its output with open and streams the deterministic
// zip of the site through age into it: the plaintext zip exists only in
// memory, a buffer at a time. Nothing is opened when a check fails. The
// caller makes the ciphertext durable (BundleFile.Commit).
func Encrypt(o EncryptOptions, open func() (io.Writer, error)) (Encrypted, error) {
	m, err := o.Manifest.normalise()
	if err != nil {
		return Encrypted{}, err
	}
	modified, _ := periodStart(m.Period) // checked by normalise
	if o.SignManifest == nil {
		return Encrypted{}, fmt.Errorf("no signing key: every bundle is signed by the DCC")
	}
	ctx := o.Context
	if ctx == nil {
		ctx = context.Background()
	}
	if o.Recipients == nil || o.Recipients.Len() == 0 {
		return Encrypted{}, fmt.Errorf("no recipients")
	}
	recips := o.Recipients.list
	files := o.Files
	if files == nil {
		if files, err = scanSite(o.SiteDir); err != nil {
			return Encrypted{}, err
		}
	} else if files, err = checkFiles(o.SiteDir, files); err != nil {
		return Encrypted{}, err
	}
	if !hasFile(files, "index.html") {
		return Encrypted{}, fmt.Errorf("site %s has no index.html", o.SiteDir)
	}
	m.Files = files
	manifestJSON, err := m.encode()
	if err != nil {
		return Encrypted{}, err
	}
	manifestSig, err := o.SignManifest(manifestJSON)
	if err != nil {
		return Encrypted{}, fmt.Errorf("signing %s: %w", ManifestName, err)
	}
	msum := sha256.Sum256(manifestJSON)
	out := Encrypted{Manifest: m, ManifestSHA256: hexSum(msum[:]), Recipients: len(recips)}
	w, err := open()
	if err != nil {
		return Encrypted{}, err
	}
	aw, err := age.Encrypt(w, recips...)
	if err != nil {
		return Encrypted{}, fmt.Errorf("encrypting: %w", err)
	}
	zh := sha256.New()
	zc := &countWriter{w: io.MultiWriter(aw, zh)}
	if err := writeZip(ctx, zc, o.SiteDir, modified, manifestJSON, manifestSig, files, o.Data); err != nil {
		aw.Close()
		return Encrypted{}, err
	}
	// Close writes the last, authenticated chunk: without it the bundle
	// is truncated.
	if err := aw.Close(); err != nil {
		return Encrypted{}, fmt.Errorf("encrypting: finishing: %w", err)
	}
	out.ZipSize, out.ZipSHA256 = zc.n, hexSum(zh.Sum(nil))
	return out, nil
}

// checkFiles checks a file list given to Encrypt: safe, distinct paths,
// none of the bundle's own names. It returns the list sorted by path.
func checkFiles(siteDir string, given []FileEntry) ([]FileEntry, error) {
	files := slices.Clone(given)
	slices.SortFunc(files, func(a, b FileEntry) int { return strings.Compare(a.Path, b.Path) })
	for i, fe := range files {
		shown := filepath.Join(siteDir, filepath.FromSlash(fe.Path))
		if err := checkName(fe.Path); err != nil {
			return nil, fmt.Errorf("%s: %w", shown, err)
		}
		if fe.Path == ManifestName || fe.Path == SignatureName {
			return nil, fmt.Errorf("%s: the site must not have its own %s: the bundle writes it", shown, fe.Path)
		}
		if i > 0 && files[i-1].Path == fe.Path {
			return nil, fmt.Errorf("%s: listed twice", shown)
		}
		if fe.Size < 0 || len(fe.SHA256) != 64 {
			return nil, fmt.Errorf("%s: no size or sha256", shown)
		}
	}
	return files, nil
}

// BundleFile is a bundle's ciphertext being written to a temporary file
// beside its final path (internal/atomicfile), hashed (sha256, and BLAKE2b
// for the minisign signature) as it arrives, so that no second read is
// needed to sign it.
type BundleFile struct {
	out  string
	f    *atomicfile.File
	sha  hash.Hash
	feed feeder
	mr   *minisign.Reader
	n    int64
	err  error
}

// CreateBundleFile starts a bundle that Commit will put at out (creating
// its folder, 0755). Until then nothing is at out that was not before.
func CreateBundleFile(out string) (*BundleFile, error) {
	f, err := atomicfile.Create(out, 0o644)
	if err != nil {
		return nil, err
	}
	b := &BundleFile{out: out, f: f, sha: sha256.New()}
	b.mr = minisign.NewReader(&b.feed)
	return b, nil
}

// Write appends ciphertext.
func (b *BundleFile) Write(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.f.Write(p)
	b.n += int64(n)
	b.sha.Write(p[:n])
	b.feed.p = p[:n]
	if _, herr := io.Copy(io.Discard, b.mr); err == nil {
		err = herr
	}
	if err != nil {
		b.err = err
	}
	return n, err
}

// Commit syncs the ciphertext, signs it (the trusted comment naming
// period, party and the zip's sha256), writes the signature atomically at
// out+".minisig" and then renames the bundle into place. It returns the
// ciphertext's size and sha256. On error the temporary file is removed.
func (b *BundleFile) Commit(s *Signer, period, party, zipSHA256 string) (size int64, sum string, err error) {
	if b.err != nil {
		b.Abort()
		return 0, "", b.err
	}
	if s == nil {
		b.Abort()
		return 0, "", fmt.Errorf("no signing key: every bundle is signed by the DCC")
	}
	if err := b.f.Commit(func() error {
		sig := s.signBundle(b.mr, bundleClaim{Period: period, Party: party, ZipSHA256: zipSHA256})
		return writeSealed(b.out+SignatureSuffix, func(f *os.File) error {
			_, err := f.Write(sig)
			return err
		}, nil)
	}); err != nil {
		return 0, "", err
	}
	return b.n, hexSum(b.sha.Sum(nil)), nil
}

// Abort removes the temporary file; a nil or committed file is left.
func (b *BundleFile) Abort() {
	if b == nil {
		return
	}
	b.f.Abort()
}

// feeder hands the minisign reader the bytes of one Write.
type feeder struct{ p []byte }

func (f *feeder) Read(p []byte) (int, error) {
	if len(f.p) == 0 {
		return 0, io.EOF
	}
	n := copy(p, f.p)
	f.p = f.p[n:]
	return n, nil
}

// countWriter counts what goes through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// hasFile reports whether the sorted files list path.
func hasFile(files []FileEntry, path string) bool {
	for _, f := range files {
		if f.Path == path {
			return true
		}
	}
	return false
}

// writeSealed writes out atomically (internal/atomicfile, mode 0644): write
// fills the temporary file, before (when not nil) runs once it is synced
// and closed, and only then is it renamed to out. On any error out is
// untouched.
func writeSealed(out string, write func(*os.File) error, before func() error) error {
	f, err := atomicfile.Create(out, 0o644)
	if err != nil {
		return err
	}
	if err := write(f.File); err != nil {
		f.Abort()
		return err
	}
	return f.Commit(before)
}
