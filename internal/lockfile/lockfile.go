// Package lockfile takes exclusive advisory locks (flock) on files. The
// kernel drops such a lock when the process holding it dies, however it
// dies, so a lock that can be taken proves that its last owner is gone:
// the one test of liveness that neither a pid (reused) nor an age (a slow
// run) can give.
package lockfile

import (
	"errors"
	"fmt"
	"os"
	"strconv"
)

// ErrBusy is returned by TryLock when another open file holds the lock,
// in this process or another.
var ErrBusy = errors.New("locked by a running process")

// Lock is a held lock on one file.
type Lock struct {
	f    *os.File
	path string
}

// TryLock opens path (creating it with mode 0600 when create is true) and
// takes an exclusive lock on it without waiting. It returns ErrBusy
// (wrapped) when the lock is held elsewhere, and an error satisfying
// errors.Is(err, fs.ErrNotExist) when the file is missing and create is
// false.
func TryLock(path string, create bool) (*Lock, error) {
	flag := os.O_RDWR
	if create {
		flag |= os.O_CREATE
	}
	f, err := os.OpenFile(path, flag, 0o600)
	if err != nil {
		return nil, err
	}
	if err := tryLock(f); err != nil {
		f.Close()
		if errors.Is(err, ErrBusy) {
			return nil, fmt.Errorf("%s: %w", path, ErrBusy)
		}
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	return &Lock{f: f, path: path}, nil
}

// Path is the locked file's path.
func (l *Lock) Path() string { return l.path }

// WriteOwner records this process's id in the lock file, for messages
// only: the lock, not the pid, is what proves the owner alive.
func (l *Lock) WriteOwner() error {
	if err := l.f.Truncate(0); err != nil {
		return err
	}
	_, err := l.f.WriteAt([]byte("pid "+strconv.Itoa(os.Getpid())+"\n"), 0)
	return err
}

// Owner returns what WriteOwner recorded in the lock file at path, or "".
func Owner(path string) string {
	b, err := os.ReadFile(path)
	if err != nil || len(b) > 64 {
		return ""
	}
	s := string(b)
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	return s
}

// File is the open, locked file. A child process given it (exec.Cmd's
// ExtraFiles) shares the lock: it is then held until every process has
// closed the file or exited, or until Unlock.
func (l *Lock) File() *os.File { return l.f }

// Unlock releases the lock and closes the file. The file itself stays.
func (l *Lock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := unlock(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}
