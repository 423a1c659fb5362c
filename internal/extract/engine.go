package extract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"sort"
	"sync"
	"unicode/utf8"

	"github.com/dcc/carport/internal/contract"
)

// Options configure the readers of the period's extracts.
type Options struct {
	Period         contract.Period // the reporting month; required by the event readers
	Parties        *Parties        // every party id and role must be in it (else the row is bad)
	Symbols        *Symbols        // where strings are interned; required
	MaxBadFraction float64         // bad rows tolerated per file; 0 means 0.001 (0.1%)
	Workers        int             // parsing goroutines; 0 means runtime.GOMAXPROCS(0)
	Examples       int             // "file:line: reason" examples kept per file; 0 means 5
	BlockSize      int             // bytes per block handed to a worker; 0 means 4 MiB
	// AnyTime reads the event files without a period: every valid row is
	// passed on, with Day -1 and InPeriod false, and none is counted as
	// outside the period (lint reads codes this way).
	AnyTime bool
}

// withDefaults fills the zero fields and checks the required ones.
func (o Options) withDefaults(needPeriod bool) (Options, error) {
	if o.MaxBadFraction == 0 {
		o.MaxBadFraction = 0.001
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.Examples <= 0 {
		o.Examples = 5
	}
	if o.BlockSize <= 0 {
		o.BlockSize = defaultBlockSize
	}
	if o.Symbols == nil {
		return o, errors.New("extract: Options.Symbols is nil")
	}
	if o.Parties == nil {
		return o, errors.New("extract: Options.Parties is nil")
	}
	if needPeriod && !o.AnyTime && o.Period.Days() <= 0 {
		return o, errors.New("extract: Options.Period is not set")
	}
	return o, nil
}

// check applies the bad-row threshold to a finished report.
func (o Options) check(rep FileReport) error {
	if float64(rep.Bad) > o.MaxBadFraction*float64(rep.Rows) {
		return &TooManyBadRowsError{Report: rep, Threshold: o.MaxBadFraction}
	}
	return nil
}

// fileSpec describes one extract file for scanFile.
type fileSpec struct {
	file contract.File // the extract and the columns it must have
	// rows, when set, is told before any row how many rows the file
	// likely holds, when that can be told (a plain file: its size over the
	// line length of its first block).
	rows func(n int64)
}

// rowFunc checks one record (whose field count matches the header) and
// passes it on. outside reports a valid row outside the period.
type rowFunc func(f [][]byte, line int64) (outside bool, bad *badRow)

// example is a kept bad row.
type example struct {
	line int64
	bad  *badRow
}

// scanResult is what scanFile found, before the threshold is applied.
type scanResult struct {
	rep      FileReport
	path     string
	examples []example // the first o.Examples bad rows, by line
}

// resolveColumns maps each wanted column to its index in the header, -1
// for an absent optional column.
func resolveColumns(path string, header [][]byte, want []contract.Column) ([]int, error) {
	at := make(map[string]int, len(header))
	dup := map[string]bool{}
	for i, h := range header {
		name := string(h)
		if _, ok := at[name]; ok {
			dup[name] = true
		}
		at[name] = i
	}
	idx := make([]int, len(want))
	for k, c := range want {
		i, ok := at[c.Name]
		switch {
		case dup[c.Name]:
			return nil, &DataError{File: path, Line: 1, Column: c.Name, Msg: "column appears twice in the header"}
		case !ok && !c.Optional:
			return nil, &DataError{File: path, Line: 1, Column: c.Name, Msg: "missing required column",
				Hint: "column names are case-sensitive; see the extract contract"}
		case !ok:
			i = -1
		}
		idx[k] = i
	}
	return idx, nil
}

// scanFile reads one extract: header on this goroutine, then blocks of
// records parsed by o.Workers goroutines, each with the rowFunc that
// newRow made for it (called once per worker, in order, before any row).
func scanFile(dir string, spec fileSpec, o Options, newRow func(w int, idx []int) rowFunc) (res scanResult, err error) {
	src, err := openExtract(dir, spec.file.Name)
	if err != nil {
		return res, err
	}
	defer src.Close()
	res.path = src.path
	res.rep.File = src.name
	defer func() { res.rep.Bytes = src.cnt.n }()

	sp := newSplitter(src.r, o.BlockSize, o.Workers+3)
	if src.mapped != nil {
		sp = newMappedSplitter(src.mapped, o.BlockSize, releasePages)
		// a mapped file that shrinks under us faults: make that an error
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	}
	first, err := sp.safeNext()
	if err == io.EOF {
		return res, &DataError{File: src.path, Line: 1, Msg: "empty file: no header row"}
	}
	if err != nil {
		return res, splitError(src, sp, err)
	}
	data := bytes.TrimPrefix(first.data, bom)
	var sc recordScanner
	sc.reset(data, 1)
	var header [][]byte
	var hline int64
	var bad string
	var ok bool
	if err := guardFault(func() { header, hline, bad, ok = sc.next() }); err != nil {
		return res, splitError(src, sp, err)
	}
	if !ok {
		return res, &DataError{File: src.path, Line: 1, Msg: "empty file: no header row"}
	}
	if bad != "" {
		return res, &DataError{File: src.path, Line: hline, Msg: "bad header: " + bad}
	}
	if err := checkHeader(src.path, hline, header, sc.nonASCII); err != nil {
		return res, err
	}
	idx, err := resolveColumns(src.path, header, spec.file.Columns)
	if err != nil {
		return res, err
	}
	if spec.rows != nil && src.mapped != nil {
		if nl := bytes.Count(first.data, []byte{'\n'}); nl > 0 {
			spec.rows(int64(len(src.mapped)) / int64(len(first.data)) * int64(nl))
		}
	}
	ncols := len(header)
	names := make([]string, ncols)
	for i, h := range header {
		names[i] = string(h)
	}

	workers := make([]*worker, o.Workers)
	for w := range workers {
		workers[w] = &worker{row: newRow(w, idx), ncols: ncols, names: names, keep: o.Examples}
	}
	blocks := make(chan block, 1)
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.run(blocks, sp)
		}()
	}
	blocks <- block{buf: first.buf, data: data[sc.pos:], line: sc.line}
	var readErr error
	for {
		b, err := sp.safeNext()
		if err == io.EOF {
			break
		}
		if err != nil {
			readErr = splitError(src, sp, err)
			break
		}
		blocks <- b
	}
	close(blocks)
	wg.Wait()
	for _, w := range workers {
		if w.err != nil && readErr == nil {
			readErr = splitError(src, sp, w.err)
		}
	}

	res.rep.ByReason = map[string]int64{}
	for _, w := range workers {
		res.rep.Rows += w.rows
		res.rep.Bad += w.bad
		res.rep.OutsidePeriod += w.outside
		for k, v := range w.byReason {
			res.rep.ByReason[k] += v
		}
		res.examples = append(res.examples, w.examples...)
	}
	sort.Slice(res.examples, func(i, j int) bool { return res.examples[i].line < res.examples[j].line })
	if len(res.examples) > o.Examples {
		res.examples = res.examples[:o.Examples]
	}
	for _, e := range res.examples {
		res.rep.Examples = append(res.rep.Examples, fmt.Sprintf("%s:%d: %s", src.name, e.line, e.bad.text()))
	}
	return res, readErr
}

// checkHeader refuses a header whose text is not UTF-8 or that holds a
// bare CR: a file with classic Mac line ends (CR only) is one long line,
// and its header would otherwise read as a missing last column.
func checkHeader(path string, line int64, header [][]byte, nonASCII bool) error {
	if nonASCII {
		if i := invalidUTF8(header); i >= 0 {
			return &DataError{File: path, Line: line, Msg: fmt.Sprintf("header field %d is not valid UTF-8", i+1),
				Hint: "the extracts must be UTF-8 text"}
		}
	}
	for _, h := range header {
		if bytes.IndexByte(h, '\r') >= 0 {
			return &DataError{File: path, Line: line, Msg: "line ends are bare carriage returns (CR), not LF or CRLF",
				Hint: "convert the file's line ends to LF or CRLF"}
		}
	}
	return nil
}

// invalidUTF8 returns the index of the first field that is not valid
// UTF-8, or -1.
func invalidUTF8(fields [][]byte) int {
	for i, f := range fields {
		if !utf8.Valid(f) {
			return i
		}
	}
	return -1
}

// splitError names the file (and line) of a failure to read blocks.
func splitError(src *source, sp *splitter, err error) error {
	if errors.Is(err, errBareCR) {
		return &DataError{File: src.path, Msg: "line ends are bare carriage returns (CR), not LF or CRLF",
			Hint: "convert the file's line ends to LF or CRLF"}
	}
	if errors.Is(err, errRecordTooLong) {
		return &DataError{File: src.path, Line: sp.line,
			Msg:  fmt.Sprintf("record longer than %d MiB", maxRecordBytes>>20),
			Hint: "look for a missing line end from this line on"}
	}
	if errors.Is(err, errFileChanged) {
		return &DataError{File: src.path, Msg: "the file changed while it was being read",
			Hint: "leave the extracts untouched while carport runs"}
	}
	return src.readError(err)
}

// errFileChanged is a fault reading a mapped file: it shrank under us.
var errFileChanged = errors.New("file changed while being read")

// guardFault runs fn and turns a memory fault (a mapped file truncated
// while read, with debug.SetPanicOnFault on) into errFileChanged.
func guardFault(fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if _, fault := r.(interface{ Addr() uintptr }); fault {
				err = errFileChanged
				return
			}
			panic(r)
		}
	}()
	fn()
	return nil
}

// safeNext is next with faults turned into errFileChanged.
func (s *splitter) safeNext() (b block, err error) {
	if s.mapped == nil {
		return s.next()
	}
	if ferr := guardFault(func() { b, err = s.next() }); ferr != nil {
		return block{}, ferr
	}
	return b, err
}

// worker parses blocks and feeds its own rowFunc; its counts are merged
// after the scan, so it needs no lock.
type worker struct {
	row      rowFunc
	ncols    int
	names    []string // the header's column names
	keep     int
	rows     int64
	bad      int64
	outside  int64
	byReason map[string]int64
	examples []example
	err      error // a fault reading a mapped file; later blocks are skipped
}

func (w *worker) run(blocks <-chan block, sp *splitter) {
	sc := recordScanner{ncols: w.ncols}
	if sp.mapped != nil {
		debug.SetPanicOnFault(true)
	}
	for b := range blocks {
		if w.err == nil {
			if err := guardFault(func() { w.block(&sc, b) }); err != nil {
				w.err = err
			}
		}
		sp.done(b)
	}
}

// block parses every record of one block.
func (w *worker) block(sc *recordScanner, b block) {
	sc.reset(b.data, b.line)
	for {
		f, line, quoting, ok := sc.next()
		if !ok {
			return
		}
		w.rows++
		if quoting != "" {
			w.reject(line, errQuoting(quoting))
			continue
		}
		if len(f) != w.ncols {
			w.reject(line, errFieldCount(len(f), w.ncols))
			continue
		}
		if sc.nonASCII {
			if i := invalidUTF8(f); i >= 0 {
				w.reject(line, errUTF8(w.names[i], f[i]))
				continue
			}
		}
		outside, bad := w.row(f, line)
		switch {
		case bad != nil:
			w.reject(line, bad)
		case outside:
			w.outside++
		}
	}
}

func (w *worker) reject(line int64, b *badRow) {
	w.bad++
	if w.byReason == nil {
		w.byReason = map[string]int64{}
	}
	w.byReason[b.class]++
	// A worker sees its blocks in file order, so its first rejects are
	// its lowest lines; the merge keeps the lowest over all workers.
	if len(w.examples) < w.keep {
		w.examples = append(w.examples, example{line, b})
	}
}
