package bundle

// age authenticates a file chunk by chunk and notices truncation only at the
// very end, so Open decrypts the whole bundle to a private temporary file
// before trusting any of it, and extracts into a staging folder that is
// renamed into place only once every file has matched the manifest. A bad
// bundle therefore leaves nothing extracted.

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"
)

// OpenOptions says which bundle to open, with which key, and where to.
type OpenOptions struct {
	// Bundle is the path of the .zip.age file.
	Bundle string
	// Identity is the path of an age identity file (one secret key a
	// line; '#' comments and blank lines allowed).
	Identity string
	// To is the folder to extract into; it must not exist or be empty. It is
	// created with mode 0700.
	To string
}

// Open decrypts the bundle o.Bundle with the identities in o.Identity,
// checks that its zip holds exactly manifest.json and the files that
// manifest lists, each with the listed size and SHA-256, refusing unsafe or
// duplicate entry names, and extracts everything, manifest.json included,
// into o.To (files 0600, folders 0700), as unzip would. It returns the manifest. Errors name the bundle and the file at
// fault; on any error o.To is left as it was.
func Open(o OpenOptions) (Manifest, error) {
	m, err := open(o)
	if err != nil {
		return Manifest{}, fmt.Errorf("%s: %w", o.Bundle, err)
	}
	return m, nil
}

func open(o OpenOptions) (Manifest, error) {
	if o.To == "" {
		return Manifest{}, errors.New("no folder to extract into")
	}
	toExisted, err := checkEmptyDir(o.To)
	if err != nil {
		return Manifest{}, err
	}
	ids, err := readIdentities(o.Identity)
	if err != nil {
		return Manifest{}, err
	}
	parent := filepath.Dir(o.To)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return Manifest{}, err
	}

	// The decrypted zip sits beside the destination, readable only by us.
	tmp, err := os.CreateTemp(parent, "."+filepath.Base(o.To)+".zip-*")
	if err != nil {
		return Manifest{}, err
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	size, err := decryptTo(tmp, o.Bundle, o.Identity, ids)
	if err != nil {
		return Manifest{}, err
	}
	zr, err := zip.NewReader(tmp, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return Manifest{}, fmt.Errorf("not a valid zip inside: %w", err)
	}
	m, manifestJSON, entries, err := checkZip(zr)
	if err != nil {
		return Manifest{}, err
	}

	stage, err := os.MkdirTemp(parent, "."+filepath.Base(o.To)+".open-*")
	if err != nil {
		return Manifest{}, err
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(stage)
		}
	}()
	if err := os.WriteFile(filepath.Join(stage, ManifestName), manifestJSON, 0o600); err != nil {
		return Manifest{}, err
	}
	for _, fe := range m.Files {
		if err := extract(entries[fe.Path], filepath.Join(stage, filepath.FromSlash(fe.Path)), fe); err != nil {
			return Manifest{}, fmt.Errorf("%s: %w", fe.Path, err)
		}
	}
	if toExisted {
		// Empty, as checked; rename cannot replace a folder everywhere.
		if err := os.Remove(o.To); err != nil {
			return Manifest{}, err
		}
	}
	if err := os.Rename(stage, o.To); err != nil {
		if toExisted {
			os.Mkdir(o.To, 0o700) // put back the empty folder we removed
		}
		return Manifest{}, err
	}
	done = true
	return m, nil
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

// decryptTo decrypts the age file at bundle into dst, which it leaves
// synced to disk, and returns the plaintext size. A truncated or altered
// bundle fails here, before any of it is used.
func decryptTo(dst *os.File, bundle, idPath string, ids []age.Identity) (int64, error) {
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
	n, err := io.Copy(dst, r)
	if err != nil {
		return 0, fmt.Errorf("damaged or truncated: decrypting failed after %d bytes: %w", n, err)
	}
	return n, nil
}

// checkZip checks the entries of zr against each other and against the
// manifest.json among them, and returns the manifest, its bytes and the
// entries by name. It reads no file contents except the manifest's.
func checkZip(zr *zip.Reader) (Manifest, []byte, map[string]*zip.File, error) {
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
		if f.Name != ManifestName && !listed[f.Name] {
			return Manifest{}, nil, nil, fmt.Errorf("%s: in the zip but not listed in %s", f.Name, ManifestName)
		}
	}
	return m, b, entries, nil
}

// extract writes zip entry f to the new file dst (mode 0600, parents
// 0700), checking its size and SHA-256 against fe.
func extract(f *zip.File, dst string, fe FileEntry) error {
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
	n, err := io.Copy(io.MultiWriter(out, h), io.LimitReader(rc, fe.Size+1))
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
