package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/dcc/carport/internal/contract"
	"github.com/klauspost/compress/gzip"
)

// maxFindings caps the findings listed for one party.
const maxFindings = 20

// The contract's places for other parties' ids (outputs.md v1.1,
// "Anonymity and counterparties").
var (
	// estateFile is data/<role>/inventory/devices.csv.gz.
	estateFile = regexp.MustCompile(`^data/[A-Z]+/inventory/devices\.csv\.gz$`)
	// exceptionsFile is data/<role>/inventory/exceptions.csv: its mpxn
	// column is checked as one.
	exceptionsFile = regexp.MustCompile(`^data/[A-Z]+/inventory/exceptions\.csv$`)
	// ownerColumns may name the other owners of the recipient's devices.
	ownerColumns = func() []string {
		var out []string
		for _, o := range contract.EstateOwners {
			out = append(out, o.Column)
		}
		return out
	}()
)

// trendFile is a trend view's CSV: data/<role>/<report>/trend.csv or
// rtt-trend.csv. Its figures are numbers no scan can tell apart, so its
// shape is checked instead: the header of a trend kind of the contract,
// whose columns are the recipient's own figures and industry's, and a
// month (YYYY-MM) at the head of every row.
var (
	trendFile  = regexp.MustCompile(`^data/[A-Z]+/[^/]+/(trend|rtt-trend)\.csv$`)
	trendMonth = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])$`)
)

// trendHeaders are the contract's trend headers.
var trendHeaders = func() map[string]bool {
	out := map[string]bool{}
	for _, v := range contract.Views {
		if v.Kind == contract.Trend || v.Kind == contract.RTTTrend {
			out[strings.Join(v.Header(nil), ",")] = true
		}
	}
	return out
}()

const (
	// bySupplier may name the energy supplier of each N16.
	bySupplier       = "data/ED/n16-n42/by-supplier.csv"
	bySupplierColumn = "energy_supplier_id"
)

// bySupplierViews show by-supplier.csv: its chart data and its page may
// carry the ids that file holds, and no other.
var bySupplierViews = []string{"data/ED/n16-n42/page.js", "ED/n16-n42.html"}

// Stats is what one Check read.
type Stats struct {
	Files   int   // files scanned
	Skipped int   // public files skipped (byte-identical to Options.Public)
	Bytes   int64 // bytes scanned (decompressed)
	Estate  int   // devices in the party's estate
	Elapsed time.Duration
	// Sums are the size and sha256 of every file as the audit read it,
	// in walk order: sealing zips exactly these bytes or fails.
	Sums []FileSum
}

// FileSum is one file of a site as the audit read it.
type FileSum struct {
	Path   string // slash path inside the site
	Size   int64
	SHA256 string // lowercase hex
	// Data is the file's bytes, kept for sealing (so that the file is
	// not read again, and the bundle holds exactly what was audited),
	// for files of at most keepFile bytes while the site's kept bytes
	// stay under keepTotal; nil for the others.
	Data []byte
}

// A site's files are kept in memory, as read, for sealing, within these
// bounds; larger files (a big estate file) and those past keepTotal are
// read again from the stage (memory-backed where the machine has it: a
// re-read of a large party's 86 MB site costs well under a tenth of a
// second, while keeping all of it held that much in each worker).
const (
	keepFile  = 8 << 20
	keepTotal = 32 << 20
)

// checker holds one party's check.
type checker struct {
	ix        *Index
	me        int
	es        *estate
	alerts    []uint64 // device keys of alerts sent to the party
	findings  []Finding
	more      int
	seen      map[string]bool // one finding per file and kind
	file      string
	allowIDs  map[string]bool
	scanBytes int64
	kept      int64 // bytes of the site kept in FileSums
}

// Check audits the site of party in siteDir. alertDevices are the device
// ids of alerts sent to the party that views may show. It returns a
// *LeakError when anything leaks.
func (ix *Index) Check(party, siteDir string, alertDevices []string) (Stats, error) {
	start := time.Now()
	pi, ok := ix.byID[party]
	if !ok {
		return Stats{}, fmt.Errorf("leak audit: party %s is not in parties.csv", party)
	}
	es, err := ix.estate(pi)
	if err != nil {
		return Stats{}, fmt.Errorf("leak audit: %w", err)
	}
	c := &checker{ix: ix, me: pi, es: es, seen: map[string]bool{}}
	for _, d := range alertDevices {
		if k, ok := deviceKey([]byte(d)); ok {
			c.alerts = append(c.alerts, k)
		}
	}
	c.alerts = sortUnique(c.alerts)
	st := Stats{Estate: len(es.devices)}

	// by-supplier.csv first: the ids it holds may appear in its views
	allowed, err := c.bySupplierIDs(siteDir)
	if err != nil {
		return st, err
	}
	err = filepath.WalkDir(siteDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(siteDir, p)
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil
		}
		c.file = rel
		c.allowIDs = nil
		c.scan([]byte(rel), 0) // a path can leak too
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: not a regular file", rel)
		}
		st.Files++
		if slices.Contains(bySupplierViews, rel) {
			c.allowIDs = allowed
		}
		skipped, sum, err := c.scanFile(p, rel)
		if skipped {
			st.Skipped++
		}
		st.Sums = append(st.Sums, sum)
		return err
	})
	st.Bytes = c.scanBytes
	st.Elapsed = time.Since(start)
	if err != nil {
		return st, fmt.Errorf("leak audit: %w", err)
	}
	if len(c.findings) > 0 {
		return st, &LeakError{Party: party, Findings: c.findings, More: c.more}
	}
	return st, nil
}

func (c *checker) find(line int, kind Kind, v []byte) {
	key := c.file + "\x00" + string(kind)
	if c.seen[key] {
		return
	}
	c.seen[key] = true
	if len(c.findings) >= maxFindings {
		c.more++
		return
	}
	file := c.file
	if line == 0 {
		// the path itself holds the value: show it masked there too
		file = strings.Replace(file, string(v), short(v), 1)
	}
	c.findings = append(c.findings, Finding{File: file, Line: line, Kind: kind, Masked: mask(v)})
}

// scanFile scans one file: whole for ordinary files, streamed and column by
// column for the CSV files where the contract allows other parties' ids.
// It hashes the file's bytes (compressed, as they are on disk) as it
// reads them, and keeps them (within keepFile and keepTotal).
func (c *checker) scanFile(p, rel string) (skipped bool, sum FileSum, err error) {
	sum.Path = rel
	f, err := os.Open(p)
	if err != nil {
		return false, sum, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return false, sum, err
	}
	if size := info.Size(); size <= keepFile && c.kept+size <= keepTotal {
		var buf bytes.Buffer
		buf.Grow(int(size) + bytes.MinRead) // one allocation, one read
		if _, err := buf.ReadFrom(f); err != nil {
			return false, sum, fmt.Errorf("%s: %w", rel, err)
		}
		b := buf.Bytes()
		h := sha256.Sum256(b)
		sum.Size, sum.SHA256, sum.Data = int64(len(b)), hex.EncodeToString(h[:]), b
		c.kept += sum.Size
		if slices.Contains(c.ix.public[sum.Size], h) {
			return true, sum, nil
		}
		return false, sum, c.scanContent(rel, bytes.NewReader(b), b)
	}
	// too large to keep: streamed and hashed on the way
	h := &hashReader{r: f, h: sha256.New()}
	done := func() (FileSum, error) {
		// what a reader left unread (a gzip trailer) is still the file's
		if _, err := io.Copy(io.Discard, h); err != nil {
			return sum, fmt.Errorf("%s: %w", rel, err)
		}
		sum.Size, sum.SHA256 = h.n, hex.EncodeToString(h.h.Sum(nil))
		return sum, nil
	}
	if sums := c.ix.public[info.Size()]; len(sums) > 0 {
		if _, err := io.Copy(io.Discard, h); err != nil {
			return false, sum, err
		}
		var got [32]byte
		copy(got[:], h.h.Sum(nil))
		if slices.Contains(sums, got) {
			sum, err = done()
			return true, sum, err
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return false, sum, err
		}
		h.h.Reset()
		h.n = 0
	}
	if err := c.scanContent(rel, h, nil); err != nil {
		return false, sum, err
	}
	sum, err = done()
	return false, sum, err
}

// scanContent scans a file's content, read from r; whole is the content
// when the caller already holds it (nil otherwise).
func (c *checker) scanContent(rel string, r io.Reader, whole []byte) error {
	if strings.HasSuffix(rel, ".gz") {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		defer zr.Close()
		r, whole = zr, nil
	}
	switch {
	case estateFile.MatchString(rel):
		return c.scanCSV(r, ownerColumns, true)
	case rel == bySupplier:
		return c.scanCSV(r, []string{bySupplierColumn}, false)
	case exceptionsFile.MatchString(rel):
		return c.scanCSV(r, nil, false)
	}
	if whole == nil {
		b, err := io.ReadAll(r)
		if err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		whole = b
	}
	c.scan(whole, 1)
	if trendFile.MatchString(rel) {
		c.checkTrend(whole)
	}
	return nil
}

// hashReader hashes and counts what is read through it.
type hashReader struct {
	r io.Reader
	h hash.Hash
	n int64
}

func (h *hashReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	h.n += int64(n)
	return n, err
}

// checkTrend checks a trend file's shape (see trendFile).
func (c *checker) checkTrend(b []byte) {
	cr := csv.NewReader(bytes.NewReader(b))
	rows, err := cr.ReadAll()
	if err != nil || len(rows) == 0 {
		c.find(1, TrendShape, []byte("unreadable"))
		return
	}
	if h := strings.Join(rows[0], ","); !trendHeaders[h] {
		c.find(1, TrendShape, []byte(h))
		return
	}
	for i, r := range rows[1:] {
		if !trendMonth.MatchString(r[0]) {
			c.find(i+2, TrendShape, []byte(r[0]))
			return
		}
	}
}

// scanCSV scans a CSV file field by field: the columns in allowed may hold
// any party id; an mpxn column must hold MPxNs of the party's estate; every
// other field is scanned as text. In the estate file each row must also be
// one of the party's own devices.
func (c *checker) scanCSV(r io.Reader, allowed []string, estate bool) error {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", c.file, err)
	}
	header = slices.Clone(header)
	col := func(name string) int { return slices.Index(header, name) }
	free := make([]bool, len(header))
	for _, a := range allowed {
		if i := col(a); i >= 0 {
			free[i] = true
		}
	}
	dev, mp, pc := col("device_id"), col("mpxn"), col("postcode")
	for _, h := range header {
		c.scan([]byte(h), 1)
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", c.file, err)
		}
		line, _ := cr.FieldPos(0)
		for i, v := range rec {
			c.scanBytes += int64(len(v)) + 1
			b := []byte(v)
			switch {
			case i < len(free) && free[i]:
				continue
			case estate && i == dev:
				if k, ok := deviceKey(b); !ok || !has(c.es.devices, k) {
					c.find(line, DeviceID, b)
				}
				continue
			case i == mp:
				// in any CSV: an MPxN of the party's estate, or none
				if k, ok := mpxnKey(b); len(b) > 0 && (!ok || !has(c.es.mpxn, k)) {
					c.find(line, MPxN, b)
				}
				continue
			case estate && i == pc:
				if k, ok := postcodeKey(b); len(b) > 0 && (!ok || !has(c.es.pcs, k)) {
					c.find(line, Postcode, b)
				}
				continue
			}
			c.scan(b, line)
		}
	}
}

// bySupplierIDs returns the ids in by-supplier.csv's energy_supplier_id
// column (nil when the site has no such file).
func (c *checker) bySupplierIDs(siteDir string) (map[string]bool, error) {
	f, err := os.Open(filepath.Join(siteDir, filepath.FromSlash(bySupplier)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil || len(recs) == 0 {
		return nil, nil // the scan reports what it makes of the file
	}
	i := slices.Index(recs[0], bySupplierColumn)
	if i < 0 {
		return nil, nil
	}
	ids := map[string]bool{}
	for _, r := range recs[1:] {
		if i < len(r) {
			if _, ok := c.ix.byID[r[i]]; ok {
				ids[r[i]] = true
			}
		}
	}
	return ids, nil
}

// scan looks at every run of id characters of b (line is b's first line,
// 0 for a path).
func (c *checker) scan(b []byte, line int) {
	c.scanBytes += int64(len(b))
	ln := line
	for _, v := range c.ix.names.odd {
		if c.me != v.party && bytes.Contains(b, v.text) {
			c.find(ln, PartyName, v.text)
		}
	}
	for i := 0; i < len(b); {
		ch := b[i]
		if !idByte(ch) {
			if ch == '\n' && line > 0 {
				ln++
			}
			i++
			continue
		}
		j, dash, plain := i, false, true
		for j < len(b) && idByte(b[j]) {
			dash = dash || b[j] == '-'
			plain = plain && (digit(b[j]) || b[j] == '-')
			j++
		}
		// most runs are figures and dates: digits and dashes, too short for
		// a device id and not an MPAN's length, can be nothing else unless
		// an id or a name starts with a digit
		if !plain || c.ix.digitLed || j-i >= deviceIDLen || j-i == mpanLen {
			c.run(b, i, j, ln, dash)
		}
		i = j
	}
}

// run checks the run b[i:j]; dash says whether it holds a '-'.
func (c *checker) run(b []byte, i, j, line int, dash bool) {
	run := b[i:j]
	// names starting with this run
	if !c.ix.names.first[run[0]] {
		// no name starts here
	} else if vs := c.ix.names.byFirst[string(run)]; vs != nil {
		for _, v := range vs {
			if v.party == c.me || !bytes.HasPrefix(b[i:], v.text) {
				continue
			}
			if e := i + len(v.text); e < len(b) && alnum(b[e]) && alnum(v.text[len(v.text)-1]) {
				continue // not a whole word
			}
			if c.ix.names.ownCovers(c.me, b, i, len(v.text)) {
				continue
			}
			c.find(line, PartyName, v.text)
		}
	}
	// party ids: the whole run, and its parts between dashes
	c.id(run, line)
	if dash {
		for rest := run; len(rest) > 0; {
			part, after, _ := bytes.Cut(rest, []byte{'-'})
			c.id(part, line)
			rest = after
		}
	}
	// device ids: deviceIDLen characters of the run between dashes or its ends
	if len(run) >= deviceIDLen {
		for k := 0; k+deviceIDLen <= len(run); k++ {
			if (k == 0 || run[k-1] == '-') && (k+deviceIDLen == len(run) || run[k+deviceIDLen] == '-') {
				if key, ok := deviceKey(run[k : k+deviceIDLen]); ok && !has(c.es.devices, key) && !has(c.alerts, key) {
					c.find(line, DeviceID, run[k:k+deviceIDLen])
				}
			}
		}
	}
	// MPANs: a run of 13 digits alone, not part of a decimal number or a
	// colour. MPRNs (6 to 10 digits) are not looked for in free text: a
	// site is full of figures of that many digits (round trip times,
	// counts, a URL-encoded "%20" before a year), and with millions of
	// MPRNs in the month some figure matches one by chance (the medium
	// month's build failed on an RTT). They are checked where an MPxN
	// stands as one: the mpxn column of every CSV (scanCSV); the page
	// scripts and tables showing those rows are made from the same CSVs.
	if len(run) == mpanLen && (i == 0 || (b[i-1] != '.' && b[i-1] != '#')) && (j == len(b) || b[j] != '.') {
		if key, ok := mpxnKey(run); ok && has(c.ix.mpxn, key) && !has(c.es.mpxn, key) {
			c.find(line, MPxN, run)
		}
	}
	// postcodes: an outward code, one space, an inward code
	if outward(run) && j+4 <= len(b) && b[j] == ' ' && inward(b[j+1:j+4]) && (j+4 == len(b) || !idByte(b[j+4])) && (i == 0 || b[i-1] != '-') {
		pcb := b[i : j+4]
		if key, ok := postcodeKey(pcb); ok && has(c.ix.pcs, key) && !has(c.es.pcs, key) {
			c.find(line, Postcode, pcb)
		}
	}
}

func (c *checker) id(tok []byte, line int) {
	if len(tok) == 0 || len(tok) > 32 || !c.ix.idFirst[tok[0]] || !c.ix.idLen[len(tok)] {
		return
	}
	pi, ok := c.ix.byID[string(tok)]
	if !ok || pi == c.me || c.allowIDs[string(tok)] {
		return
	}
	c.find(line, PartyID, tok)
}
