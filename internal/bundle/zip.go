package bundle

// The zip inside a bundle is deterministic: the same site files and manifest
// give the same bytes, whatever the files' timestamps, permissions or the
// order the file system lists them in (for one Go release: compress/flate
// output may change between releases). Entries are manifest.json first, so a
// streaming reader meets it before anything else, then its signature
// manifest.json.minisig (deterministic: see sign.go), then every site file
// sorted by path. There are no directory entries. Every entry is Deflate
// compressed (but for files already gzipped, *.gz, which are stored: a
// second deflate of them cost time and saved nothing) with mode 0644 and the modification time of the first instant
// of the period in UTC.
//
// Deflate is github.com/klauspost/compress/flate at level 1, chosen by
// measurement on the small month's largest site (2,041 files, 20.0 MB: HTML,
// page scripts, CSV, echarts.min.js), one core: the standard library's
// BestSpeed took 109 ms for 23.4% of the size; klauspost level 1 50 ms for
// 23.2%, level 2 55 ms for 22.6%, level 5 81 ms for 21.1%, Huffman only
// 30 ms for 66.5%. Most of a site is files of 1 to 30 kB, where the standard
// library spends its time building a Huffman table per file; compression is
// most of the cost of sealing. The output is deterministic for one version
// of the package (pinned in go.mod): bumping it may change the zip bytes,
// never what they decompress to.

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/klauspost/compress/flate"
)

// entryMode is the Unix mode recorded for every file in the zip.
const entryMode fs.FileMode = 0o644

// checkName reports whether name is a safe slash-separated relative path for
// a zip entry: no leading '/', no '.' or '..' elements, no empty elements,
// and no backslash or colon (which Windows would read as a separator or a
// drive).
func checkName(name string) error {
	if !fs.ValidPath(name) || name == "." {
		return fmt.Errorf("unsafe path %q", name)
	}
	if strings.ContainsAny(name, `\:`) {
		return fmt.Errorf("unsafe path %q: backslash or colon", name)
	}
	return nil
}

// scanSite walks dir and returns an entry, with size and SHA-256, for every
// regular file in it, sorted by path. Symlinks and other non-regular files
// are errors, as is a file named manifest.json at the top.
func scanSite(dir string) ([]FileEntry, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("site: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("site %s: not a directory", dir)
	}
	// Resolve the root only, so a staging folder reached through a symlinked
	// parent (say /tmp on macOS) still works; links inside are refused.
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, fmt.Errorf("site: %w", err)
	}
	var files []FileEntry
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		shown := filepath.Join(dir, strings.TrimPrefix(p, root))
		if p == root {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%s: is a symlink: a bundle holds only regular files", shown)
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: is not a regular file (%s)", shown, d.Type())
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		if err := checkName(name); err != nil {
			return fmt.Errorf("%s: %w", shown, err)
		}
		if name == ManifestName || name == SignatureName {
			return fmt.Errorf("%s: the site must not have its own %s: the bundle writes it", shown, name)
		}
		size, sum, err := hashFile(p)
		if err != nil {
			return err
		}
		files = append(files, FileEntry{Path: name, Size: size, SHA256: sum})
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(files, func(a, b FileEntry) int { return strings.Compare(a.Path, b.Path) })
	return files, nil
}

// openRegular opens p for reading and fails unless it is a regular file,
// checking the opened file rather than the name so a file swapped for a
// link after the walk is caught.
func openRegular(p string) (*os.File, fs.FileInfo, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, nil, fmt.Errorf("%s: is not a regular file", p)
	}
	return f, info, nil
}

// hashFile returns the length and hex SHA-256 of the regular file at p.
func hashFile(p string) (int64, string, error) {
	f, _, err := openRegular(p)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", fmt.Errorf("reading %s: %w", p, err)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// writeZip writes the deterministic zip of a bundle to w: manifestJSON as
// manifest.json, manifestSig as manifest.json.minisig, then each of files
// in the given (sorted) order, all stamped with modified: from data when it
// holds the file's bytes, else read from siteDir. Each file is hashed again
// as it is copied, and a file whose size or SHA-256 no longer matches its
// entry (it changed since it was first hashed) is an error. It stops
// between files once ctx is done.
func writeZip(ctx context.Context, w io.Writer, siteDir string, modified time.Time, manifestJSON, manifestSig []byte, files []FileEntry, data map[string][]byte) error {
	zw := zip.NewWriter(w)
	var c compressor
	zw.RegisterCompressor(zip.Deflate, c.next)
	hdr := func(name string) *zip.FileHeader {
		method := zip.Deflate
		if strings.HasSuffix(name, ".gz") {
			method = zip.Store
		}
		h := &zip.FileHeader{Name: name, Method: method, Modified: modified}
		h.SetMode(entryMode)
		return h
	}
	mw, err := zw.CreateHeader(hdr(ManifestName))
	if err != nil {
		return fmt.Errorf("zip: %s: %w", ManifestName, err)
	}
	if _, err := mw.Write(manifestJSON); err != nil {
		return fmt.Errorf("zip: %s: %w", ManifestName, err)
	}
	sw, err := zw.CreateHeader(hdr(SignatureName))
	if err != nil {
		return fmt.Errorf("zip: %s: %w", SignatureName, err)
	}
	if _, err := sw.Write(manifestSig); err != nil {
		return fmt.Errorf("zip: %s: %w", SignatureName, err)
	}
	for _, fe := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := checkName(fe.Path); err != nil {
			return fmt.Errorf("zip: %w", err)
		}
		fw, err := zw.CreateHeader(hdr(fe.Path))
		if err != nil {
			return fmt.Errorf("zip: %s: %w", fe.Path, err)
		}
		p := filepath.Join(siteDir, filepath.FromSlash(fe.Path))
		if b, ok := data[fe.Path]; ok {
			if sum := sha256.Sum256(b); int64(len(b)) != fe.Size || hex.EncodeToString(sum[:]) != fe.SHA256 {
				return fmt.Errorf("%s: %w", p, errChanged)
			}
			if _, err := fw.Write(b); err != nil {
				return fmt.Errorf("zip: %s: %w", fe.Path, err)
			}
			continue
		}
		if err := copyChecked(fw, p, fe); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("zip: finishing: %w", err)
	}
	return nil
}

// deflateLevel is the compression level of every entry (see the top of
// this file for the measurement).
const deflateLevel = 1

// compressor hands archive/zip one flate.Writer, reset for each entry; a
// zip.Writer compresses one entry at a time, so the reuse is safe and saves
// allocating the compressor's large state per file.
type compressor struct{ fw *flate.Writer }

// next returns the compressor for the next entry, writing to w.
func (c *compressor) next(w io.Writer) (io.WriteCloser, error) {
	if c.fw == nil {
		fw, err := flate.NewWriter(w, deflateLevel)
		if err != nil {
			return nil, err
		}
		c.fw = fw
		return fw, nil
	}
	c.fw.Reset(w)
	return c.fw, nil
}

// errChanged reports a site file that changed while it was being sealed.
var errChanged = errors.New("changed while sealing: size or sha256 differs from the first pass")

// copyChecked copies the file at p to w and checks it against fe.
func copyChecked(w io.Writer, p string, fe FileEntry) error {
	f, _, err := openRegular(p)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), f)
	if err != nil {
		return fmt.Errorf("zip: %s: %w", fe.Path, err)
	}
	if n != fe.Size || hex.EncodeToString(h.Sum(nil)) != fe.SHA256 {
		return fmt.Errorf("%s: %w", p, errChanged)
	}
	return nil
}
