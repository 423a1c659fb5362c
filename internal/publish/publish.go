// Package publish puts a period's sealed bundles in place all at once, so
// that the file host and the parties see either the whole previous period
// or the whole new one, never a mix, and so that only one build writes an
// output folder at a time.
//
// Layout of OUT:
//
//	OUT/.lock                       held (flock) by the build publishing into OUT
//	OUT/.periods/<period>-<id>/     one version of a period: bundles, signatures,
//	                                manifest.json, run.json and run.html (DCC-only)
//	OUT/<period>                    symlink to .periods/<period>-<id>
//	OUT/<period>.run.json           symlink to <period>/run.json (DCC-only)
//	OUT/<period>.run.html           symlink to <period>/run.html (DCC-only)
//
// A build fills a new version folder beside the published one and then
// switches OUT/<period> to it with one rename(2) of a new symlink over the
// old one: rename replaces a symlink atomically on every POSIX system, so a
// reader resolving OUT/<period>/X.zip.age gets the old file or the new one.
// The run report and the DCC manifest live inside the version, so they
// switch with it. renameat2(RENAME_EXCHANGE) is used only once, to swap a
// real folder left by an older carport for the first symlink (Linux; other
// systems move the old folder aside first, a short window without the
// period). Until the switch nothing that readers see has changed, so any
// failure or interrupt leaves the previous period byte-identical; after it,
// old versions are removed (the lock guarantees no other build uses them).
package publish

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/dcc/carport/internal/atomicfile"
	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/lockfile"
)

const (
	// PeriodsDir holds the versions of every period.
	PeriodsDir = ".periods"
	// LockName is the lock file of OUT.
	LockName = ".lock"
	// ManifestName is the DCC-only list of a period's bundles.
	ManifestName = "manifest.json"
	// RunReportName is the DCC-only run report inside a version.
	RunReportName = "run.json"
	// RunReportHTMLName is the same report as a page with charts.
	RunReportHTMLName = "run.html"
	linkPrefix        = ".link-"
)

// dccFiles are the DCC-only files a version may hold besides bundles and
// signatures; each but the manifest gets an OUT/<period>.<name> link.
var dccFiles = []string{ManifestName, RunReportName, RunReportHTMLName}

// periodRE is a period, YYYY-MM.
var periodRE = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])$`)

// BusyError says another process holds OUT's lock.
type BusyError struct {
	Dir   string
	Owner string // e.g. "pid 1234", or ""
}

func (e *BusyError) Error() string {
	who := "another carport run"
	if e.Owner != "" {
		who += " (" + e.Owner + ")"
	}
	return fmt.Sprintf("%s: %s is publishing into this folder: one build at a time", e.Dir, who)
}

// Out is an output folder locked by this process.
type Out struct {
	// Dir is the output folder.
	Dir  string
	lock *lockfile.Lock
}

// Lock creates dir if needed and takes its lock without waiting; when
// another process holds it the error is a *BusyError.
func Lock(dir string) (*Out, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	p := filepath.Join(dir, LockName)
	l, err := lockfile.TryLock(p, true)
	if errors.Is(err, lockfile.ErrBusy) {
		return nil, &BusyError{Dir: dir, Owner: lockfile.Owner(p)}
	}
	if err != nil {
		return nil, err
	}
	l.WriteOwner()
	return &Out{Dir: dir, lock: l}, nil
}

// Unlock releases OUT's lock.
func (o *Out) Unlock() error { return o.lock.Unlock() }

// Manifest is OUT/<period>/manifest.json: DCC-only, never in a bundle and
// never served to parties.
type Manifest struct {
	Format    int     `json:"format"`
	Period    string  `json:"period"`
	Generator string  `json:"generator_version"`
	SignKey   string  `json:"signing_key_id"`
	Bundles   []Entry `json:"bundles"`
}

// Entry is one party's bundle in a Manifest.
type Entry struct {
	Party string `json:"party"`
	// File and Signature are the file names in the period folder.
	File      string `json:"file"`
	Signature string `json:"signature"`
	// Size and SHA256 are the ciphertext's.
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	// ZipSize and ZipSHA256 are the plaintext zip's (reproducible).
	ZipSize   int64  `json:"zip_size"`
	ZipSHA256 string `json:"zip_sha256"`
	// ManifestSHA256 is the sha256 of the bundle's own manifest.json: the
	// same for the same content, whatever the keys.
	ManifestSHA256 string `json:"manifest_sha256"`
	Recipients     int    `json:"recipients"`
	// Carried is true when this run kept the bundle of the previous version
	// (a --party build of other parties).
	Carried bool `json:"carried,omitempty"`
}

// Published is a period as it is published now.
type Published struct {
	Period string
	// Dir is the real folder holding it, "" when never published.
	Dir string
	// Legacy is true for a real folder made by an older carport.
	Legacy bool
	// Manifest is its manifest.json, nil when it has none (legacy).
	Manifest *Manifest
}

// Entry returns the manifest entry of party, or nil.
func (p *Published) Entry(party string) *Entry {
	if p.Manifest == nil {
		return nil
	}
	for i := range p.Manifest.Bundles {
		if p.Manifest.Bundles[i].Party == party {
			return &p.Manifest.Bundles[i]
		}
	}
	return nil
}

// Current returns what is published for period, checking that the period
// folder holds only what builds write there. Anything else (a folder where
// a bundle belongs, a stray file) is an error: the switch would discard it,
// and a build never deletes what it did not make.
func (o *Out) Current(period string) (*Published, error) {
	if !periodRE.MatchString(period) {
		return nil, fmt.Errorf("period %q is not YYYY-MM", period)
	}
	p := &Published{Period: period}
	link := filepath.Join(o.Dir, period)
	info, err := os.Lstat(link)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return p, nil
	case err != nil:
		return nil, err
	case info.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(link)
		if err != nil {
			return nil, err
		}
		if !isVersionTarget(period, target) {
			return nil, fmt.Errorf("%s: points to %q, not to a version in %s/: it was changed by hand", link, target, PeriodsDir)
		}
		p.Dir = filepath.Join(o.Dir, filepath.FromSlash(target))
	case info.IsDir():
		p.Dir, p.Legacy = link, true
	default:
		return nil, fmt.Errorf("%s: neither a folder nor a link to one", link)
	}
	ents, err := os.ReadDir(p.Dir)
	if err != nil {
		return nil, err
	}
	for _, e := range ents {
		name := e.Name()
		if isStaleTemp(name) {
			continue // removed with the old version after the switch
		}
		what := ""
		switch {
		case slices.Contains(dccFiles, name):
			what = "a DCC file"
		case strings.HasSuffix(name, contract.BundleExt) && contract.ValidPartyID(strings.TrimSuffix(name, contract.BundleExt)):
			what = "a bundle"
		case strings.HasSuffix(name, contract.SignatureExt) && contract.ValidPartyID(strings.TrimSuffix(name, contract.SignatureExt)):
			what = "a signature"
		default:
			return nil, fmt.Errorf("%s: unexpected in a published period: no build writes it; move it away", filepath.Join(link, name))
		}
		if !e.Type().IsRegular() {
			return nil, fmt.Errorf("%s: a %s where %s belongs: no build made it; move it away", filepath.Join(link, name), kind(e.Type()), what)
		}
	}
	b, err := os.ReadFile(filepath.Join(p.Dir, ManifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(link, ManifestName), err)
	}
	p.Manifest = &m
	return p, nil
}

func kind(t fs.FileMode) string {
	switch {
	case t.IsDir():
		return "folder"
	case t&fs.ModeSymlink != 0:
		return "symlink"
	default:
		return "special file"
	}
}

// isStaleTemp reports the temporary names builds leave when killed:
// .incoming-* (older carport), .<file>.tmp-* (internal/atomicfile).
func isStaleTemp(name string) bool {
	return strings.HasPrefix(name, ".incoming-") || atomicfile.IsTemp(name)
}

func isVersionTarget(period, target string) bool {
	dir, base := filepath.Split(filepath.ToSlash(target))
	return dir == PeriodsDir+"/" && strings.HasPrefix(base, period+"-") && !strings.ContainsAny(base[len(period)+1:], `/\`) && len(base) > len(period)+1
}

// Version is a period folder being built.
type Version struct {
	out     *Out
	Period  string
	Dir     string
	name    string
	entries map[string]Entry
	done    bool
}

// NewVersion makes an empty version folder for period.
func (o *Out) NewVersion(period string) (*Version, error) {
	if !periodRE.MatchString(period) {
		return nil, fmt.Errorf("period %q is not YYYY-MM", period)
	}
	root := filepath.Join(o.Dir, PeriodsDir)
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(root, period+"-")
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &Version{out: o, Period: period, Dir: dir, name: filepath.Base(dir), entries: map[string]Entry{}}, nil
}

// BundlePath is where party's bundle goes in the version.
func (v *Version) BundlePath(party string) (string, error) {
	if err := contract.CheckPartyID(party); err != nil {
		return "", err
	}
	return filepath.Join(v.Dir, contract.BundleFile(party)), nil
}

// Add records a bundle sealed into the version (file and signature are
// already in place).
func (v *Version) Add(e Entry) error {
	if err := contract.CheckPartyID(e.Party); err != nil {
		return err
	}
	e.File, e.Signature = contract.BundleFile(e.Party), contract.SignatureFile(e.Party)
	for _, f := range []string{e.File, e.Signature} {
		if _, err := os.Stat(filepath.Join(v.Dir, f)); err != nil {
			return fmt.Errorf("adding %s: %w", e.Party, err)
		}
	}
	v.entries[e.Party] = e
	return nil
}

// Carry puts party's published bundle and signature into the version
// unchanged (a hard link, or a copy where links fail), after checking the
// ciphertext against the published manifest.
func (v *Version) Carry(cur *Published, party string) error {
	e := cur.Entry(party)
	if e == nil {
		return fmt.Errorf("%s: no published bundle of %s to keep", cur.Period, party)
	}
	if err := contract.CheckPartyID(party); err != nil {
		return err
	}
	for _, f := range []string{contract.BundleFile(party), contract.SignatureFile(party)} {
		if err := linkOrCopy(filepath.Join(cur.Dir, f), filepath.Join(v.Dir, f)); err != nil {
			return fmt.Errorf("keeping %s: %w", f, err)
		}
	}
	sum, n, err := hashFile(filepath.Join(v.Dir, contract.BundleFile(party)))
	if err != nil {
		return err
	}
	if sum != e.SHA256 || n != e.Size {
		return fmt.Errorf("keeping %s: %s differs from the published manifest.json: the published period was changed by hand", party, contract.BundleFile(party))
	}
	c := *e
	c.Carried = true
	v.entries[party] = c
	return nil
}

// Parties lists the parties with a bundle in the version, sorted.
func (v *Version) Parties() []string {
	var ps []string
	for p := range v.entries {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	return ps
}

// WriteFile writes a DCC-only file (the run report, as JSON or as a page)
// into the version.
func (v *Version) WriteFile(name string, data []byte) error {
	if name != RunReportName && name != RunReportHTMLName {
		return fmt.Errorf("%s: not a DCC file of a period", name)
	}
	return atomicfile.WriteFile(filepath.Join(v.Dir, name), data, 0o640)
}

// Discard removes the version folder: nothing of it was published.
func (v *Version) Discard() error {
	if v.done {
		return nil
	}
	v.done = true
	return os.RemoveAll(v.Dir)
}

// Switch writes the version's manifest.json and makes the version the
// published period in one rename. guard runs just before the rename: an
// error from it (an interrupt) cancels the switch, and the caller discards
// the version. After the switch, the previous versions of the period are
// removed; Switch returns their paths.
func (v *Version) Switch(generator, signKey string, guard func() error) (removed []string, err error) {
	m := Manifest{Format: 1, Period: v.Period, Generator: generator, SignKey: signKey, Bundles: []Entry{}}
	for _, p := range v.Parties() {
		m.Bundles = append(m.Bundles, v.entries[p])
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := atomicfile.WriteFile(filepath.Join(v.Dir, ManifestName), append(b, '\n'), 0o640); err != nil {
		return nil, err
	}
	atomicfile.SyncDir(v.Dir)
	cur, err := v.out.Current(v.Period)
	if err != nil {
		return nil, err
	}
	tmp := filepath.Join(v.out.Dir, "."+v.Period+linkPrefix+strings.TrimPrefix(v.name, v.Period+"-"))
	os.Remove(tmp)
	if err := os.Symlink(PeriodsDir+"/"+v.name, tmp); err != nil {
		return nil, err
	}
	defer os.Remove(tmp) // gone after a rename; the legacy folder's name after an exchange is handled below
	if err := guard(); err != nil {
		return nil, err
	}
	link := filepath.Join(v.out.Dir, v.Period)
	if cur.Legacy {
		if err := exchange(tmp, link); err != nil {
			return nil, fmt.Errorf("switching %s: %w", link, err)
		}
		// tmp is now the old folder
		v.done = true
		atomicfile.SyncDir(v.out.Dir)
		if err := os.RemoveAll(tmp); err != nil {
			return []string{}, fmt.Errorf("removing the previous %s: %w", link, err)
		}
		removed = append(removed, link+" (folder of an older carport)")
	} else {
		if err := os.Rename(tmp, link); err != nil {
			return nil, fmt.Errorf("switching %s: %w", link, err)
		}
		v.done = true
		atomicfile.SyncDir(v.out.Dir)
	}
	if err := v.linkRunReport(); err != nil {
		return removed, err
	}
	old, err := v.out.removeOldVersions(v.Period, v.name)
	return append(removed, old...), err
}

// linkRunReport makes OUT/<period>.run.json (and .run.html, when the
// version has one) a symlink to the run report inside the period,
// replacing a file an older carport wrote there. The links go through the
// period's own link, so they switch with it.
func (v *Version) linkRunReport() error {
	for _, name := range []string{RunReportName, RunReportHTMLName} {
		if _, err := os.Lstat(filepath.Join(v.Dir, name)); errors.Is(err, fs.ErrNotExist) && name != RunReportName {
			continue
		}
		path := filepath.Join(v.out.Dir, v.Period+"."+name)
		want := v.Period + "/" + name
		if t, err := os.Readlink(path); err == nil && t == want {
			continue
		}
		tmp := filepath.Join(v.out.Dir, "."+v.Period+"."+name+linkPrefix+strings.TrimPrefix(v.name, v.Period+"-"))
		os.Remove(tmp)
		if err := os.Symlink(want, tmp); err != nil {
			return err
		}
		if err := os.Rename(tmp, path); err != nil {
			os.Remove(tmp)
			return err
		}
	}
	return nil
}

// removeOldVersions removes period's versions other than keep.
func (o *Out) removeOldVersions(period, keep string) ([]string, error) {
	root := filepath.Join(o.Dir, PeriodsDir)
	ents, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	var removed []string
	var errs []error
	for _, e := range ents {
		if e.Name() == keep || !isVersionTarget(period, PeriodsDir+"/"+e.Name()) {
			continue
		}
		p := filepath.Join(root, e.Name())
		if err := os.RemoveAll(p); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, p)
	}
	return removed, errors.Join(errs...)
}

// Sweep removes what killed builds left in OUT: versions no period links
// to, temporary links, and temporary files and folders inside published
// periods. Only call it holding the lock (Lock), which proves no other
// build is writing them.
func (o *Out) Sweep() ([]string, error) {
	ents, err := os.ReadDir(o.Dir)
	if err != nil {
		return nil, err
	}
	referenced := map[string]bool{}
	var removed []string
	var errs []error
	rm := func(p string) {
		if err := os.RemoveAll(p); err != nil {
			errs = append(errs, err)
			return
		}
		removed = append(removed, p)
	}
	for _, e := range ents {
		name := e.Name()
		p := filepath.Join(o.Dir, name)
		switch {
		case strings.HasPrefix(name, ".") && strings.Contains(name, linkPrefix) && e.Type()&fs.ModeSymlink != 0:
			rm(p)
		case periodRE.MatchString(name) && e.Type()&fs.ModeSymlink != 0:
			if t, err := os.Readlink(p); err == nil && isVersionTarget(name, t) {
				referenced[filepath.Base(t)] = true
				sweepTemps(filepath.Join(o.Dir, filepath.FromSlash(t)), rm)
			}
		case periodRE.MatchString(name) && e.IsDir():
			sweepTemps(p, rm)
		}
	}
	vs, err := os.ReadDir(filepath.Join(o.Dir, PeriodsDir))
	if err == nil {
		for _, e := range vs {
			if !referenced[e.Name()] {
				rm(filepath.Join(o.Dir, PeriodsDir, e.Name()))
			}
		}
	}
	return removed, errors.Join(errs...)
}

func sweepTemps(dir string, rm func(string)) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if isStaleTemp(e.Name()) {
			rm(filepath.Join(dir, e.Name()))
		}
	}
}

func linkOrCopy(src, dst string) error {
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

func hashFile(p string) (string, int64, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}
