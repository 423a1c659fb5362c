package bundle

// Nothing of a bundle is trusted before its signature is: Open first copies
// the ciphertext into a private stage and checks the DCC's signature over
// that copy (so what is checked is what is decrypted), then decrypts the
// whole copy (age notices truncation only at the very end), checks the
// zip's sha256 against the signed claim, the inner signature of
// manifest.json, every entry against the manifest and the limits below, and
// extracts into the stage, which is renamed into place only once every file
// has matched. A bad bundle, or an interrupt, therefore leaves nothing.
//
// The limits bound what a bundle may make Open write, whoever signed it: a
// zip bomb inside a valid signature (a bug or a stolen key) must not fill
// the party's disk. Sizes come from the signed manifest and are enforced
// while extracting, so an entry cannot write more than it claims.

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"aead.dev/minisign"
	"filippo.io/age"

	"github.com/dcc/carport/internal/stage"
)

// Limits bound what Open extracts.
type Limits struct {
	// MaxBytes is the most the extracted files may add up to.
	MaxBytes int64
	// MaxFiles is the most files a bundle may hold.
	MaxFiles int
	// MaxRatio is the most any entry larger than 1 MiB, or the whole zip,
	// may expand (extracted size / compressed size). Deflate can reach
	// about 1000 on zeros; real sites stay under 20.
	MaxRatio float64
}

// DefaultLimits fit the largest real bundle (a big supplier's estate file,
// a few hundred MB) with room to spare.
var DefaultLimits = Limits{MaxBytes: 8 << 30, MaxFiles: 200_000, MaxRatio: 200}

// ratioFloor is the entry size under which the ratio is not checked: small
// files compress freely and cannot fill a disk.
const ratioFloor = 1 << 20

// OpenOptions says which bundle to open, with which keys, and where to.
type OpenOptions struct {
	// Bundle is the path of the .zip.age file.
	Bundle string
	// Signature is the path of its outer signature (default Bundle+".minisig").
	Signature string
	// PublicKey is the DCC's public signing key (required).
	PublicKey *PublicKey
	// Identity is the path of an age identity file (one secret key a
	// line; '#' comments and blank lines allowed).
	Identity string
	// To is the folder to extract into; it must not exist or be empty. It is
	// created with mode 0700. When empty, the folder is Parent/<party>-<period>,
	// named from the verified manifest.
	To string
	// Parent is where To goes when To is empty (default: the current folder).
	Parent string
	// Limits bound the extraction (zero: DefaultLimits).
	Limits Limits
	// Context, when done, stops Open, which then removes what it wrote.
	Context context.Context
}

// Opened is what Open extracted.
type Opened struct {
	// Manifest is the verified manifest.json.
	Manifest Manifest
	// Dir is the folder the site was extracted into.
	Dir string
}

// Open verifies the bundle o.Bundle against the DCC public key, decrypts it
// with the identities in o.Identity, checks that its zip holds exactly
// manifest.json, its signature and the files that manifest lists, each with
// the listed size and SHA-256, refusing unsafe or duplicate entry names and
// anything over o.Limits, and extracts everything, manifest.json and its
// signature included (files 0600, folders 0700),
// as unzip would. Errors name the bundle and the file at fault; on any error
// nothing is left extracted and no temporary file remains.
func Open(o OpenOptions) (Opened, error) {
	r, err := open(o)
	if err != nil {
		return Opened{}, fmt.Errorf("%s: %w", o.Bundle, err)
	}
	return r, nil
}

// ErrInterrupted is returned (wrapped) when Open's context is done.
var ErrInterrupted = errors.New("interrupted: nothing was extracted")

// ctxReader fails reads once its context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if c.ctx.Err() != nil {
		return 0, ErrInterrupted
	}
	return c.r.Read(p)
}

// safeDirName is what a default destination name may look like.
var safeDirName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_-]{0,31}-[0-9]{4}-[0-9]{2}$`)

func open(o OpenOptions) (Opened, error) {
	ctx := o.Context
	if ctx == nil {
		ctx = context.Background()
	}
	lim := o.Limits
	if lim == (Limits{}) {
		lim = DefaultLimits
	}
	if o.PublicKey == nil {
		return Opened{}, errors.New("no DCC public key to check the signature with")
	}
	sigPath := o.Signature
	if sigPath == "" {
		sigPath = o.Bundle + SignatureSuffix
	}
	toExisted := false
	parent := o.Parent
	if o.To != "" {
		var err error
		if toExisted, err = checkEmptyDir(o.To); err != nil {
			return Opened{}, err
		}
		parent = filepath.Dir(o.To)
	}
	if parent == "" {
		parent = "."
	}
	ids, err := readIdentities(o.Identity)
	if err != nil {
		return Opened{}, err
	}
	sig, err := readSmall(sigPath, maxSignatureSize)
	if errors.Is(err, os.ErrNotExist) {
		return Opened{}, fmt.Errorf("no signature %s: refusing an unsigned bundle", sigPath)
	}
	if err != nil {
		return Opened{}, fmt.Errorf("reading signature: %w", err)
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return Opened{}, err
	}
	// Opens killed before they finished left their stage here.
	stage.Sweep(parent, ".carport-open-")
	st, err := stage.New(parent, ".carport-open-")
	if err != nil {
		return Opened{}, err
	}
	defer st.Remove()

	claim, err := copyVerified(ctx, o.Bundle, filepath.Join(st.Path, "bundle.age"), sig, o.PublicKey)
	if err != nil {
		return Opened{}, err
	}
	zipPath := filepath.Join(st.Path, "bundle.zip")
	size, err := decryptTo(ctx, zipPath, filepath.Join(st.Path, "bundle.age"), o.Identity, ids, claim.ZipSHA256)
	if err != nil {
		return Opened{}, err
	}
	zf, err := os.Open(zipPath)
	if err != nil {
		return Opened{}, err
	}
	defer zf.Close()
	zr, err := zip.NewReader(zf, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return Opened{}, fmt.Errorf("not a valid zip inside: %w", err)
	}
	m, manifestJSON, entries, err := checkZip(zr, lim)
	if err != nil {
		return Opened{}, err
	}
	manifestSig, err := checkInner(o.PublicKey, entries[SignatureName], manifestJSON, m, claim)
	if err != nil {
		return Opened{}, err
	}
	if err := checkLimits(m, entries, size, lim); err != nil {
		return Opened{}, err
	}

	to := o.To
	if to == "" {
		name := m.Party + "-" + m.Period
		if !safeDirName.MatchString(name) {
			return Opened{}, fmt.Errorf("party %q and period %q make no safe folder name: give --to", m.Party, m.Period)
		}
		to = filepath.Join(parent, name)
		if toExisted, err = checkEmptyDir(to); err != nil {
			return Opened{}, err
		}
	}
	site := filepath.Join(st.Path, "site")
	if err := os.Mkdir(site, 0o700); err != nil {
		return Opened{}, err
	}
	if err := os.WriteFile(filepath.Join(site, ManifestName), manifestJSON, 0o600); err != nil {
		return Opened{}, err
	}
	if err := os.WriteFile(filepath.Join(site, SignatureName), manifestSig, 0o600); err != nil {
		return Opened{}, err
	}
	for _, fe := range m.Files {
		if err := extract(ctx, entries[fe.Path], filepath.Join(site, filepath.FromSlash(fe.Path)), fe); err != nil {
			if errors.Is(err, ErrInterrupted) {
				return Opened{}, err
			}
			return Opened{}, fmt.Errorf("%s: %w", fe.Path, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return Opened{}, ErrInterrupted
	}
	if toExisted {
		// Empty, as checked; rename cannot replace a folder everywhere.
		if err := os.Remove(to); err != nil {
			return Opened{}, err
		}
	}
	if err := os.Rename(site, to); err != nil {
		if toExisted {
			os.Mkdir(to, 0o700) // put back the empty folder we removed
		}
		return Opened{}, err
	}
	return Opened{Manifest: m, Dir: to}, nil
}

// copyVerified copies the bundle to dst, checks the outer signature over
// the copy and returns its claim.
func copyVerified(ctx context.Context, bundle, dst string, sig []byte, pub *PublicKey) (bundleClaim, error) {
	src, err := os.Open(bundle)
	if err != nil {
		return bundleClaim{}, err
	}
	defer src.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return bundleClaim{}, err
	}
	r := minisign.NewReader(ctxReader{ctx, src})
	_, err = io.Copy(out, r)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return bundleClaim{}, err
	}
	comment, err := pub.check(r, sig, "bundle")
	if err != nil {
		return bundleClaim{}, err
	}
	return parseBundleClaim(comment)
}

// checkInner verifies manifest.json's own signature and that both
// signatures speak of the bundle's party and period.
func checkInner(pub *PublicKey, sigEntry *zip.File, manifestJSON []byte, m Manifest, claim bundleClaim) ([]byte, error) {
	rc, err := sigEntry.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", SignatureName, err)
	}
	sig, err := io.ReadAll(io.LimitReader(rc, maxSignatureSize+1))
	rc.Close()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", SignatureName, err)
	}
	if len(sig) > maxSignatureSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", SignatureName, maxSignatureSize)
	}
	r := minisign.NewReader(bytes.NewReader(manifestJSON))
	io.Copy(io.Discard, r)
	comment, err := pub.check(r, sig, ManifestName)
	if err != nil {
		return nil, err
	}
	if comment != manifestComment(m.Period, m.Party) {
		return nil, fmt.Errorf("%s: signed for %q, but the manifest is party %s, period %s", ManifestName, clipText(comment), m.Party, m.Period)
	}
	if claim.Party != m.Party || claim.Period != m.Period {
		return nil, fmt.Errorf("the signature is for party %s, period %s, but the manifest is party %s, period %s", claim.Party, claim.Period, m.Party, m.Period)
	}
	return sig, nil
}

// checkLimits refuses a bundle that would extract more than lim allows,
// judged from the signed manifest before anything is written.
func checkLimits(m Manifest, entries map[string]*zip.File, zipSize int64, lim Limits) error {
	if len(m.Files) > lim.MaxFiles {
		return fmt.Errorf("refused: %d files, more than the limit of %d", len(m.Files), lim.MaxFiles)
	}
	var total int64
	for _, fe := range m.Files {
		total += fe.Size
		if total > lim.MaxBytes || total < 0 {
			return fmt.Errorf("refused: the files add up to more than the limit of %d bytes", lim.MaxBytes)
		}
		f := entries[fe.Path]
		if fe.Size > ratioFloor && float64(fe.Size) > lim.MaxRatio*float64(max(f.CompressedSize64, 1)) {
			return fmt.Errorf("%s: refused: expands %d bytes to %d (more than %.0f times): a zip bomb?", fe.Path, f.CompressedSize64, fe.Size, lim.MaxRatio)
		}
	}
	if total > ratioFloor && float64(total) > lim.MaxRatio*float64(max(zipSize, 1)) {
		return fmt.Errorf("refused: the zip expands %d bytes to %d (more than %.0f times): a zip bomb?", zipSize, total, lim.MaxRatio)
	}
	return nil
}

// checkEmptyDir fails unless dir is missing or an empty folder, and
// reports whether it exists.
func checkEmptyDir(dir string) (bool, error) {
	info, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !info.IsDir() {
		return false, fmt.Errorf("%s: exists and is not a folder", dir)
	}
	names, err := os.ReadDir(dir)
	if err != nil {
		return false, err
	}
	if len(names) > 0 {
		return false, fmt.Errorf("%s: folder is not empty: open into a new or empty folder", dir)
	}
	return true, nil
}

// readIdentities reads an age identity file.
func readIdentities(path string) ([]age.Identity, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading identity: %w", err)
	}
	defer f.Close()
	ids, err := age.ParseIdentities(f)
	if err != nil {
		// age's messages never echo key material.
		return nil, fmt.Errorf("identity file %s: %w", path, err)
	}
	return ids, nil
}

// decryptTo decrypts the age file at bundle into the new file dst and
// returns the plaintext size. A truncated or altered bundle fails here,
// before any of it is used, and so does a zip whose sha256 is not wantSHA.
func decryptTo(ctx context.Context, dst, bundle, idPath string, ids []age.Identity, wantSHA string) (int64, error) {
	src, err := os.Open(bundle)
	if err != nil {
		return 0, err
	}
	defer src.Close()
	r, err := age.Decrypt(src, ids...)
	if err != nil {
		if _, ok := errors.AsType[*age.NoIdentityMatchError](err); ok {
			return 0, fmt.Errorf("no identity in %s matches this bundle", idPath)
		}
		return 0, fmt.Errorf("not a readable age file: %w", err)
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), ctxReader{ctx, r})
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, ErrInterrupted) {
		return 0, err
	}
	if err != nil {
		return 0, fmt.Errorf("damaged or truncated: decrypting failed after %d bytes: %w", n, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != wantSHA {
		return 0, fmt.Errorf("the zip inside is not the one the DCC signed (sha256 %s…, signed %s…)", got[:12], wantSHA[:12])
	}
	return n, nil
}

// checkZip checks the entries of zr against each other and against the
// manifest.json among them, and returns the manifest, its bytes and the
// entries by name. It reads no file contents except the manifest's.
func checkZip(zr *zip.Reader, lim Limits) (Manifest, []byte, map[string]*zip.File, error) {
	if len(zr.File) > lim.MaxFiles+2 {
		return Manifest{}, nil, nil, fmt.Errorf("refused: %d zip entries, more than the limit of %d", len(zr.File), lim.MaxFiles)
	}
	entries := make(map[string]*zip.File, len(zr.File))
	folded := make(map[string]string, len(zr.File))
	for _, f := range zr.File {
		if err := checkName(f.Name); err != nil {
			return Manifest{}, nil, nil, fmt.Errorf("zip entry refused: %w", err)
		}
		if !f.Mode().IsRegular() {
			return Manifest{}, nil, nil, fmt.Errorf("%s: zip entry refused: not a regular file (%s)", f.Name, f.Mode().Type())
		}
		if _, dup := entries[f.Name]; dup {
			return Manifest{}, nil, nil, fmt.Errorf("%s: zip entry refused: duplicate name", f.Name)
		}
		// Names equal but for case would overwrite each other on
		// case-insensitive file systems.
		low := strings.ToLower(f.Name)
		if other, dup := folded[low]; dup {
			return Manifest{}, nil, nil, fmt.Errorf("%s: zip entry refused: same name as %s but for case", f.Name, other)
		}
		entries[f.Name] = f
		folded[low] = f.Name
	}
	// A name that is both a file and a folder of other entries (a and a/b).
	for name := range entries {
		for dir := name; ; {
			i := strings.LastIndexByte(dir, '/')
			if i < 0 {
				break
			}
			dir = dir[:i]
			if _, ok := entries[dir]; ok {
				return Manifest{}, nil, nil, fmt.Errorf("%s: zip entry refused: %s is also a file", name, dir)
			}
		}
	}

	mf, ok := entries[ManifestName]
	if !ok {
		return Manifest{}, nil, nil, fmt.Errorf("no %s inside", ManifestName)
	}
	if _, ok := entries[SignatureName]; !ok {
		return Manifest{}, nil, nil, fmt.Errorf("no %s inside: refusing an unsigned manifest", SignatureName)
	}
	if zr.File[0].Name != ManifestName || zr.File[1].Name != SignatureName {
		return Manifest{}, nil, nil, fmt.Errorf("%s and %s must be the first entries", ManifestName, SignatureName)
	}
	if mf.UncompressedSize64 > maxManifestSize {
		return Manifest{}, nil, nil, fmt.Errorf("%s: larger than %d bytes", ManifestName, maxManifestSize)
	}
	rc, err := mf.Open()
	if err != nil {
		return Manifest{}, nil, nil, fmt.Errorf("%s: %w", ManifestName, err)
	}
	b, err := io.ReadAll(io.LimitReader(rc, maxManifestSize+1))
	rc.Close()
	if err != nil {
		return Manifest{}, nil, nil, fmt.Errorf("%s: %w", ManifestName, err)
	}
	m, err := decodeManifest(b)
	if err != nil {
		return Manifest{}, nil, nil, err
	}

	listed := make(map[string]bool, len(m.Files))
	for _, fe := range m.Files {
		listed[fe.Path] = true
		f, ok := entries[fe.Path]
		if !ok {
			return Manifest{}, nil, nil, fmt.Errorf("%s: listed in %s but missing from the zip", fe.Path, ManifestName)
		}
		if f.UncompressedSize64 != uint64(fe.Size) {
			return Manifest{}, nil, nil, fmt.Errorf("%s: size mismatch: zip says %d bytes, %s says %d", fe.Path, f.UncompressedSize64, ManifestName, fe.Size)
		}
	}
	for _, f := range zr.File {
		if f.Name != ManifestName && f.Name != SignatureName && !listed[f.Name] {
			return Manifest{}, nil, nil, fmt.Errorf("%s: in the zip but not listed in %s", f.Name, ManifestName)
		}
	}
	return m, b, entries, nil
}

// extract writes zip entry f to the new file dst (mode 0600, parents
// 0700), checking its size and SHA-256 against fe; it never writes more
// than fe.Size+1 bytes.
func extract(ctx context.Context, f *zip.File, dst string, fe FileEntry) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), ctxReader{ctx, io.LimitReader(rc, fe.Size+1)})
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if n != fe.Size {
		return fmt.Errorf("size mismatch: %d bytes, %s says %d", n, ManifestName, fe.Size)
	}
	if hex.EncodeToString(h.Sum(nil)) != fe.SHA256 {
		return errors.New("sha256 mismatch")
	}
	return nil
}
