package bundle

// Sealing writes to a temporary file beside the output and renames it only
// after the age writer, the file and an fsync have all succeeded, so a failed
// or interrupted run leaves the previous bundle in place and no partial one.
// The outer signature is written the same way, beside the bundle.

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"

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
func Seal(o SealOptions) (Sealed, error) {
	m, err := o.Manifest.normalise()
	if err != nil {
		return Sealed{}, err
	}
	modified, _ := periodStart(m.Period) // checked by normalise
	if o.OutPath == "" {
		return Sealed{}, fmt.Errorf("no output path")
	}
	if o.Signer == nil {
		return Sealed{}, fmt.Errorf("no signing key: every bundle is signed by the DCC")
	}
	ctx := o.Context
	if ctx == nil {
		ctx = context.Background()
	}
	if o.Recipients == nil || o.Recipients.Len() == 0 {
		return Sealed{}, fmt.Errorf("no recipients")
	}
	recips := o.Recipients.list
	files, err := scanSite(o.SiteDir)
	if err != nil {
		return Sealed{}, err
	}
	if !hasFile(files, "index.html") {
		return Sealed{}, fmt.Errorf("site %s has no index.html", o.SiteDir)
	}
	m.Files = files
	manifestJSON, err := m.encode()
	if err != nil {
		return Sealed{}, err
	}
	manifestSig := o.Signer.signManifest(manifestJSON, m.Period, m.Party)
	msum := sha256.Sum256(manifestJSON)
	out := Sealed{Manifest: m, ManifestSHA256: hexSum(msum[:]), Recipients: len(recips)}
	var sigText []byte
	if err := writeSealed(o.OutPath, func(f *os.File) error {
		aw, err := age.Encrypt(f, recips...)
		if err != nil {
			return fmt.Errorf("encrypting: %w", err)
		}
		zh := sha256.New()
		zc := &countWriter{w: io.MultiWriter(aw, zh)}
		if err := writeZip(ctx, zc, o.SiteDir, modified, manifestJSON, manifestSig, files); err != nil {
			aw.Close()
			return err
		}
		// Close writes the last, authenticated chunk: without it the
		// bundle is truncated.
		if err := aw.Close(); err != nil {
			return fmt.Errorf("encrypting: finishing: %w", err)
		}
		out.ZipSize, out.ZipSHA256 = zc.n, hexSum(zh.Sum(nil))
		// The outer signature covers the ciphertext as it is on disk.
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		ch := sha256.New()
		r := minisign.NewReader(io.TeeReader(f, ch))
		n, err := io.Copy(io.Discard, r)
		if err != nil {
			return fmt.Errorf("reading back: %w", err)
		}
		out.Size, out.SHA256 = n, hexSum(ch.Sum(nil))
		sigText = o.Signer.signBundle(r, bundleClaim{Period: m.Period, Party: m.Party, ZipSHA256: out.ZipSHA256})
		return nil
	}, func() error {
		return writeSealed(o.OutPath+SignatureSuffix, func(f *os.File) error {
			_, err := f.Write(sigText)
			return err
		}, nil)
	}); err != nil {
		return Sealed{}, err
	}
	return out, nil
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
