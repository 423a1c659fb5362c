// Package atomicfile writes files so that a reader, or the run after a
// crash, finds the previous file or the whole new one, never a part.
package atomicfile

// The data goes to a temporary file in the same folder (".NAME.tmp-*", so
// a rename never crosses file systems), is synced and closed, and only
// then renamed over NAME; the folder is synced so that the rename
// survives a power cut where the platform allows. Every error, the one
// from Close above all, fails the write and removes the temporary file. A
// process killed mid-write leaves a temporary file behind, which IsTemp
// recognises for whoever sweeps the folder.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// File is a file being written: it appears under its name only when
// Commit succeeds. Write to it through its *os.File.
type File struct {
	*os.File
	path string
	done bool
}

// Create starts writing path with mode perm, creating its folder (0755)
// when missing.
func Create(path string, perm os.FileMode) (*File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return &File{File: f, path: path}, nil
}

// Commit syncs and closes the file, runs before (when not nil: say, to
// put a signature in place first) and renames the file to its path. On
// any error the temporary file is removed and the path is untouched.
func (f *File) Commit(before func() error) (err error) {
	if f.done {
		return errors.New("atomicfile: " + f.path + " committed or aborted already")
	}
	defer func() {
		if err != nil {
			f.Abort()
		}
	}()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", f.Name(), err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", f.Name(), err)
	}
	if before != nil {
		if err := before(); err != nil {
			return err
		}
	}
	if err := os.Rename(f.Name(), f.path); err != nil {
		return err
	}
	f.done = true
	SyncDir(filepath.Dir(f.path))
	return nil
}

// Abort closes and removes the temporary file; after Commit it does
// nothing. It is safe to defer.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.Close()
	os.Remove(f.Name())
}

// WriteFile writes data to path with mode perm, atomically.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	f, err := Create(path, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Abort()
		return err
	}
	return f.Commit(nil)
}

// WriteNew is WriteFile for a path that must not exist yet: it fails with
// an error matching fs.ErrExist, and writes nothing, when it does. (The
// new file is linked into place, which fails on an existing name, where a
// rename would replace it.)
func WriteNew(path string, data []byte, perm os.FileMode) error {
	f, err := Create(path, perm)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Link(f.Name(), path); err != nil {
		return err
	}
	SyncDir(filepath.Dir(path))
	return nil
}

// IsTemp reports whether a file name is one of this package's temporary
// files, left by a writer that was killed.
func IsTemp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp-")
}

// SyncDir makes renames in dir durable where the platform allows it. It is
// best effort: some systems cannot sync a folder, and the rename has
// already happened.
func SyncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
