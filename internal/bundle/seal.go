package bundle

// Sealing writes to a temporary file beside the output and renames it only
// after the age writer, the file and an fsync have all succeeded, so a failed
// or interrupted run leaves the previous bundle in place and no partial one.

import (
	"fmt"
	"os"
	"path/filepath"

	"filippo.io/age"
)

// SealOptions says what to seal, to whom and where.
type SealOptions struct {
	// SiteDir is the rendered site (plaintext, in private staging).
	SiteDir string
	// Recipients is the path to the party's recipients file, keys/<party>.txt.
	Recipients string
	// OutPath is where the bundle goes: OUT/PERIOD/<party>.zip.age.
	OutPath string
	// Manifest describes the bundle. Seal fills in Files (any given are
	// replaced) and Format (when zero), and sorts Reports.
	Manifest Manifest
}

// Seal zips every file of o.SiteDir together with a manifest.json listing
// their sizes and SHA-256 sums, encrypts the zip with age (binary format) to
// every recipient in o.Recipients, and writes it atomically to o.OutPath,
// creating parent folders (0755). It returns the manifest it wrote.
//
// The zip is deterministic (see writeZip). The site must hold an index.html
// at its top and only regular files: symlinks, devices and the like are
// refused. On any error nothing is left at o.OutPath that was not there
// before, and no temporary file remains.
func Seal(o SealOptions) (Manifest, error) {
	m, err := o.Manifest.normalise()
	if err != nil {
		return Manifest{}, fmt.Errorf("sealing %s: %w", o.OutPath, err)
	}
	modified, _ := periodStart(m.Period) // checked by normalise
	if o.OutPath == "" {
		return Manifest{}, fmt.Errorf("sealing: no output path")
	}
	recips, err := ReadRecipients(o.Recipients)
	if err != nil {
		return Manifest{}, fmt.Errorf("sealing %s: %w", o.OutPath, err)
	}
	files, err := scanSite(o.SiteDir)
	if err != nil {
		return Manifest{}, fmt.Errorf("sealing %s: %w", o.OutPath, err)
	}
	if !hasFile(files, "index.html") {
		return Manifest{}, fmt.Errorf("sealing %s: site %s has no index.html", o.OutPath, o.SiteDir)
	}
	m.Files = files
	manifestJSON, err := m.encode()
	if err != nil {
		return Manifest{}, fmt.Errorf("sealing %s: %w", o.OutPath, err)
	}
	if err := writeSealed(o.OutPath, func(f *os.File) error {
		aw, err := age.Encrypt(f, recips...)
		if err != nil {
			return fmt.Errorf("encrypting: %w", err)
		}
		if err := writeZip(aw, o.SiteDir, modified, manifestJSON, files); err != nil {
			aw.Close()
			return err
		}
		// Close writes the last, authenticated chunk: without it the
		// bundle is truncated.
		if err := aw.Close(); err != nil {
			return fmt.Errorf("encrypting: finishing: %w", err)
		}
		return nil
	}); err != nil {
		return Manifest{}, fmt.Errorf("sealing %s: %w", o.OutPath, err)
	}
	return m, nil
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

// writeSealed creates a temporary file beside out, lets write fill it, then
// syncs, closes and renames it to out (mode 0644). On any error the
// temporary file is removed and out is untouched.
func writeSealed(out string, write func(*os.File) error) (err error) {
	dir := filepath.Dir(out)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(out)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := write(f); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, out); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename in dir durable where the platform allows it. It
// is best effort: some systems cannot sync a directory, and the rename has
// already happened.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	d.Sync()
	d.Close()
}
