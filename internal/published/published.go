// Package published reads what builds have published under OUT — the
// periods, each party's sealed bundle and its signature — through an
// os.Root, and keeps the bundles' sha256 sums so they are computed once.
package published

// Data is never a path: a period or party reaches a file name only after it
// matched its documented pattern, and every open goes through one os.Root,
// so "..", absolute names and symlinks that leave OUT fail in the kernel
// walk, not in string checks here. Symlinks that stay inside OUT are
// followed: OUT/<period> may point at a versioned folder such as
// OUT/.periods/<period>-<id>/ that a build switched in atomically. Names
// starting with "." are never periods, and the DCC-only files
// (OUT/<period>.run.json, .run.html, OUT/<period>/manifest.json) have no
// method here that hands them to a party.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/dcc/carport/internal/contract"
)

// ValidPeriod reports whether s is a period folder name (YYYY-MM).
func ValidPeriod(s string) bool {
	_, err := contract.ParsePeriod(s)
	return err == nil
}

// SumStore keeps sha256 sums across restarts, keyed by a file's identity
// (device, inode, size and modification time).
type SumStore interface {
	LoadSum(ctx context.Context, key string) (sum string, ok bool, err error)
	StoreSum(ctx context.Context, key, sum string) error
}

// Out is a published OUT folder opened for reading.
type Out struct {
	dir   string
	root  *os.Root
	store SumStore // may be nil

	mu       sync.Mutex
	sums     map[string]string   // by file key
	inflight map[string]*sumCall // by file key
}

type sumCall struct {
	done chan struct{}
	sum  string
	err  error
}

// Open opens dir as a published OUT folder. store may be nil.
func Open(dir string, store SumStore) (*Out, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &Out{dir: dir, root: root, store: store, sums: map[string]string{}, inflight: map[string]*sumCall{}}, nil
}

// Dir is the folder Out was opened on.
func (o *Out) Dir() string { return o.dir }

// Close releases the root.
func (o *Out) Close() error { return o.root.Close() }

// Bundle is one party's sealed bundle of one period.
type Bundle struct {
	Period, Party string
	Size          int64
	ModTime       time.Time
	// Signature is the size of the minisign signature beside the bundle,
	// or -1 when there is none.
	Signature int64
	key       string
}

// Name is the bundle's path inside OUT.
func (b Bundle) Name() string { return contract.BundlePath(b.Period, b.Party) }

// Key identifies this version of the bundle's file (its name, device,
// inode, size and modification time): a rebuilt bundle has another key.
func (b Bundle) Key() string { return b.key }

// Identity names one version of an opened file (device, inode, size and
// modification time where the system has them).
func Identity(fi fs.FileInfo) string { return fileKey(fi) }

// ErrNotFound is returned for a bundle, signature or period that is not
// published, whatever the reason (bad name, missing, not a regular file,
// outside OUT).
var ErrNotFound = errors.New("not published")

// Periods lists the period folders of OUT, newest first. An entry counts
// when its name is a period and it is a folder or a symlink to a folder
// inside OUT.
func (o *Out) Periods() ([]string, error) {
	f, err := o.root.Open(".")
	if err != nil {
		return nil, err
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return nil, err
	}
	var ps []string
	for _, n := range names {
		if !ValidPeriod(n) {
			continue
		}
		if fi, err := o.root.Stat(n); err == nil && fi.IsDir() {
			ps = append(ps, n)
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(ps)))
	return ps, nil
}

// Bundles lists every party's bundle of period, sorted by party. Files that
// are not "<party>.zip.age" with a valid party id are ignored.
func (o *Out) Bundles(period string) ([]Bundle, error) {
	if !ValidPeriod(period) {
		return nil, ErrNotFound
	}
	f, err := o.root.Open(period)
	if err != nil {
		return nil, ErrNotFound
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return nil, err
	}
	var bs []Bundle
	for _, n := range names {
		party, ok := strings.CutSuffix(n, contract.BundleExt)
		if !ok || !contract.ValidPartyID(party) {
			continue
		}
		if b, err := o.Bundle(period, party); err == nil {
			bs = append(bs, b)
		}
	}
	sort.Slice(bs, func(i, j int) bool { return bs[i].Party < bs[j].Party })
	return bs, nil
}

// Bundle describes party's bundle of period, or returns ErrNotFound.
func (o *Out) Bundle(period, party string) (Bundle, error) {
	f, fi, err := o.OpenBundle(period, party, false)
	if err != nil {
		return Bundle{}, err
	}
	f.Close()
	b := Bundle{Period: period, Party: party, Size: fi.Size(), ModTime: fi.ModTime(), Signature: -1}
	b.key = b.Name() + "@" + fileKey(fi)
	if s, sfi, err := o.OpenBundle(period, party, true); err == nil {
		s.Close()
		b.Signature = sfi.Size()
	}
	return b, nil
}

// OpenBundle opens party's bundle of period (its minisign signature when
// sig is set) for reading, or returns ErrNotFound. Only a regular file is
// ever returned; the caller closes it.
func (o *Out) OpenBundle(period, party string, sig bool) (*os.File, fs.FileInfo, error) {
	if !ValidPeriod(period) || !contract.ValidPartyID(party) {
		return nil, nil, ErrNotFound
	}
	name := contract.BundlePath(period, party)
	if sig {
		name = contract.SignaturePath(period, party)
	}
	return o.openRegular(name)
}

// OpenRunReport opens the DCC-only run report of period (ext ".run.json"
// or ".run.html"), for DCC administrators only.
func (o *Out) OpenRunReport(period, ext string) (*os.File, fs.FileInfo, error) {
	if !ValidPeriod(period) || (ext != ".run.json" && ext != ".run.html") {
		return nil, nil, ErrNotFound
	}
	return o.openRegular(period + ext)
}

// openRegular opens name inside the root without blocking on a FIFO or
// device and returns it only when it is a regular file.
func (o *Out) openRegular(name string) (*os.File, fs.FileInfo, error) {
	f, err := o.root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, ErrNotFound
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil, ErrNotFound
	}
	return f, fi, nil
}

// CachedSum returns the sha256 of b when it is already known, without
// reading the file.
func (o *Out) CachedSum(ctx context.Context, b Bundle) (string, bool) {
	o.mu.Lock()
	s, ok := o.sums[b.key]
	o.mu.Unlock()
	if ok || o.store == nil {
		return s, ok
	}
	s, ok, err := o.store.LoadSum(ctx, b.key)
	if err != nil || !ok {
		return "", false
	}
	o.mu.Lock()
	o.sums[b.key] = s
	o.mu.Unlock()
	return s, true
}

// Sum returns the sha256 (hex) of b's file, reading it only the first time
// this version of the file is asked for; concurrent callers share one
// read.
func (o *Out) Sum(ctx context.Context, b Bundle) (string, error) {
	if s, ok := o.CachedSum(ctx, b); ok {
		return s, nil
	}
	o.mu.Lock()
	c, busy := o.inflight[b.key]
	if !busy {
		c = &sumCall{done: make(chan struct{})}
		o.inflight[b.key] = c
	}
	o.mu.Unlock()
	if busy {
		select {
		case <-c.done:
			return c.sum, c.err
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	// the computation is shared, so it does not stop with one caller's
	// context
	c.sum, c.err = o.hash(b)
	o.mu.Lock()
	delete(o.inflight, b.key)
	if c.err == nil {
		o.sums[b.key] = c.sum
	}
	o.mu.Unlock()
	close(c.done)
	if c.err == nil && o.store != nil {
		if err := o.store.StoreSum(context.WithoutCancel(ctx), b.key, c.sum); err != nil {
			return c.sum, nil // the sum is right; only its persistence failed
		}
	}
	return c.sum, c.err
}

func (o *Out) hash(b Bundle) (string, error) {
	f, fi, err := o.OpenBundle(b.Period, b.Party, false)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if b.Name()+"@"+fileKey(fi) != b.key {
		return "", fmt.Errorf("%s changed while being read", b.Name())
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %w", b.Name(), err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
