package bench

// Inventory of each party's estate (outputs.md, "Inventory views"). The
// device-level files (every device of the estate, the exception list) are
// streamed row by row into per-party files in the private stage folder;
// only the counts by model and firmware stay in memory.
//
// An estate row carries the ownership columns of devices.csv, which name
// other parties (the DNO of a supplier's meter, the other supplier of a
// shared hub). A bundle never names another party, so those cells read
// "(other party)"; the recipient's own id stays.

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dcc/carport/internal/extract"
	"github.com/dcc/carport/internal/reportdef"
)

// OtherParty replaces another party's id in an estate file.
const OtherParty = "(other party)"

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
}

type inventory struct {
	e        *Engine
	counts   map[invKey]int64
	outs     map[gkey]*estateOut // code unused: (role, party)
	cplDay   int32               // last day of period + CPL window, days since epoch
	certDay  int32
	ownerCol [4]int // columns of import, export, gas supplier and dno in DeviceColumns
	roles    [4]extract.Role
	line     []byte // one estate row being encoded
	err      error
}

func newInventory(e *Engine) (*inventory, error) {
	p := e.cfg.Period
	last := int32(time.Date(p.Year, p.Month+1, 0, 0, 0, 0, 0, time.UTC).Unix() / 86400)
	pol := e.cfg.Suite.Policy
	inv := &inventory{e: e, counts: map[invKey]int64{}, outs: map[gkey]*estateOut{},
		cplDay: last + int32(pol.CPLExpiryDays), certDay: last + int32(pol.CertExpiryDays),
		roles: [4]extract.Role{extract.IS, extract.ES, extract.GS, extract.ED}}
	for i, name := range []string{"import_supplier_id", "export_supplier_id", "gas_supplier_id", "dno_id"} {
		for j, c := range extract.DeviceColumns {
			if c == name {
				inv.ownerCol[i] = j
			}
		}
	}
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
	for i, owner := range owners {
		if owner == extract.Null {
			continue
		}
		role := inv.roles[i]
		p := inv.e.Parties.Get(inv.e.sym.Name(owner))
		if p == nil || !p.HasRole(role) {
			continue
		}
		rid := roleIndex(role)
		inv.counts[invKey{rid, owner, d.DeviceType, d.Model, d.Firmware}]++
		out, err := inv.out(gkey{role: rid, party: owner})
		if err != nil {
			inv.err = err
			return
		}
		inv.writeRow(out, d, owners, owner)
	}
}

func (inv *inventory) out(k gkey) (*estateOut, error) {
	if o := inv.outs[k]; o != nil {
		return o, nil
	}
	dir := filepath.Join(inv.e.cfg.StageDir, "estate", inv.e.sym.Name(k.party), string(extract.Roles[k.role]))
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
	o.w.Write(append(append([]string{}, extract.DeviceColumns...), "cpl_expires_within_30_days", "cert_expires_within_90_days"))
	o.w.Flush() // the header goes first: rows are then encoded by writeRow
	o.xw.Write(append(append([]string{}, exceptionHeader...), "expires_on"))
	o.xw.Flush()
	inv.outs[k] = o
	return o, nil
}

var exceptionHeader = []string{"device_id", "device_type", "device_model", "firmware_version", "mpxn", "postcode", "reason"}

// The streamed exception list carries one more column than the contract's
// exceptions.csv: the expiry date behind each reason, which the site shows
// beside the row (the estate file holds the same dates).
var (
	cplDateCol  = slices.Index(extract.DeviceColumns, "cpl_expiry_date")
	certDateCol = slices.Index(extract.DeviceColumns, "cert_expiry_date")
)

func (inv *inventory) writeRow(o *estateOut, d *extract.Device, owners [4]extract.Sym, me extract.Sym) {
	// Encoded straight from the row's bytes, as encoding/csv would write
	// the same cells: a []string per row was most of the devices stage's
	// allocation.
	line := inv.line[:0]
	for i, f := range d.Fields {
		if i > 0 {
			line = append(line, ',')
		}
		other := false
		for k, col := range inv.ownerCol {
			if col == i && owners[k] != extract.Null && owners[k] != me {
				other = true
			}
		}
		if other {
			line = append(line, OtherParty...)
		} else {
			line = appendCSVField(line, f)
		}
	}
	cpl := d.CPLExpiry != extract.NoDate && d.CPLExpiry <= inv.cplDay
	cert := d.CertExpiry != extract.NoDate && d.CertExpiry <= inv.certDay
	line = append(line, ',')
	line = strconv.AppendBool(line, cpl)
	line = append(line, ',')
	line = strconv.AppendBool(line, cert)
	line = append(line, '\n')
	if _, err := o.bw.Write(line); err != nil && inv.err == nil {
		inv.err = err
	}
	inv.line = line
	o.rows++
	if !cpl && !cert {
		return
	}
	typ, model, fw := inv.e.sym.Name(d.DeviceType), inv.e.sym.Name(d.Model), inv.e.sym.Name(d.Firmware)
	for _, x := range [2]struct {
		hit    bool
		reason string
		date   []byte
	}{{cpl, "cpl-expiry", d.Fields[cplDateCol]}, {cert, "cert-expiry", d.Fields[certDateCol]}} {
		if !x.hit {
			continue
		}
		line = line[:0]
		for i, f := range [][]byte{d.ID, []byte(typ), []byte(model), []byte(fw), d.MPXN, d.Postcode, []byte(x.reason), x.date} {
			if i > 0 {
				line = append(line, ',')
			}
			line = appendCSVField(line, f)
		}
		line = append(line, '\n')
		if _, err := o.xbw.Write(line); err != nil && inv.err == nil {
			inv.err = err
		}
		o.xs++
	}
	inv.line = line
}

// appendCSVField appends f as encoding/csv's Writer writes a field (comma
// separator, LF line ends): quoted, with quotes doubled, when it holds a
// comma, quote, CR or LF, starts with a space, or is exactly \.
func appendCSVField(dst, f []byte) []byte {
	if !csvNeedsQuotes(f) {
		return append(dst, f...)
	}
	dst = append(dst, '"')
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

// csvNeedsQuotes is encoding/csv's fieldNeedsQuotes for a comma separator.
func csvNeedsQuotes(f []byte) bool {
	if len(f) == 0 {
		return false
	}
	if string(f) == `\.` {
		return true
	}
	if bytes.ContainsAny(f, ",\"\r\n") {
		return true
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

// inventoryView builds one inventory view for the recipient in role.
func (b *builder) inventoryView(v reportdef.View, role extract.Role, me extract.Sym) (table, string, error) {
	rid := roleIndex(role)
	switch v.Kind {
	case "models":
		return b.models(rid, me), "", nil
	case "firmware_share":
		return b.firmwareShare(rid, me), "", nil
	case "estate":
		f, err := b.estateFile(role, me)
		return table{}, f, err
	case "exceptions":
		return b.exceptions(role, me)
	}
	return table{}, "", fmt.Errorf("view %q: kind %q is not implemented for devices", v.ID, v.Kind)
}

func (b *builder) models(rid roleID, me extract.Sym) table {
	t := table{header: []string{"device_type", "device_model", "firmware_version", "devices"}}
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
	shares := func(f fw) [][2]string {
		var total int64
		for _, n := range f {
			total += n
		}
		var out [][2]string
		for v, n := range f {
			out = append(out, [2]string{v, FormatRate(Rate(n, total))})
		}
		sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
		return out
	}
	t := table{header: []string{"device_model", "series", "firmware_version", "share"}}
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
		for _, s := range shares(parties[me]) {
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
				peerShares = append(peerShares, shares(f))
			}
		}
		for _, s := range shares(ind) {
			t.rows = append(t.rows, []string{model, "industry", s[0], s[1]})
		}
		sort.Slice(peerShares, func(i, j int) bool { return fmt.Sprint(peerShares[i]) < fmt.Sprint(peerShares[j]) })
		for i, ps := range peerShares {
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
func (b *builder) estateFile(role extract.Role, me extract.Sym) (string, error) {
	dir := filepath.Join(b.e.cfg.StageDir, "estate", b.sym.Name(me), string(role))
	src := filepath.Join(dir, "devices.csv")
	if _, err := os.Stat(src); os.IsNotExist(err) {
		// an empty estate still gets a file with the header
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", err
		}
		hdr := strings.Join(append(append([]string{}, extract.DeviceColumns...), "cpl_expires_within_30_days", "cert_expires_within_90_days"), ",") + "\n"
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
func (b *builder) exceptions(role extract.Role, me extract.Sym) (table, string, error) {
	t := table{header: exceptionHeader}
	path := filepath.Join(b.e.cfg.StageDir, "estate", b.sym.Name(me), string(role), "exceptions.csv")
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return t, "", nil
	}
	if err != nil {
		return t, "", err
	}
	defer f.Close()
	rows, err := csv.NewReader(bufio.NewReader(f)).ReadAll()
	if err != nil {
		return t, "", fmt.Errorf("reading back %s: %w", path, err)
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
	return t, "", nil
}
