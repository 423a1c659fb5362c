package bench

// Inventory of each party's estate (outputs.md, "Inventory views"). The
// device-level files (every device of the estate, the exception list) are
// streamed row by row into per-party files in the private stage folder;
// only the counts by model and firmware stay in memory.
//
// An estate row keeps every column of devices.csv, the ownership columns
// included: contract v1.1 names the supplier or distributor registered for
// the recipient's own device as its counterparty. Party names never appear.
// Every text cell is neutralised against spreadsheet formulas (csvcell).
// A device's row is the same in every estate it is in, so it is encoded
// once and written to each.

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/csvcell"
	"github.com/dcc/carport/internal/extract"
	"github.com/klauspost/compress/gzip"
)

type invKey struct {
	role       roleID
	party      extract.Sym
	deviceType extract.Sym
	model      extract.Sym
	firmware   extract.Sym
}

type estateOut struct {
	dir      string
	f, xf    *os.File
	bw, xbw  *bufio.Writer
	w, xw    *csv.Writer
	rows, xs int64
	xdevs    int64 // devices with at least one exception row
}

// segKey is one party's devices of a type and SMETS version in a role:
// the estate figures a history keeps.
type segKey struct {
	role       roleID
	party      extract.Sym
	deviceType extract.Sym
	smets      string // "SMETS1", "SMETS2" (an enum: never a row's own bytes)
}

type inventory struct {
	e       *Engine
	counts  map[invKey]int64
	segs    map[segKey]int64
	outs    map[gkey]*estateOut // code unused: (role, party)
	cplDay  int32               // last day of period + CPL window, days since epoch
	certDay int32
	roles   [4]contract.Role
	line    []byte // one estate row being encoded
	xline   []byte // one exception row being encoded
	// holdsRole[i][owner] says whether the owner (by Sym) holds roles[i]:
	// 0 not looked up yet, 1 yes, 2 no.
	holdsRole [4][]uint8
	err       error
}

func newInventory(e *Engine) (*inventory, error) {
	p := e.cfg.Period
	last := int32(time.Date(p.Year, p.Month+1, 0, 0, 0, 0, 0, time.UTC).Unix() / 86400)
	pol := e.cfg.Suite.Policy
	inv := &inventory{e: e, counts: map[invKey]int64{}, segs: map[segKey]int64{}, outs: map[gkey]*estateOut{},
		cplDay: last + int32(pol.CPLExpiryDays), certDay: last + int32(pol.CertExpiryDays),
		roles: [4]contract.Role{contract.IS, contract.ES, contract.GS, contract.ED}}
	if err := os.MkdirAll(filepath.Join(e.cfg.StageDir, "estate"), 0o700); err != nil {
		return nil, err
	}
	return inv, nil
}

func (inv *inventory) add(d *extract.Device) {
	if inv.err != nil {
		return
	}
	owners := [4]extract.Sym{d.ImportSupplier, d.ExportSupplier, d.GasSupplier, d.DNO}
	encoded := false
	for i, owner := range owners {
		if owner == extract.Null || !inv.holds(i, owner) {
			continue
		}
		if !encoded {
			inv.encode(d)
			encoded = true
		}
		rid := roleIndex(inv.roles[i])
		inv.counts[invKey{rid, owner, d.DeviceType, d.Model, d.Firmware}]++
		inv.segs[segKey{rid, owner, d.DeviceType, smetsName(d.Fields[dvSMETS])}]++
		out, err := inv.out(gkey{role: rid, party: owner})
		if err != nil {
			inv.err = err
			return
		}
		if _, err := out.bw.Write(inv.line); err != nil && inv.err == nil {
			inv.err = err
		}
		out.rows++
		if len(inv.xline) > 0 {
			if _, err := out.xbw.Write(inv.xline); err != nil && inv.err == nil {
				inv.err = err
			}
			out.xs += int64(bytes.Count(inv.xline, []byte{'\n'}))
			out.xdevs++
		}
	}
}

// holds reports whether party owner holds role roles[i] (the reader
// already refuses an owner that does not; this keeps the estate honest
// whatever the reader).
func (inv *inventory) holds(i int, owner extract.Sym) bool {
	h := inv.holdsRole[i]
	if int(owner) >= len(h) {
		h = append(h, make([]uint8, int(owner)+64-len(h))...)
		inv.holdsRole[i] = h
	}
	if h[owner] == 0 {
		h[owner] = 2
		if p := inv.e.Parties.Get(inv.e.sym.Name(owner)); p != nil && p.HasRole(inv.roles[i]) {
			h[owner] = 1
		}
	}
	return h[owner] == 1
}

func (inv *inventory) out(k gkey) (*estateOut, error) {
	if o := inv.outs[k]; o != nil {
		return o, nil
	}
	dir := filepath.Join(inv.e.cfg.StageDir, "estate", inv.e.sym.Name(k.party), string(contract.Roles[k.role]))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	o := &estateOut{dir: dir}
	var err error
	if o.f, err = os.Create(filepath.Join(dir, "devices.csv")); err != nil {
		return nil, err
	}
	if o.xf, err = os.Create(filepath.Join(dir, "exceptions.csv")); err != nil {
		o.f.Close()
		return nil, err
	}
	o.bw, o.xbw = bufio.NewWriterSize(o.f, 32<<10), bufio.NewWriterSize(o.xf, 8<<10)
	o.w, o.xw = csv.NewWriter(o.bw), csv.NewWriter(o.xbw)
	o.w.Write(estateHeader)
	o.w.Flush() // the header goes first: rows are then encoded by encode
	o.xw.Write(append(append([]string{}, exceptionHeader...), "expires_on"))
	o.xw.Flush()
	inv.outs[k] = o
	return o, nil
}

// The estate file's and the exception list's headers, the contract's.
var (
	estateHeader    = contractView(contract.Devices, contract.Estate).Header(nil)
	exceptionHeader = contractView(contract.Devices, contract.Exceptions).Header(nil)
)

// The streamed exception list carries one more column than the contract's
// exceptions.csv: the expiry date behind each reason, which the site shows
// beside the row (the estate file holds the same dates).
var (
	cplDateCol  = deviceCol("cpl_expiry_date")
	certDateCol = deviceCol("cert_expiry_date")
)

// encode encodes the device's estate row into inv.line and its exception
// rows (none, one or two) into inv.xline. The estate row is encoded
// straight from the row's bytes, as encoding/csv would write the
// neutralised cells: a []string per row was most of the devices stage's
// allocation. The exception rows go to a stage file that is read back
// whole and written out as a view, which neutralises its cells then.
func (inv *inventory) encode(d *extract.Device) {
	line := inv.line[:0]
	for i, f := range d.Fields {
		if i > 0 {
			line = append(line, ',')
		}
		line = appendCell(line, f)
	}
	cpl := d.CPLExpiry != extract.NoDate && d.CPLExpiry <= inv.cplDay
	cert := d.CertExpiry != extract.NoDate && d.CertExpiry <= inv.certDay
	line = append(line, ',')
	line = strconv.AppendBool(line, cpl)
	line = append(line, ',')
	line = strconv.AppendBool(line, cert)
	line = append(line, '\n')
	inv.line = line

	x := inv.xline[:0]
	for _, r := range [2]struct {
		hit    bool
		reason string
		date   []byte
	}{{cpl, "cpl-expiry", d.Fields[cplDateCol]}, {cert, "cert-expiry", d.Fields[certDateCol]}} {
		if !r.hit {
			continue
		}
		for i, f := range [][]byte{d.ID, d.Fields[dvType], d.Fields[dvModel], d.Fields[dvFW], d.MPXN, d.Postcode, []byte(r.reason), r.date} {
			if i > 0 {
				x = append(x, ',')
			}
			x = appendCSVField(x, f)
		}
		x = append(x, '\n')
	}
	inv.xline = x
}

// Columns of devices.csv the exception rows repeat, and the SMETS version
// the history's estate figures count by.
var dvType, dvModel, dvFW, dvSMETS = deviceCol("device_type"), deviceCol("device_model"), deviceCol("firmware_version"), deviceCol("smets_version")

// smetsName is a device's SMETS version as the contract's own string (the
// reader has checked the enum), so that no row's bytes are kept.
func smetsName(b []byte) string {
	for _, v := range contract.SMETSVersions {
		if string(b) == v {
			return v
		}
	}
	return "unknown"
}

func deviceCol(name string) int {
	if i := contract.DevicesFile.Index(name); i >= 0 {
		return i
	}
	panic("no device column " + name)
}

// appendCell appends f neutralised against spreadsheet formulas, as
// encoding/csv's Writer writes the neutralised cell.
func appendCell(dst, f []byte) []byte {
	if !csvcell.Risky(f) {
		return appendCSVField(dst, f)
	}
	// the apostrophe first: the cell no longer starts with a space, and
	// quoting depends only on what it holds
	for _, c := range f {
		if quoteByte[c] {
			dst = append(dst, '"', '\'')
			return appendQuoted(dst, f)
		}
	}
	dst = append(dst, '\'')
	return append(dst, f...)
}

// appendCSVField appends f as encoding/csv's Writer writes a field (comma
// separator, LF line ends): quoted, with quotes doubled, when it holds a
// comma, quote, CR or LF, starts with a space, or is exactly \.
func appendCSVField(dst, f []byte) []byte {
	if !csvNeedsQuotes(f) {
		return append(dst, f...)
	}
	dst = append(dst, '"')
	return appendQuoted(dst, f)
}

// appendQuoted appends f with quotes doubled, then the closing quote.
func appendQuoted(dst, f []byte) []byte {
	for {
		i := bytes.IndexByte(f, '"')
		if i < 0 {
			break
		}
		dst = append(dst, f[:i+1]...)
		dst = append(dst, '"')
		f = f[i+1:]
	}
	dst = append(dst, f...)
	return append(dst, '"')
}

// quoteByte marks the bytes that make encoding/csv quote a field.
var quoteByte = [256]bool{',': true, '"': true, '\r': true, '\n': true}

// csvNeedsQuotes is encoding/csv's fieldNeedsQuotes for a comma separator.
func csvNeedsQuotes(f []byte) bool {
	if len(f) == 0 {
		return false
	}
	if string(f) == `\.` {
		return true
	}
	for _, c := range f {
		if quoteByte[c] {
			return true
		}
	}
	if f[0] < utf8.RuneSelf {
		return f[0] == ' ' || f[0] == '\t' || f[0] == '\n' || f[0] == '\v' || f[0] == '\f' || f[0] == '\r'
	}
	r, _ := utf8.DecodeRune(f)
	return unicode.IsSpace(r)
}

// close flushes and closes every estate file, reporting the first error.
func (inv *inventory) close() error {
	err := inv.err
	for _, o := range inv.outs {
		for _, step := range []func() error{
			func() error { o.w.Flush(); return o.w.Error() },
			func() error { o.xw.Flush(); return o.xw.Error() },
			o.bw.Flush, o.xbw.Flush, o.f.Close, o.xf.Close,
		} {
			if e := step(); e != nil && err == nil {
				err = e
			}
		}
	}
	return err
}

func (b *builder) models(rid roleID, me extract.Sym) table {
	var t table
	for k, n := range b.e.inv.counts {
		if k.role == rid && k.party == me {
			t.rows = append(t.rows, []string{b.sym.Name(k.deviceType), b.sym.Name(k.model), b.sym.Name(k.firmware), itoa(n)})
		}
	}
	sortRows(t.rows, 3)
	return t
}

// sortRows sorts rows by their first n cells.
func sortRows(rows [][]string, n int) {
	sort.Slice(rows, func(i, j int) bool {
		for c := 0; c < n; c++ {
			if rows[i][c] != rows[j][c] {
				return rows[i][c] < rows[j][c]
			}
		}
		return false
	})
}

// firmwareShare builds firmware-share.csv: device_model,series,firmware_version,share.
// Peers of a model are labelled "peer 1", "peer 2", … in the order of their
// own shares, so a label says nothing about who the peer is and is not
// stable across models, reports or periods.
func (b *builder) firmwareShare(rid roleID, me extract.Sym) table {
	type fw map[string]int64 // firmware → devices
	byModel := map[string]map[extract.Sym]fw{}
	for k, n := range b.e.inv.counts {
		if k.role != rid {
			continue
		}
		model := b.sym.Name(k.model)
		m := byModel[model]
		if m == nil {
			m = map[extract.Sym]fw{}
			byModel[model] = m
		}
		f := m[k.party]
		if f == nil {
			f = fw{}
			m[k.party] = f
		}
		f[b.sym.Name(k.firmware)] += n
	}
	// a peer's shares are rounded (PeerRate); the recipient's and the
	// industry's keep full precision
	shares := func(f fw, peer bool) [][2]string {
		var total int64
		for _, n := range f {
			total += n
		}
		var out [][2]string
		for v, n := range f {
			r := Rate(n, total)
			if peer {
				r = PeerRate(n, total)
			}
			out = append(out, [2]string{v, FormatRate(r)})
		}
		sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
		return out
	}
	var t table
	var models []string
	for model, parties := range byModel {
		if parties[me] != nil {
			models = append(models, model)
		}
	}
	sort.Strings(models)
	var withheld []string
	for _, model := range models {
		parties := byModel[model]
		for _, s := range shares(parties[me], false) {
			t.rows = append(t.rows, []string{model, "you", s[0], s[1]})
		}
		peers := len(parties) - 1
		if !Disclosed(peers, b.k) {
			withheld = append(withheld, model)
			continue
		}
		ind := fw{}
		var peerShares [][][2]string
		for p, f := range parties {
			for v, n := range f {
				ind[v] += n
			}
			if p != me {
				peerShares = append(peerShares, shares(f, true))
			}
		}
		for _, s := range shares(ind, false) {
			t.rows = append(t.rows, []string{model, "industry", s[0], s[1]})
		}
		// peers in the order of their shares as text (no stable label):
		// each peer's text made once, not once per comparison
		byText := make([]string, len(peerShares))
		order := make([]int, len(peerShares))
		for i, ps := range peerShares {
			byText[i], order[i] = fmt.Sprint(ps), i
		}
		sort.Slice(order, func(i, j int) bool { return byText[order[i]] < byText[order[j]] })
		for i, k := range order {
			ps := peerShares[k]
			for _, s := range ps {
				t.rows = append(t.rows, []string{model, fmt.Sprintf("peer %d", i+1), s[0], s[1]})
			}
		}
	}
	if len(withheld) > 0 {
		t.withheld = fmt.Sprintf("Peer and industry series withheld for %s: fewer than %d other parties hold %s.",
			strings.Join(withheld, ", "), b.k, plural(len(withheld), "that model", "those models"))
	}
	return t
}

// estateFile compresses the recipient's streamed estate into
// devices.csv.gz in the stage folder and returns its path.
func (b *builder) estateFile(role contract.Role, me extract.Sym) (string, error) {
	dir := filepath.Join(b.e.cfg.StageDir, "estate", b.sym.Name(me), string(role))
	src := filepath.Join(dir, "devices.csv")
	if _, err := os.Stat(src); os.IsNotExist(err) {
		// an empty estate still gets a file with the header
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", err
		}
		hdr := strings.Join(estateHeader, ",") + "\n"
		if err := os.WriteFile(src, []byte(hdr), 0o600); err != nil {
			return "", err
		}
	}
	dst := filepath.Join(dir, "devices.csv.gz")
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return "", err
	}
	zw, _ := gzip.NewWriterLevel(out, gzip.BestSpeed)
	_, err = io.Copy(zw, in)
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("compressing estate of %s: %w", b.sym.Name(me), err)
	}
	return dst, nil
}

// exceptions reads back the recipient's streamed exception list.
func (b *builder) exceptions(role contract.Role, me extract.Sym) (table, error) {
	var t table
	path := filepath.Join(b.e.cfg.StageDir, "estate", b.sym.Name(me), string(role), "exceptions.csv")
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return t, nil
	}
	if err != nil {
		return t, err
	}
	defer f.Close()
	rows, err := csv.NewReader(bufio.NewReader(f)).ReadAll()
	if err != nil {
		return t, fmt.Errorf("reading back %s: %w", path, err)
	}
	if len(rows) > 0 {
		rows = rows[1:]
	}
	// the contract's columns go to the CSV; the expiry date is shown beside
	n := len(exceptionHeader)
	dates := ExtraColumn{Name: "expires_on", Cells: make([]string, len(rows))}
	for i, r := range rows {
		t.rows = append(t.rows, r[:n:n])
		dates.Cells[i] = r[n]
	}
	t.extra = []ExtraColumn{dates}
	return t, nil
}
