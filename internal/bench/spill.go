package bench

// Row-level detail that no party-independent figure needs goes to disk
// during the scan, so memory stays flat whatever the rows: the signifier
// tuple of every event (for failures, svp and by-device, which are the
// recipient's own groups) and the follow-up alerts of distributors (whose
// rules need every alert of a device in time order). Each scan worker
// appends fixed or short records to buffers split by party into
// spillParts partition files in the private stage folder; building one
// party's views reads back only its partition and keeps only its rows.
// The files are as private as the estate files beside them.

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"

	"github.com/dcc/carport/internal/extract"
)

// spillParts is the number of partition files per worker and kind; a
// party's views read 1/spillParts of the spill.
const spillParts = 64

// spillBuf is the bytes buffered per partition before a write.
const spillBuf = 32 << 10

// dimRecSize is the size of a signifier record: party, code, meta (tuple
// id, role, outcome), duration.
const dimRecSize = 20

// maxTuples is the largest worker-local tuple count the meta word holds.
const maxTuples = 1 << 28

// spillWriter is one worker's spill of one kind.
type spillWriter struct {
	dir   string
	w     int
	bufs  [spillParts][]byte
	files [spillParts]*os.File
	err   error
}

func newSpillWriter(dir string, w int) (*spillWriter, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating spill folder: %w", err)
	}
	return &spillWriter{dir: dir, w: w}, nil
}

func spillPath(dir string, w, p int) string {
	return filepath.Join(dir, fmt.Sprintf("w%d-p%02d.bin", w, p))
}

func partOf(party extract.Sym) int { return int(party % spillParts) }

// room returns partition p's buffer with n more bytes of room, writing it
// out first when full.
func (s *spillWriter) room(p, n int) []byte {
	b := s.bufs[p]
	if len(b)+n > spillBuf && len(b) > 0 {
		s.flush(p)
		b = s.bufs[p]
	}
	if b == nil {
		b = make([]byte, 0, spillBuf+256)
	}
	return b
}

func (s *spillWriter) flush(p int) {
	b := s.bufs[p]
	if len(b) == 0 || s.err != nil {
		s.bufs[p] = b[:0]
		return
	}
	f := s.files[p]
	if f == nil {
		f, s.err = os.OpenFile(spillPath(s.dir, s.w, p), os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
		if s.err != nil {
			return
		}
		s.files[p] = f
	}
	if _, err := f.Write(b); err != nil {
		s.err = fmt.Errorf("writing spill: %w", err)
	}
	s.bufs[p] = b[:0]
}

// dim appends one event's signifier record.
func (s *spillWriter) dim(g gkey, ok bool, tuple uint32, dur int64) {
	if tuple >= maxTuples {
		if s.err == nil {
			s.err = errors.New("more than 2^28 distinct signifier tuples in one worker")
		}
		return
	}
	p := partOf(g.party)
	b := s.room(p, dimRecSize)
	meta := tuple | uint32(g.role)<<28
	if ok {
		meta |= 1 << 31
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(g.party))
	b = binary.LittleEndian.AppendUint32(b, uint32(g.code))
	b = binary.LittleEndian.AppendUint32(b, meta)
	b = binary.LittleEndian.AppendUint64(b, uint64(dur))
	s.bufs[p] = b
}

// close writes what is buffered and closes the files.
func (s *spillWriter) close() error {
	for p := range s.bufs {
		s.flush(p)
		s.bufs[p] = nil
		if f := s.files[p]; f != nil {
			if err := f.Close(); err != nil && s.err == nil {
				s.err = fmt.Errorf("closing spill: %w", err)
			}
		}
	}
	return s.err
}

// readParts calls fn with every partition file of party's partition
// written by the workers of dir (absent files are partitions nobody wrote).
func readPart(dir string, w int, party extract.Sym, fn func(r *bufio.Reader) error) error {
	f, err := os.Open(spillPath(dir, w, partOf(party)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading spill: %w", err)
	}
	defer f.Close()
	if err := fn(bufio.NewReaderSize(f, 256<<10)); err != nil {
		return fmt.Errorf("reading spill %s: %w", f.Name(), err)
	}
	return nil
}

// dimSource is one worker's signifier spill and the tuples its records name.
type dimSource struct {
	dir    string
	w      int
	tuples [][nDims]extract.Sym
}

// dimStore is a dataset's signifier spill.
type dimStore struct {
	workers []dimSource
	// sketch says whether groups keep a duration sketch (the service-request
	// svp file has a median column; the alert one does not).
	sketch bool
}

// party groups the signifier records of party me: for every (role, code)
// the party had, its groups by outcome and the eleven signifiers.
func (s *dimStore) party(me extract.Sym) (map[gkey][]dimEntry, error) {
	aggs := map[dimKey]*dimAgg{}
	for _, src := range s.workers {
		// within one worker a record's code and meta word (tuple, role,
		// outcome) name its group: a one-word key, turned into the
		// group's signifiers once per group, not once per record
		local := map[uint64]*dimAgg{}
		err := readPart(src.dir, src.w, me, func(r *bufio.Reader) error {
			for {
				buf, err := r.Peek(dimRecSize * 1024)
				if len(buf) < dimRecSize {
					if err == io.EOF && len(buf) == 0 {
						return nil
					}
					if err == io.EOF {
						return io.ErrUnexpectedEOF
					}
					return err
				}
				n := len(buf) / dimRecSize * dimRecSize
				for rec := buf[:n]; len(rec) > 0; rec = rec[dimRecSize:] {
					if extract.Sym(binary.LittleEndian.Uint32(rec[0:])) != me {
						continue
					}
					key := binary.LittleEndian.Uint64(rec[4:]) // code, then meta
					a := local[key]
					if a == nil {
						a = &dimAgg{}
						local[key] = a
					}
					a.n++
					if dur := int64(binary.LittleEndian.Uint64(rec[12:])); dur >= 0 {
						a.durN++
						a.durSum += dur
						if s.sketch {
							a.sk.Add(dur)
						}
					}
				}
				if _, err := r.Discard(n); err != nil {
					return err
				}
			}
		})
		if err != nil {
			return nil, err
		}
		for key, a := range local {
			code, meta := extract.Sym(uint32(key)), uint32(key>>32)
			tid := meta & (maxTuples - 1)
			if int(tid) >= len(src.tuples) {
				return nil, fmt.Errorf("reading spill: tuple %d of %d", tid, len(src.tuples))
			}
			k := dimKey{g: gkey{role: roleID(meta >> 28 & 7), party: me, code: code}, ok: meta>>31 == 1, dims: src.tuples[tid]}
			if had := aggs[k]; had != nil {
				had.merge(a)
			} else {
				aggs[k] = a
			}
		}
	}
	out := map[gkey][]dimEntry{}
	for k, v := range aggs {
		out[k.g] = append(out[k.g], dimEntry{k.ok, k.dims, v})
	}
	return out, nil
}

// ---- follow-up alerts of distributors

// edCodeList numbers the codes the follow-up rules read (0 is none).
var edCodeList = []string{"", "N16", "N42", "AD1", "8F35", "8F36"}

func edCodeIndex(code string) uint8 {
	for i, c := range edCodeList {
		if i > 0 && c == code {
			return uint8(i)
		}
	}
	return 0
}

// edHead is the fixed part of an ED record: party, supplier, generated_at,
// code, in period, device id length, alert id length.
const edHead = 4 + 4 + 8 + 1 + 1 + 2 + 2

// ed appends one follow-up alert; ids longer than 64 KiB are clipped (the
// contract's ids are short).
func (s *spillWriter) ed(party, supplier extract.Sym, atMS int64, code uint8, inPeriod bool, device, alertID []byte) {
	device, alertID = device[:min(len(device), math.MaxUint16)], alertID[:min(len(alertID), math.MaxUint16)]
	p := partOf(party)
	b := s.room(p, edHead+len(device)+len(alertID))
	b = binary.LittleEndian.AppendUint32(b, uint32(party))
	b = binary.LittleEndian.AppendUint32(b, uint32(supplier))
	b = binary.LittleEndian.AppendUint64(b, uint64(atMS))
	var in byte
	if inPeriod {
		in = 1
	}
	b = append(b, code, in)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(device)))
	b = binary.LittleEndian.AppendUint16(b, uint16(len(alertID)))
	b = append(b, device...)
	b = append(b, alertID...)
	s.bufs[p] = b
}

// edStore is the follow-up alert spill of every alert worker.
type edStore struct {
	dir     string
	workers []int
}

// party returns the follow-up alerts of ED party me by device, each
// device's in time order (ties by alert id).
func (s *edStore) party(me extract.Sym) (map[string][]edEvent, error) {
	out := map[string][]edEvent{}
	var head [edHead]byte
	var buf []byte
	for _, w := range s.workers {
		err := readPart(s.dir, w, me, func(r *bufio.Reader) error {
			for {
				if _, err := io.ReadFull(r, head[:]); err != nil {
					if err == io.EOF {
						return nil
					}
					return err
				}
				nd, na := int(binary.LittleEndian.Uint16(head[18:])), int(binary.LittleEndian.Uint16(head[20:]))
				if cap(buf) < nd+na {
					buf = make([]byte, nd+na)
				}
				buf = buf[:nd+na]
				if _, err := io.ReadFull(r, buf); err != nil {
					return err
				}
				if extract.Sym(binary.LittleEndian.Uint32(head[0:])) != me {
					continue
				}
				code := int(head[16])
				if code <= 0 || code >= len(edCodeList) {
					return fmt.Errorf("bad follow-up code %d", code)
				}
				evs, seen := out[string(buf[:nd])]
				var dev string // a device's events share its id
				if seen {
					dev = evs[0].device
				} else {
					dev = string(buf[:nd])
				}
				out[dev] = append(evs, edEvent{party: me, device: dev, code: edCodeList[code],
					atMS: int64(binary.LittleEndian.Uint64(head[8:])), alertID: string(buf[nd:]),
					supplier: extract.Sym(binary.LittleEndian.Uint32(head[4:])), inPeriod: head[17] == 1})
			}
		})
		if err != nil {
			return nil, err
		}
	}
	for _, evs := range out {
		sort.Slice(evs, func(i, j int) bool {
			if evs[i].atMS != evs[j].atMS {
				return evs[i].atMS < evs[j].atMS
			}
			return evs[i].alertID < evs[j].alertID
		})
	}
	return out, nil
}
