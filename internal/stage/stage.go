// Package stage makes the private folders where plaintext lives while a
// run works (device-level estate files, spilled rows, rendered sites,
// decrypted bundles), and finds the ones that crashed runs left behind.
//
// A stage folder is born locked: it is made under a temporary name,
// holds a lock file (see package lockfile) that its process keeps locked
// for its whole life, and only then gets its real name. A folder with a
// real name whose lock can be taken therefore belongs to a process that
// is gone, whatever killed it (SIGKILL, the OOM killer, a power cut), and
// may be removed. A folder without a lock file, or whose lock is held, is
// never touched: runs of other users, other checkouts and older carport
// versions share /tmp and /dev/shm.
package stage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/dcc/carport/internal/lockfile"
)

// LockName is the lock file inside every stage folder.
const LockName = ".carport-lock"

// newPrefix names folders not yet locked and named: Sweep never looks at
// them.
const newPrefix = ".carport-new-"

// Dir is a private (0700) stage folder held by this process.
type Dir struct {
	// Path is the folder.
	Path string
	lock *lockfile.Lock
}

// New makes a stage folder root/<prefix><random> with mode 0700 and holds
// its lock until Remove. root must exist.
func New(root, prefix string) (*Dir, error) {
	tmp, err := os.MkdirTemp(root, newPrefix)
	if err != nil {
		return nil, fmt.Errorf("creating a stage folder: %w", err)
	}
	l, err := lockfile.TryLock(filepath.Join(tmp, LockName), true)
	if err != nil {
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("creating a stage folder: %w", err)
	}
	l.WriteOwner() // informative only
	final := filepath.Join(root, prefix+strings.TrimPrefix(filepath.Base(tmp), newPrefix))
	if err := os.Rename(tmp, final); err != nil {
		l.Unlock()
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("creating a stage folder: %w", err)
	}
	return &Dir{Path: final, lock: l}, nil
}

// LockFile is the folder's open lock file, for handing to a child process
// that writes into the folder (a build's workers): the folder then counts
// as alive, and is never swept, while the child lives, even if this
// process died first.
func (d *Dir) LockFile() *os.File { return d.lock.File() }

// Remove deletes the folder and everything in it, then releases the lock.
// It is safe to call more than once.
func (d *Dir) Remove() error {
	if d == nil || d.lock == nil {
		return nil
	}
	err := os.RemoveAll(d.Path)
	if uerr := d.lock.Unlock(); err == nil {
		err = uerr
	}
	d.lock = nil
	return err
}

// Wipe deletes what is in the folder but keeps the folder and its lock,
// so the run still owns it (used on an interrupt, while the run unwinds).
func (d *Dir) Wipe() error {
	if d == nil || d.lock == nil {
		return nil
	}
	ents, err := os.ReadDir(d.Path)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if e.Name() == LockName {
			continue
		}
		if rerr := os.RemoveAll(filepath.Join(d.Path, e.Name())); err == nil {
			err = rerr
		}
	}
	return err
}

// Sweep removes from root every folder whose name starts with one of
// prefixes and whose owner is provably gone: it holds a lock file and
// that lock can be taken. It returns the folders it removed. Folders that
// are live, that have no lock file (made by an older carport, or by
// another program), or that are not folders are left alone. A missing
// root is not an error.
func Sweep(root string, prefixes ...string) ([]string, error) {
	ents, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var removed []string
	var errs []error
	for _, e := range ents {
		name := e.Name()
		if !hasAnyPrefix(name, prefixes) || strings.HasPrefix(name, newPrefix) {
			continue
		}
		if e.Type()&fs.ModeType != fs.ModeDir { // symlinks and files are never followed
			continue
		}
		dir := filepath.Join(root, name)
		l, err := lockfile.TryLock(filepath.Join(dir, LockName), false)
		if err != nil {
			// no lock file: cannot prove anything; busy: alive
			continue
		}
		rerr := os.RemoveAll(dir)
		l.Unlock()
		if rerr != nil {
			errs = append(errs, fmt.Errorf("removing stale %s: %w", dir, rerr))
			continue
		}
		removed = append(removed, dir)
	}
	return removed, errors.Join(errs...)
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
