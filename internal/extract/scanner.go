package extract

// RFC 4180 without encoding/csv. Two rules keep the parallel reader exact:
//
//  1. A record ends at the first '\n' outside a quoted field, where a
//     quoted field is opened only by a '"' at the start of a field, "" is
//     an escape and any other '"' closes it. A stray quote inside an
//     unquoted field (`12" screen`) is a literal: the row is bad, the next
//     row is unharmed. The block splitter (one goroutine, jumping from
//     quote to quote) and the field parser (many goroutines) apply this
//     same rule, so a block always holds whole records and broken quoting
//     costs one bad row, not a desynchronised file.
//  2. Line numbers count every '\n' in the file, including those inside
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
	"io"
	"math/bits"
)

// recordScanner splits a block of whole records into fields. Fields point
// into the block or into scratch and are valid until the next call to next.
type recordScanner struct {
	data    []byte
	pos     int
	line    int64 // line of the next record
	fields  [][]byte
	scratch []byte
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
			return s.slow()
		}
		fields = s.fields[:0]
		start := 0
		i := 0
		// Eight bytes at a time: a byte equal to ',' becomes zero after
		// the XOR, and the exact zero-byte test (no borrow between bytes)
		// sets its high bit.
		for ; i+8 <= len(rec); i += 8 {
			x := binary.LittleEndian.Uint64(rec[i:]) ^ 0x2c2c2c2c2c2c2c2c
			m := ^(((x & 0x7f7f7f7f7f7f7f7f) + 0x7f7f7f7f7f7f7f7f) | x | 0x7f7f7f7f7f7f7f7f)
			for m != 0 {
				j := i + bits.TrailingZeros64(m)>>3
				fields = append(fields, rec[start:j])
				start = j + 1
				m &= m - 1
			}
		}
		for ; i < len(rec); i++ {
			if rec[i] == ',' {
				fields = append(fields, rec[start:i])
				start = i + 1
			}
		}
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

// slow parses a record holding a quote, starting at s.pos.
func (s *recordScanner) slow() (fields [][]byte, line int64, bad string, ok bool) {
	data := s.data
	start := s.pos
	p := start
	n := len(data)
	fields = s.fields[:0]
	s.scratch = s.scratch[:0]
	line = s.line
	done := false
	for !done && bad == "" {
		if p < n && data[p] == '"' {
			p++
			st := len(s.scratch)
			for {
				q := bytes.IndexByte(data[p:], '"')
				if q < 0 {
					bad = "unterminated quoted field"
					break
				}
				s.scratch = appendCRLFAsLF(s.scratch, data[p:p+q])
				p += q + 1
				if p < n && data[p] == '"' {
					s.scratch = append(s.scratch, '"')
					p++
					continue
				}
				break
			}
			if bad != "" {
				break
			}
			fields = append(fields, s.scratch[st:len(s.scratch):len(s.scratch)])
			switch {
			case p == n:
				done = true
			case data[p] == ',':
				p++
			case data[p] == '\n':
				p++
				done = true
			case data[p] == '\r' && (p+1 == n || data[p+1] == '\n'):
				p += 2
				done = true
			default:
				bad = "unexpected character after closing quote"
			}
			continue
		}
		j := p
		for j < n && data[j] != ',' && data[j] != '\n' && data[j] != '"' {
			j++
		}
		if j < n && data[j] == '"' {
			bad = "quote in unquoted field"
			break
		}
		f := data[p:j]
		if j == n || data[j] == '\n' {
			if k := len(f); k > 0 && f[k-1] == '\r' {
				f = f[:k-1]
			}
			done = true
		}
		fields = append(fields, f)
		p = j + 1
	}
	if bad != "" {
		p = recordEnd(data, start)
		fields = nil
	}
	if p > n {
		p = n
	}
	s.line += int64(bytes.Count(data[start:p], []byte{'\n'}))
	if p == n && (p == start || data[p-1] != '\n') {
		s.line++ // last record without a final newline
	}
	s.pos = p
	if fields != nil {
		s.fields = fields
	}
	return fields, line, bad, true
}

// opensQuote reports whether the '"' at q starts a quoted field: it is
// the first byte of a record (start) or follows a ',' or '\n'. Any other
// quote outside a quoted field is a literal (and makes the record bad).
func opensQuote(b []byte, start, q int) bool {
	return q == start || b[q-1] == ',' || b[q-1] == '\n'
}

// closeQuote returns the position after the '"' that closes the quoted
// field whose content starts at r ("" is an escape), or -1 when b ends
// first. A final '"' in b counts as closing, so callers that may see more
// data must treat a close at len(b) as unknown.
func closeQuote(b []byte, r int) int {
	for {
		i := bytes.IndexByte(b[r:], '"')
		if i < 0 {
			return -1
		}
		r += i + 1
		if r < len(b) && b[r] == '"' {
			r++
			continue
		}
		return r
	}
}

// recordEnd returns the end (after the '\n') of the record starting at
// start, by the quote rule of lastBoundary, or len(data).
func recordEnd(data []byte, start int) int {
	p := start
	for {
		nl := bytes.IndexByte(data[p:], '\n')
		limit := len(data)
		if nl >= 0 {
			limit = p + nl
		}
		open := -1
		for q := p; q < limit; {
			i := bytes.IndexByte(data[q:limit], '"')
			if i < 0 {
				break
			}
			q += i
			if opensQuote(data, start, q) {
				open = q
				break
			}
			q++
		}
		if open < 0 {
			if nl < 0 {
				return len(data)
			}
			return limit + 1
		}
		r := closeQuote(data, open+1)
		if r < 0 {
			return len(data)
		}
		p = r
	}
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
// records (b starts at a record boundary), or 0 when there is none. It
// walks from quote to quote with bytes.IndexByte, so a block without
// quotes costs two SIMD scans.
func lastBoundary(b []byte) int {
	best := 0
	p := 0 // start of the current stretch outside quotes
	for {
		q := p
		open := -1
		for {
			i := bytes.IndexByte(b[q:], '"')
			if i < 0 {
				break
			}
			q += i
			if opensQuote(b, 0, q) {
				open = q
				break
			}
			q++
		}
		if open < 0 {
			if j := bytes.LastIndexByte(b[p:], '\n'); j >= 0 {
				return p + j + 1
			}
			return best
		}
		if j := bytes.LastIndexByte(b[p:open], '\n'); j >= 0 {
			best = p + j + 1
		}
		r := closeQuote(b, open+1)
		if r < 0 || r == len(b) {
			return best // still quoted, or a final '"' that may be an escape
		}
		p = r
	}
}

// Block sizes: big blocks amortise the hand-over between goroutines; a
// record may grow a block up to maxRecordBytes, beyond which it must be a
// broken quote.
const (
	defaultBlockSize = 4 << 20
	maxRecordBytes   = 16 << 20
)

// errRecordTooLong is returned by splitter.next when no record boundary is
// found within maxRecordBytes.
var errRecordTooLong = errors.New("record too long")

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
		if cut = lastBoundary(rest[:n]); cut > 0 {
			break
		}
		if n >= maxRecordBytes {
			return block{}, errRecordTooLong
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
		if cut := lastBoundary(buf[:n]); cut > 0 {
			b := block{buf: buf, data: buf[:cut], line: s.line}
			s.line += int64(bytes.Count(b.data, []byte{'\n'}))
			s.carry = buf[cut:n]
			return b, nil
		}
		if len(buf) >= maxRecordBytes {
			return block{}, errRecordTooLong
		}
		nb := make([]byte, min(2*len(buf), maxRecordBytes))
		copy(nb, buf[:n])
		buf = nb
	}
}
