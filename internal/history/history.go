// Package history keeps the compact monthly figures of every party's
// reports, one file per period, so that a build can draw 13-month trends
// (the period and the 12 before it) and the home page can show the change
// since last month. The format is documented in docs/history.md.
//
// What it holds, per party, role and report instance: the monthly figures
// of the league (requests, successes, rank), round trip times, alert
// delivery, and the estate by device type and SMETS version. Never a
// device, an MPxN, a postcode or a row of an extract. It holds every
// party's volumes and names every party, so it is DCC-only: it lives
// outside OUT and never goes into a bundle, except as a recipient's own
// trend figures, under the minimum-peers rule, inside its own report.
//
// A peer-derived figure (industry, a league rank) is kept only when it
// was disclosed under the policy of its build, with the number of peers
// behind it, so that a later build can apply a stricter policy to it.
package history

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/dcc/carport/internal/lockfile"
	"github.com/klauspost/compress/gzip"
)

// Format is the value of every history file's "format" member.
const Format = "carport-history"

// FormatVersion is the version of the format this package writes and
// reads. A change that an older reader would misread bumps it.
const FormatVersion = 1

// Months is how many months a trend shows: the period and the 12 before.
const Months = 13

// Entry is one period's history file, HISTORY/<period>.json.gz.
type Entry struct {
	Format    string `json:"format"`            // always Format
	Version   int    `json:"format_version"`    // FormatVersion
	Period    string `json:"period"`            // YYYY-MM
	Generator string `json:"generator_version"` // carport's version that built the period
	// MinPeers is the minimum-peers rule's k the figures were disclosed
	// under.
	MinPeers int     `json:"min_peers"`
	Parties  []Party `json:"parties"` // sorted by id

	index map[string]*Report // party/role/report → report, built by Decode
}

// Party is one party's figures in a period.
type Party struct {
	ID    string `json:"party"`
	Roles []Role `json:"roles"` // in the party's role order
}

// Role is the figures of the reports of one role a party holds.
type Role struct {
	Role    string   `json:"role"`
	Reports []Report `json:"reports"` // sorted by id
}

// Report is the monthly figures of one report instance. Which groups are
// set depends on its dataset: Requests and Times for service requests,
// Delivery for alerts, Estate for the inventory.
type Report struct {
	ID       string    `json:"report"`             // instance id, e.g. "srvs-all", "srv-4.1.1"
	Version  string    `json:"definition_version"` // the definition's version
	Requests *Requests `json:"requests,omitempty"`
	Times    *Times    `json:"rtt,omitempty"`
	Delivery *Delivery `json:"delivery,omitempty"`
	Estate   *Estate   `json:"estate,omitempty"`
}

// Requests is the month's service requests and league position.
type Requests struct {
	You      Outcomes  `json:"you"`
	Industry *Outcomes `json:"industry,omitempty"` // nil when withheld
	// Peers is the number of role peers with requests of the report's
	// codes: industry and league positions are disclosed when Peers ≥ k.
	Peers int `json:"peers"`
	// Rank is the party's league position and Ranked the number of
	// parties ranked; both 0 when the league was withheld.
	Rank   int `json:"rank,omitempty"`
	Ranked int `json:"ranked,omitempty"`
}

// Outcomes counts requests and their successes.
type Outcomes struct {
	Requests  int64 `json:"requests"`
	Successes int64 `json:"successes"`
}

// Times is the month's round trip times.
type Times struct {
	You      Durations  `json:"you"`
	Industry *Durations `json:"industry,omitempty"` // nil when withheld
	Peers    int        `json:"peers"`              // role peers with requests
}

// Durations are the round trip times of rtt.csv, in whole milliseconds;
// nil when Requests (those with a round trip time) is 0.
type Durations struct {
	Requests int64  `json:"requests"`
	BestMS   *int64 `json:"best_ms,omitempty"`
	WorstMS  *int64 `json:"worst_ms,omitempty"`
	MeanMS   *int64 `json:"mean_ms,omitempty"`
	MedianMS *int64 `json:"median_ms,omitempty"`
	P95MS    *int64 `json:"p95_ms,omitempty"`
}

// Delivery is the month's alert delivery.
type Delivery struct {
	You      Deliveries  `json:"you"`
	Industry *Deliveries `json:"industry,omitempty"` // nil when withheld
	Peers    int         `json:"peers"`
}

// Deliveries are the figures of the alerts' summary.csv; the times are
// nil when no alert was delivered with a delivery time.
type Deliveries struct {
	Alerts           int64  `json:"alerts"`
	Delivered        int64  `json:"delivered"`
	MeanDeliveryMS   *int64 `json:"mean_delivery_ms,omitempty"`
	MedianDeliveryMS *int64 `json:"median_delivery_ms,omitempty"`
}

// Estate is the party's estate at the period's end in one role.
type Estate struct {
	Segments []Segment `json:"segments"` // sorted by device type, then SMETS version
	// NeedingAction counts the estate's devices on the exception list
	// (CPL or certificate expiry).
	NeedingAction int64 `json:"needing_action"`
}

// Segment is the devices of one type and SMETS version.
type Segment struct {
	DeviceType   string `json:"device_type"`
	SMETSVersion string `json:"smets_version"`
	Devices      int64  `json:"devices"`
	// IndustryDevices is every estate's devices of the segment in the
	// role, set only when at least k peers hold such devices.
	IndustryDevices *int64 `json:"industry_devices,omitempty"`
	Peers           int    `json:"peers"` // role peers holding devices of the segment
}

var (
	periodRE = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])$`)
	partyRE  = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_-]{0,31}$`)
	fileRE   = regexp.MustCompile(`^([0-9]{4}-(0[1-9]|1[0-2]))\.json\.gz$`)
)

// CheckPeriod fails unless p is a period, YYYY-MM.
func CheckPeriod(p string) error {
	if !periodRE.MatchString(p) {
		return fmt.Errorf("period %q is not YYYY-MM", p)
	}
	return nil
}

// Before returns the n periods before p, oldest first.
func Before(p string, n int) ([]string, error) {
	if err := CheckPeriod(p); err != nil {
		return nil, err
	}
	t, _ := time.Parse("2006-01", p)
	out := make([]string, n)
	for i := range n {
		out[i] = t.AddDate(0, i-n, 0).Format("2006-01")
	}
	return out, nil
}

// Report returns the figures of party's report in role, or nil. It only
// reads the entry, so builders may call it at once from several
// goroutines (an entry read by Decode has its index built there).
func (e *Entry) Report(party, role, report string) *Report {
	if e == nil {
		return nil
	}
	if e.index != nil {
		return e.index[party+"/"+role+"/"+report]
	}
	for i := range e.Parties {
		if p := &e.Parties[i]; p.ID == party {
			for j := range p.Roles {
				if r := &p.Roles[j]; r.Role == role {
					for k := range r.Reports {
						if r.Reports[k].ID == report {
							return &r.Reports[k]
						}
					}
				}
			}
		}
	}
	return nil
}

// buildIndex indexes the entry's reports for Report.
func (e *Entry) buildIndex() {
	e.index = map[string]*Report{}
	for i := range e.Parties {
		p := &e.Parties[i]
		for j := range p.Roles {
			r := &p.Roles[j]
			for k := range r.Reports {
				e.index[p.ID+"/"+r.Role+"/"+r.Reports[k].ID] = &r.Reports[k]
			}
		}
	}
}

// Party returns the figures of party, or nil.
func (e *Entry) Party(id string) *Party {
	for i := range e.Parties {
		if e.Parties[i].ID == id {
			return &e.Parties[i]
		}
	}
	return nil
}

// Put adds or replaces a party's figures.
func (e *Entry) Put(p Party) {
	e.index = nil
	for i := range e.Parties {
		if e.Parties[i].ID == p.ID {
			e.Parties[i] = p
			return
		}
	}
	e.Parties = append(e.Parties, p)
	sort.Slice(e.Parties, func(i, j int) bool { return e.Parties[i].ID < e.Parties[j].ID })
}

// Keep drops the parties for which keep is false.
func (e *Entry) Keep(keep func(id string) bool) {
	e.index = nil
	out := e.Parties[:0]
	for _, p := range e.Parties {
		if keep(p.ID) {
			out = append(out, p)
		}
	}
	e.Parties = out
}

// Check validates an entry before it is written or after it is read.
func (e *Entry) Check() error {
	if e.Format != Format {
		return fmt.Errorf("format is %q, not %q", e.Format, Format)
	}
	if e.Version != FormatVersion {
		if e.Version > FormatVersion {
			return fmt.Errorf("format_version %d is newer than this carport's (%d)", e.Version, FormatVersion)
		}
		return fmt.Errorf("format_version %d is not %d", e.Version, FormatVersion)
	}
	if err := CheckPeriod(e.Period); err != nil {
		return err
	}
	if e.MinPeers < 1 {
		return fmt.Errorf("min_peers %d is not a positive number", e.MinPeers)
	}
	for i, p := range e.Parties {
		if !partyRE.MatchString(p.ID) {
			return fmt.Errorf("parties[%d]: party id %q is not a party id", i, p.ID)
		}
		if i > 0 && e.Parties[i-1].ID >= p.ID {
			return fmt.Errorf("parties[%d]: party %s is out of order or repeated", i, p.ID)
		}
		roles := map[string]bool{}
		for _, r := range p.Roles {
			if r.Role == "" || roles[r.Role] {
				return fmt.Errorf("party %s: role %q is empty or repeated", p.ID, r.Role)
			}
			roles[r.Role] = true
			for j, rep := range r.Reports {
				if rep.ID == "" || (j > 0 && r.Reports[j-1].ID >= rep.ID) {
					return fmt.Errorf("party %s, role %s: report %q is empty, out of order or repeated", p.ID, r.Role, rep.ID)
				}
				if err := rep.check(e.MinPeers); err != nil {
					return fmt.Errorf("party %s, role %s, report %s: %w", p.ID, r.Role, rep.ID, err)
				}
			}
		}
	}
	return nil
}

// check refuses figures that break the format's own rules: negative
// counts, successes beyond requests, an industry figure kept without
// enough peers behind it.
func (r *Report) check(k int) error {
	if q := r.Requests; q != nil {
		if !q.You.valid() || (q.Industry != nil && !q.Industry.valid()) {
			return errors.New("requests: counts are negative or successes exceed requests")
		}
		if (q.Industry != nil || q.Rank != 0) && q.Peers < k {
			return fmt.Errorf("requests: industry or rank kept with %d peers, fewer than min_peers", q.Peers)
		}
		if q.Rank < 0 || q.Rank > q.Ranked {
			return fmt.Errorf("requests: rank %d of %d", q.Rank, q.Ranked)
		}
	}
	if t := r.Times; t != nil && t.Industry != nil && t.Peers < k {
		return fmt.Errorf("rtt: industry kept with %d peers, fewer than min_peers", t.Peers)
	}
	if d := r.Delivery; d != nil {
		if d.You.Delivered < 0 || d.You.Delivered > d.You.Alerts {
			return errors.New("delivery: delivered is negative or exceeds alerts")
		}
		if d.Industry != nil && d.Peers < k {
			return fmt.Errorf("delivery: industry kept with %d peers, fewer than min_peers", d.Peers)
		}
	}
	if s := r.Estate; s != nil {
		for _, g := range s.Segments {
			if g.Devices < 0 || (g.IndustryDevices != nil && g.Peers < k) {
				return fmt.Errorf("estate: segment %s %s: negative devices or industry kept with %d peers", g.DeviceType, g.SMETSVersion, g.Peers)
			}
		}
	}
	return nil
}

func (o Outcomes) valid() bool {
	return o.Requests >= 0 && o.Successes >= 0 && o.Successes <= o.Requests
}

// Marshal encodes an entry as its file holds it: indented JSON, one
// member a line, ending in a newline. Equal entries give equal bytes.
func (e *Entry) Marshal() ([]byte, error) {
	if err := e.Check(); err != nil {
		return nil, fmt.Errorf("history %s: %w", e.Period, err)
	}
	b, err := json.MarshalIndent(e, "", " ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Decode reads an entry strictly: an unknown member, a second value or a
// broken rule is an error naming the line.
func Decode(data []byte) (*Entry, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var e Entry
	if err := dec.Decode(&e); err != nil {
		return nil, atLine(data, err, dec)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("line %d: data after the entry", lineAt(data, dec.InputOffset()))
	}
	if err := e.Check(); err != nil {
		return nil, err
	}
	e.buildIndex()
	return &e, nil
}

// atLine prefixes a JSON error with the line it points at.
func atLine(data []byte, err error, dec *json.Decoder) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("line %d: %v", lineAt(data, se.Offset), err)
	case errors.As(err, &te):
		return fmt.Errorf("line %d: %v", lineAt(data, te.Offset), err)
	}
	// encoding/json names an unknown member but not where it is: find
	// the first member of that name
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if m := regexp.MustCompile(regexp.QuoteMeta(name) + `\s*:`).FindIndex(data); m != nil {
			return fmt.Errorf("line %d: %v", lineAt(data, int64(m[0])), err)
		}
	}
	return fmt.Errorf("line %d: %v", lineAt(data, dec.InputOffset()), err)
}

func lineAt(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	return 1 + bytes.Count(data[:off], []byte{'\n'})
}

// Dir is a history folder, locked by this process while it is open.
type Dir struct {
	Path string
	lock *lockfile.Lock
}

// LockName is the lock file inside a history folder.
const LockName = ".lock"

// Open creates the folder if needed (0700: it names every party and
// holds their volumes) and takes its lock without waiting.
func Open(path string) (*Dir, error) {
	if err := os.MkdirAll(path, 0o700); err != nil {
		return nil, fmt.Errorf("history %s: %w", path, err)
	}
	l, err := lockfile.TryLock(filepath.Join(path, LockName), true)
	if errors.Is(err, lockfile.ErrBusy) {
		return nil, fmt.Errorf("history %s is in use by another build (%s)", path, lockfile.Owner(filepath.Join(path, LockName)))
	}
	if err != nil {
		return nil, fmt.Errorf("history %s: %w", path, err)
	}
	l.WriteOwner()
	return &Dir{Path: path, lock: l}, nil
}

// Close releases the folder's lock.
func (d *Dir) Close() error { return d.lock.Unlock() }

// Ext ends every entry's file name: gzip-compressed JSON (an entry's
// JSON compresses about 15 times; zcat shows it).
const Ext = ".json.gz"

// maxEntry bounds an entry's JSON when it is read back.
const maxEntry = 1 << 30

// File is where period's entry lives.
func (d *Dir) File(period string) string { return filepath.Join(d.Path, period+Ext) }

// Read returns period's entry, or nil when the folder has none.
func (d *Dir) Read(period string) (*Entry, error) {
	if err := CheckPeriod(period); err != nil {
		return nil, err
	}
	return ReadFile(d.File(period), period)
}

// ReadFile reads one entry file, which must be period's; a missing file
// is no entry (nil, nil).
func ReadFile(path, period string) (*Entry, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	data, err := io.ReadAll(io.LimitReader(zr, maxEntry+1))
	if err == nil && len(data) > maxEntry {
		err = fmt.Errorf("more than %d bytes of JSON", maxEntry)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	e, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if e.Period != period {
		return nil, fmt.Errorf("%s: holds period %s, not %s", path, e.Period, period)
	}
	return e, nil
}

// Window returns the entries of the Months-1 periods before period,
// oldest first; a month without an entry is nil (a gap, not a zero).
func (d *Dir) Window(period string) ([]*Entry, error) {
	months, err := Before(period, Months-1)
	if err != nil {
		return nil, err
	}
	out := make([]*Entry, len(months))
	for i, m := range months {
		if out[i], err = d.Read(m); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Write puts e in the folder atomically (a temporary file in the folder,
// synced, then renamed over the period's file): a crash leaves the old
// entry or the new one, and no other period's file is touched.
func (d *Dir) Write(e *Entry) error {
	js, err := e.Marshal()
	if err != nil {
		return err
	}
	// no name or time in the gzip header: equal entries, equal files
	var zb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&zb, gzip.BestCompression)
	if _, err := zw.Write(js); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	data := zb.Bytes()
	path := d.File(e.Period)
	tmp, err := os.CreateTemp(d.Path, "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("history %s: %w", path, err)
	}
	if f, err := os.Open(d.Path); err == nil {
		f.Sync()
		f.Close()
	}
	return nil
}

// Periods lists the periods the folder holds, oldest first.
func (d *Dir) Periods() ([]string, error) {
	ents, err := os.ReadDir(d.Path)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, x := range ents {
		if m := fileRE.FindStringSubmatch(x.Name()); m != nil && x.Type().IsRegular() {
			out = append(out, m[1])
		}
	}
	sort.Strings(out)
	return out, nil
}

// Default is the history folder of an output folder when --history is not
// given: beside OUT, named after it ("demo/out" → "demo/out.history"), so
// that copying OUT to the file host never copies the history.
func Default(out string) string {
	out = filepath.Clean(out)
	if strings.TrimRight(out, string(filepath.Separator)) == "" {
		return filepath.Join(out, "carport.history") // OUT is the root folder
	}
	return out + ".history"
}
