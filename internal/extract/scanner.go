package extract

// RFC 4180 without encoding/csv. Three rules keep the parallel reader exact
// and make broken quoting cheap:
//
//  1. One function, parseRecord, says where a record ends. The block
//     splitter (one goroutine, jumping from quote to quote and parsing
//     only the records that hold one) and the field scanner (many
//     goroutines) both use it, so a block always holds whole records.
//  2. A record whose quoting is broken (a stray quote, an unterminated
//     quoted field, a quoted field open over more than maxQuotedLines
//     lines, or a quoted line break that joins lines into a record with
//     the wrong number of fields) is a bad row made of its first physical
//     line only; reading resumes on the next line. So a stray '"' costs
//     one bad row, never the rows after it, and the rows read (good and
//     bad) account for every line of the file.
//  3. Line numbers count every '\n' in the file, including those inside
//     quoted fields and on blank lines, so "file:line" points at the row's
//     first physical line, as encoding/csv's FieldPos does.
//
// Otherwise the scanner reads what encoding/csv reads: "" escapes, CRLF
// (also inside quoted fields, as LF), a trailing CR at end of file dropped,
// blank lines skipped. A leading BOM is removed by the caller.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
)

// recordScanner splits a block of whole records into fields. Fields point
// into the block or into scratch and are valid until the next call to next.
type recordScanner struct {
	data    []byte
	pos     int
	line    int64 // line of the next record
	ncols   int   // fields a record spanning lines must have; 0: no check (the header)
	fields  [][]byte
	scratch []byte
	// nonASCII says whether the last record holds a byte >= 0x80, so that
	// only such records pay for a UTF-8 check.
	nonASCII bool
}

func (s *recordScanner) reset(data []byte, line int64) {
	s.data, s.pos, s.line = data, 0, line
}

// next returns the next record, the line it starts on and, when its quoting
// is broken, why (the record is consumed either way). ok is false at the end
// of the data.
func (s *recordScanner) next() (fields [][]byte, line int64, bad string, ok bool) {
	for {
		if s.pos >= len(s.data) {
			return nil, 0, "", false
		}
		rest := s.data[s.pos:]
		rec, consumed := rest, len(rest)
		if e := bytes.IndexByte(rest, '\n'); e >= 0 {
			rec, consumed = rest[:e], e+1
		}
		line = s.line
		if bytes.IndexByte(rec, '"') >= 0 {
			at := s.pos
			fields, line, bad, ok = s.slow()
			s.nonASCII = !isASCII(s.data[at:s.pos])
			return fields, line, bad, ok
		}
		fields = s.fields[:0]
		start := 0
		i := 0
		var hi uint64 // the OR of every byte: its high bits say whether one is >= 0x80
		// Eight bytes at a time: a byte equal to ',' becomes zero after
		// the XOR, and the exact zero-byte test (no borrow between bytes)
		// sets its high bit.
		for ; i+8 <= len(rec); i += 8 {
			w := binary.LittleEndian.Uint64(rec[i:])
			hi |= w
			x := w ^ 0x2c2c2c2c2c2c2c2c
			m := ^(((x & 0x7f7f7f7f7f7f7f7f) + 0x7f7f7f7f7f7f7f7f) | x | 0x7f7f7f7f7f7f7f7f)
			for m != 0 {
				j := i + bits.TrailingZeros64(m)>>3
				fields = append(fields, rec[start:j])
				start = j + 1
				m &= m - 1
			}
		}
		for ; i < len(rec); i++ {
			hi |= uint64(rec[i])
			if rec[i] == ',' {
				fields = append(fields, rec[start:i])
				start = i + 1
			}
		}
		s.nonASCII = hi&0x8080808080808080 != 0
		last := rec[start:]
		if n := len(last); n > 0 && last[n-1] == '\r' {
			last = last[:n-1]
		}
		s.pos += consumed
		s.line++
		if len(fields) == 0 && len(last) == 0 {
			continue // blank line
		}
		fields = append(fields, last)
		s.fields = fields
		return fields, line, "", true
	}
}

// slow parses a record holding a quote, starting at s.pos. The block holds
// whole records, so its end is the end of the file for parseRecord.
func (s *recordScanner) slow() (fields [][]byte, line int64, bad string, ok bool) {
	data, start := s.data, s.pos
	line = s.line
	rp, _ := parseRecord(data, start, true, s.ncols, s)
	p := rp.end
	fields = s.fields
	if rp.bad != "" {
		fields = nil
	}
	s.line += int64(bytes.Count(data[start:p], []byte{'\n'}))
	if p == len(data) && (p == start || data[p-1] != '\n') {
		s.line++ // last record without a final newline
	}
	s.pos = p
	return fields, line, rp.bad, true
}

// isASCII reports whether every byte of b is below 0x80.
func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// maxQuotedLines is how many line ends one quoted field may hold. A field
// holding more is taken for an unterminated quote: real fields of the
// extracts (names, models, titles) hold a few at most.
const maxQuotedLines = 64

// record is what parseRecord found.
type record struct {
	end     int    // after the record's '\n', or len(b) at the end of the file
	seen    int    // the bytes of b up to seen decided where the record ends and why
	bad     string // why the quoting is broken; empty when it is not
	fields  int    // number of fields (when not bad)
	spanned bool   // a quoted field holds a line end: the record spans lines
}

// parseRecord parses the record that starts at start, b[start] being the
// first byte after a record boundary. It is the one definition of a record
// that the block splitter (sc == nil) and the field scanner (sc != nil:
// fields go to sc.fields) share, so blocks always hold whole records:
//
//   - a field that starts with '"' is quoted up to the next lone '"' (""
//     is an escaped quote); after it comes ',', a line end or the end of
//     the file, else the quoting is broken;
//   - any other field runs to the next ',' or '\n'; a '"' in it breaks the
//     quoting;
//   - a quoted field left open at the end of the file or holding more than
//     maxQuotedLines line ends breaks the quoting;
//   - when ncols > 0, a record that spans lines must have ncols fields:
//     a stray quote that happens to close far below must not join lines
//     into one record.
//
// A record whose quoting is broken is its first physical line only, and the
// next record starts on the next line: a stray quote costs one bad row, and
// every line is still read. decided is false when b ends before the record
// can be told (only when !atEOF: b may continue).
func parseRecord(b []byte, start int, atEOF bool, ncols int, sc *recordScanner) (r record, decided bool) {
	n := len(b)
	p := start
	quotedLines := 0
	if sc != nil {
		sc.fields = sc.fields[:0]
		sc.scratch = sc.scratch[:0]
	}
	bad := ""
fields:
	for {
		if p < n && b[p] == '"' {
			p++
			st := 0
			if sc != nil {
				st = len(sc.scratch)
			}
			for {
				q := bytes.IndexByte(b[p:], '"')
				seg := b[p:]
				if q >= 0 {
					seg = b[p : p+q]
				}
				nl := bytes.Count(seg, []byte{'\n'})
				if quotedLines+nl > maxQuotedLines {
					// decided at the line end one past the limit
					at := p
					for k := quotedLines; k <= maxQuotedLines; k++ {
						at += bytes.IndexByte(b[at:], '\n') + 1
					}
					r.seen = at
					bad = fmt.Sprintf("unterminated quoted field (open over more than %d lines)", maxQuotedLines)
					break fields
				}
				quotedLines += nl
				if q < 0 {
					if !atEOF {
						return r, false
					}
					r.seen = n
					bad = "unterminated quoted field"
					break fields
				}
				if sc != nil {
					sc.scratch = appendCRLFAsLF(sc.scratch, seg)
				}
				p += q + 1
				if p == n && !atEOF {
					return r, false // the next byte may make it an escaped quote
				}
				if p < n && b[p] == '"' {
					if sc != nil {
						sc.scratch = append(sc.scratch, '"')
					}
					p++
					continue
				}
				break
			}
			r.fields++
			if sc != nil {
				sc.fields = append(sc.fields, sc.scratch[st:len(sc.scratch):len(sc.scratch)])
			}
			switch {
			case p == n:
				break fields
			case b[p] == ',':
				p++
			case b[p] == '\n':
				p++
				break fields
			case b[p] == '\r' && p+1 == n:
				if !atEOF {
					return r, false
				}
				p++
				break fields
			case b[p] == '\r' && b[p+1] == '\n':
				p += 2
				break fields
			default:
				r.seen = p + 1
				bad = "unexpected character after closing quote"
				break fields
			}
			continue
		}
		j := p
		for j < n && b[j] != ',' && b[j] != '\n' && b[j] != '"' {
			j++
		}
		if j < n && b[j] == '"' {
			r.seen = j + 1
			bad = "quote in unquoted field"
			break
		}
		if j == n && !atEOF {
			return r, false
		}
		r.fields++
		if sc != nil {
			f := b[p:j]
			if j == n || b[j] == '\n' {
				if k := len(f); k > 0 && f[k-1] == '\r' {
					f = f[:k-1]
				}
			}
			sc.fields = append(sc.fields, f)
		}
		if j == n {
			p = n
			break
		}
		p = j + 1
		if b[j] == '\n' {
			break
		}
	}
	r.spanned = quotedLines > 0
	if bad == "" && r.spanned && ncols > 0 && r.fields != ncols {
		r.seen = p
		bad = fmt.Sprintf("quoted line break joins lines into a record of %d fields (want %d)", r.fields, ncols)
	}
	if bad == "" {
		r.end, r.seen = p, p
		return r, true
	}
	// broken: the record is its first line
	nl := bytes.IndexByte(b[start:], '\n')
	switch {
	case nl >= 0:
		r.end = start + nl + 1
	case !atEOF:
		return r, false
	default:
		r.end = n
	}
	r.seen = max(r.seen, r.end)
	r.bad, r.fields = bad, 0
	if sc != nil {
		sc.fields = sc.fields[:0]
	}
	return r, true
}

// appendCRLFAsLF appends seg to dst with each "\r\n" turned into "\n", as
// encoding/csv does inside quoted fields.
func appendCRLFAsLF(dst, seg []byte) []byte {
	for {
		i := bytes.Index(seg, []byte{'\r', '\n'})
		if i < 0 {
			return append(dst, seg...)
		}
		dst = append(dst, seg[:i]...)
		dst = append(dst, '\n')
		seg = seg[i+2:]
	}
}

// lastBoundary returns the length of the longest prefix of b made of whole
// records, given that from is a record boundary (0, or the end of the
// header, whose decision needed the bytes up to need); it returns from when
// there is no later boundary (0: none). b may continue past its end.
//
// A cut must also hold every byte that decided the records before it (a
// bad record is its first line, but what made it bad may lie below), so
// that the field scanner, which sees only the block, decides the same and
// gives the same reason whatever the block size. Lines without a quote are
// records of their own, so it jumps from quote to quote with
// bytes.IndexByte and parses only the records that hold one: a block
// without quotes costs two SIMD scans.
func lastBoundary(b []byte, from, need, ncols int) int {
	best := 0
	if from >= need {
		best = from
	}
	p := from
	for {
		q := bytes.IndexByte(b[p:], '"')
		if q < 0 {
			if j := bytes.LastIndexByte(b[p:], '\n'); j >= 0 && p+j+1 >= need {
				return p + j + 1
			}
			return best
		}
		q += p
		ls := p
		if j := bytes.LastIndexByte(b[p:q], '\n'); j >= 0 {
			ls = p + j + 1 // quote-free lines before the quote's line are records
			if ls >= need {
				best = ls
			}
		}
		end, seen, ok := recordEnd(b, ls, false, ncols)
		if !ok {
			return best
		}
		need = max(need, seen)
		p = end
		if p >= need {
			best = p
		}
	}
}

// recordEnd is parseRecord's end and seen for the splitter, with a fast
// path for the common record that holds quotes: one line whose quoted
// fields open at a field start and close, on that line, before a ',' or
// the line end. Such a record ends at its line end whatever its field
// count (it spans no lines), so neither fields nor field counts are
// needed; anything else is left to parseRecord.
func recordEnd(b []byte, start int, atEOF bool, ncols int) (end, seen int, decided bool) {
	nl := bytes.IndexByte(b[start:], '\n')
	if nl >= 0 {
		le := start + nl // the line's '\n'
		p := start
		for {
			q := bytes.IndexByte(b[p:le], '"')
			if q < 0 {
				return le + 1, le + 1, true
			}
			q += p
			if q != start && b[q-1] != ',' {
				break // a quote inside an unquoted field
			}
			r := q + 1
			closed := false
			for {
				c := bytes.IndexByte(b[r:le], '"')
				if c < 0 {
					break // open past the line end
				}
				r += c + 1
				if b[r] == '"' { // r < le: b[le] is '\n'
					r++
					continue
				}
				closed = true
				break
			}
			if !closed {
				break
			}
			switch {
			case b[r] == ',':
				p = r + 1
				continue
			case r == le || r+1 == le && b[r] == '\r':
				return le + 1, le + 1, true
			}
			break // text after the closing quote
		}
	}
	rec, ok := parseRecord(b, start, atEOF, ncols, nil)
	return rec.end, rec.seen, ok
}

// headerEnd returns the end of the header record of a file starting at b
// (after a BOM and blank lines, as the readers skip them), how far the
// bytes that decided it run, and its number of fields; ok is false when b
// is too short to tell.
func headerEnd(b []byte, atEOF bool) (end, seen, ncols int, ok bool) {
	p := 0
	if bytes.HasPrefix(b, bom) {
		p = len(bom)
	}
	for {
		nl := bytes.IndexByte(b[p:], '\n')
		if nl < 0 || (nl > 0 && !(nl == 1 && b[p] == '\r')) {
			break
		}
		p += nl + 1 // a blank line
	}
	r, ok := parseRecord(b, p, atEOF, 0, nil)
	if !ok {
		return 0, 0, 0, false
	}
	return r.end, r.seen, r.fields, true
}

// bom is the UTF-8 byte order mark a file may start with.
var bom = []byte("\xef\xbb\xbf")

// Block sizes: big blocks amortise the hand-over between goroutines; a
// record may grow a block up to maxRecordBytes, beyond which it must be a
// broken quote.
const (
	defaultBlockSize = 4 << 20
	maxRecordBytes   = 16 << 20
)

// errRecordTooLong is returned by splitter.next when no record boundary is
// found within maxRecordBytes; errBareCR when, moreover, that stretch has
// carriage returns and no line feed (classic Mac line ends).
var (
	errRecordTooLong = errors.New("record too long")
	errBareCR        = errors.New("bare CR line ends")
)

// tooLong is the error for a stretch b with no record boundary.
func (s *splitter) tooLong(b []byte) error {
	if bytes.IndexByte(b, '\n') < 0 && bytes.IndexByte(b, '\r') >= 0 {
		return errBareCR
	}
	return errRecordTooLong
}

// block is a run of whole records and the line its first record starts on.
type block struct {
	buf  []byte // the pooled buffer holding data, handed back when done
	data []byte
	line int64
}

// splitter reads a stream into record-aligned blocks, reusing a bounded
// pool of buffers so memory stays flat whatever the file size. Over a
// memory-mapped file (mapped != nil) blocks are slices of the mapping: no
// copy at all, and a finished block's pages are handed back to the kernel
// (release) so that resident memory stays flat too.
type splitter struct {
	r     io.Reader
	size  int
	pool  chan []byte
	made  int
	carry []byte // bytes after the last cut: the start of the next record
	line  int64  // line of the first byte of carry
	eof   bool

	mapped  []byte
	off     int          // next byte of mapped to hand out
	release func([]byte) // drops a finished block's pages; may be nil

	// ncols is the number of fields of the header, once the first block
	// is cut (see parseRecord); 0 before.
	ncols int
}

// boundary returns the length of the longest prefix of b (the data from
// the next byte to hand out) made of whole records, or 0. The first call
// sees the start of the file and finds the header first.
func (s *splitter) boundary(b []byte) int {
	from, need := 0, 0
	if s.ncols == 0 {
		end, seen, ncols, ok := headerEnd(b, false)
		if !ok {
			return 0
		}
		s.ncols = max(ncols, 1)
		from, need = end, seen
	}
	return lastBoundary(b, from, need, s.ncols)
}

// releaseMargin is how far around a finished block its pages are released.
const releaseMargin = 256 << 10

// newMappedSplitter splits data, which the caller keeps valid (a file
// mapping), into blocks without copying.
func newMappedSplitter(data []byte, size int, release func([]byte)) *splitter {
	if size <= 0 {
		size = defaultBlockSize
	}
	if data == nil {
		data = []byte{}
	}
	return &splitter{size: size, line: 1, mapped: data, release: release}
}

// done hands a finished block back: its buffer to the pool, or its pages
// to the kernel.
func (s *splitter) done(b block) {
	if s.mapped != nil {
		if s.release != nil && len(b.data) > 0 {
			// Reading a page maps its neighbours too (the kernel's fault
			// around), so pages of a block released earlier come back when
			// the next block is read: release a margin on either side,
			// within the mapping.
			at := int(uintptr(unsafePointer(b.data)) - uintptr(unsafePointer(s.mapped)))
			lo, hi := max(at-releaseMargin, 0), min(at+len(b.data)+releaseMargin, len(s.mapped))
			s.release(s.mapped[lo:hi])
		}
		return
	}
	s.put(b.buf)
}

// nextMapped is next over a mapping.
func (s *splitter) nextMapped() (block, error) {
	rest := s.mapped[s.off:]
	if len(rest) == 0 {
		return block{}, io.EOF
	}
	n := min(s.size, len(rest))
	cut := n
	for n < len(rest) {
		if cut = s.boundary(rest[:n]); cut > 0 {
			break
		}
		if n >= maxRecordBytes {
			return block{}, s.tooLong(rest[:n])
		}
		n = min(2*n, maxRecordBytes, len(rest))
		cut = n
	}
	b := block{data: rest[:cut:cut], line: s.line}
	s.line += int64(bytes.Count(b.data, []byte{'\n'}))
	s.off += cut
	return b, nil
}

func newSplitter(r io.Reader, size, buffers int) *splitter {
	if size <= 0 {
		size = defaultBlockSize
	}
	return &splitter{r: r, size: size, pool: make(chan []byte, buffers), line: 1}
}

// get takes a buffer from the pool, making one while fewer than the pool's
// capacity exist, else waiting for a worker to hand one back.
func (s *splitter) get() []byte {
	select {
	case b := <-s.pool:
		return b
	default:
	}
	if s.made < cap(s.pool) {
		s.made++
		return make([]byte, s.size)
	}
	return <-s.pool
}

// put hands a buffer back; it never blocks.
func (s *splitter) put(b []byte) {
	select {
	case s.pool <- b:
	default:
	}
}

// next returns the next block, or io.EOF after the last one.
func (s *splitter) next() (block, error) {
	if s.mapped != nil {
		return s.nextMapped()
	}
	buf := s.get()
	if cap(buf) < 2*len(s.carry) || cap(buf) < s.size {
		buf = make([]byte, 2*len(s.carry)+s.size)
	}
	buf = buf[:cap(buf)]
	n := copy(buf, s.carry)
	s.carry = nil
	for {
		for n < len(buf) && !s.eof {
			m, err := s.r.Read(buf[n:])
			n += m
			if err == io.EOF {
				s.eof = true
			} else if err != nil {
				s.put(buf)
				return block{}, err
			}
		}
		if s.eof {
			if n == 0 {
				s.put(buf)
				return block{}, io.EOF
			}
			b := block{buf: buf, data: buf[:n], line: s.line}
			s.line += int64(bytes.Count(b.data, []byte{'\n'}))
			return b, nil
		}
		if cut := s.boundary(buf[:n]); cut > 0 {
			b := block{buf: buf, data: buf[:cut], line: s.line}
			s.line += int64(bytes.Count(b.data, []byte{'\n'}))
			s.carry = buf[cut:n]
			return b, nil
		}
		if len(buf) >= maxRecordBytes {
			return block{}, s.tooLong(buf[:n])
		}
		nb := make([]byte, min(2*len(buf), maxRecordBytes))
		copy(nb, buf[:n])
		buf = nb
	}
}
