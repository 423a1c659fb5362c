package audit

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/dcc/carport/internal/contract"
	"github.com/dcc/carport/internal/extract"
)

// Options say where the audit reads the month and keeps its files.
type Options struct {
	// Extracts is the period's extract folder (devices.csv is read).
	Extracts string
	// Parties are the month's parties (parties.csv).
	Parties *extract.Parties
	// StageDir is a private folder for the per-party estate keys.
	StageDir string
	// Workers parse devices.csv (0: one per core).
	Workers int
	// Public holds the contents of files that every site carries
	// unchanged and that are public (the pinned echarts.min.js): a site
	// file byte-identical to one of them is not scanned.
	Public [][]byte
	// MaxBadFraction is the policy's bad-row tolerance, the engine's own:
	// the audit skips the rows the engine skipped (0: the default 0.1%).
	MaxBadFraction float64
}

// Index is what the audit knows of the month.
type Index struct {
	parties []*extract.Party
	byID    map[string]int
	mpxn    []uint64 // every MPxN of devices.csv, sorted
	pcs     []uint64 // every postcode of devices.csv, sorted
	dir     string
	public  map[int64][][32]byte // size → sha256 of public files
	names   *nameIndex
	// idFirst and idLen prefilter runs before a map lookup: most runs
	// (numbers, dates) cannot be a party id.
	idFirst [256]bool
	idLen   [33]bool
	// digitLed says whether a party id or a name starts with a digit: if
	// none does, a short run of digits and dashes cannot be one (run)
	digitLed bool
	// release unmaps the sets of an Opened index
	release func() error
}

// newIndex is an index of parties keeping its files in dir, its sets
// still empty.
func newIndex(parties []*extract.Party, dir string) *Index {
	ix := &Index{parties: parties, byID: map[string]int{}, dir: dir, public: map[int64][][32]byte{}}
	for i, p := range ix.parties {
		ix.byID[p.ID] = i
		if n := len(p.ID); n > 0 && n <= 32 {
			ix.idFirst[p.ID[0]], ix.idLen[n] = true, true
		}
	}
	ix.names = newNameIndex(ix.parties)
	for c := byte('0'); c <= '9'; c++ {
		ix.digitLed = ix.digitLed || ix.idFirst[c] || ix.names.first[c]
	}
	return ix
}

// record kinds in a party's key file
const (
	recDevice byte = 'D'
	recMPxN   byte = 'M'
	recPC     byte = 'P'
)

// Build reads devices.csv once: every MPxN and postcode goes into the
// month's sets, and each device's keys into the key file of every party
// whose estate holds it.
func Build(o Options) (*Index, error) {
	ix := newIndex(o.Parties.All(), filepath.Join(o.StageDir, "audit"))
	if err := os.MkdirAll(ix.dir, 0o700); err != nil {
		return nil, err
	}
	for _, b := range o.Public {
		ix.public[int64(len(b))] = append(ix.public[int64(len(b))], sha256.Sum256(b))
	}

	sym := extract.NewSymbols()
	type worker struct {
		files     map[int]*bufio.Writer
		osFiles   []*os.File
		mpxn, pcs []uint64
		err       error
	}
	var (
		mu      sync.Mutex
		workers []*worker
	)
	// the owner columns' roles, in the order of the Device fields below
	var roles [4]contract.Role
	for i, o := range contract.EstateOwners {
		roles[i] = o.Role
	}
	_, err := extract.ScanDevices(o.Extracts, extract.Options{Parties: o.Parties, Symbols: sym, Workers: o.Workers, MaxBadFraction: o.MaxBadFraction},
		func(w int) func(*extract.Device) {
			wk := &worker{files: map[int]*bufio.Writer{}}
			mu.Lock()
			workers = append(workers, wk)
			mu.Unlock()
			var rec []byte
			return func(d *extract.Device) {
				if wk.err != nil {
					return
				}
				rec = rec[:0]
				if k, ok := deviceKey(d.ID); ok {
					rec = appendRec(rec, recDevice, k)
				}
				if k, ok := mpxnKey(d.MPXN); ok {
					rec = appendRec(rec, recMPxN, k)
					wk.mpxn = append(wk.mpxn, k)
				}
				if k, ok := postcodeKey(d.Postcode); ok {
					rec = appendRec(rec, recPC, k)
					wk.pcs = append(wk.pcs, k)
				}
				owners := [4]extract.Sym{d.ImportSupplier, d.ExportSupplier, d.GasSupplier, d.DNO}
				seen := [4]int{-1, -1, -1, -1}
				for i, s := range owners {
					if s == extract.Null {
						continue
					}
					pi, ok := ix.byID[sym.Name(s)]
					if !ok || !ix.parties[pi].HasRole(roles[i]) || slices.Contains(seen[:], pi) {
						continue
					}
					seen[i] = pi
					bw := wk.files[pi]
					if bw == nil {
						f, err := os.OpenFile(filepath.Join(ix.dir, fmt.Sprintf("%d.%d.keys", pi, w)), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
						if err != nil {
							wk.err = err
							return
						}
						wk.osFiles = append(wk.osFiles, f)
						bw = bufio.NewWriterSize(f, 16<<10)
						wk.files[pi] = bw
					}
					bw.Write(rec)
				}
			}
		})
	var errs []error
	if err != nil {
		errs = append(errs, err)
	}
	for _, wk := range workers {
		if wk.err != nil {
			errs = append(errs, wk.err)
		}
		for _, bw := range wk.files {
			if err := bw.Flush(); err != nil {
				errs = append(errs, err)
			}
		}
		for _, f := range wk.osFiles {
			if err := f.Close(); err != nil {
				errs = append(errs, err)
			}
		}
		// deduplicated per worker first: postcodes repeat a lot, and the
		// merged slice then holds each value about once
		ix.mpxn = append(ix.mpxn, sortUnique(wk.mpxn)...)
		ix.pcs = append(ix.pcs, sortUnique(wk.pcs)...)
		wk.mpxn, wk.pcs = nil, nil
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("leak audit: %w", errs[0])
	}
	ix.mpxn = sortUnique(ix.mpxn)
	ix.pcs = sortUnique(ix.pcs)
	return ix, nil
}

// Dir is the index's folder on the stage (what Open takes).
func (ix *Index) Dir() string { return ix.dir }

// Bytes is the index's memory for the month's sets.
func (ix *Index) Bytes() int64 { return int64(cap(ix.mpxn)+cap(ix.pcs)) * 8 }

func appendRec(b []byte, kind byte, k uint64) []byte {
	b = append(b, kind)
	return binary.LittleEndian.AppendUint64(b, k)
}

func sortUnique(s []uint64) []uint64 {
	slices.Sort(s)
	return slices.Clip(slices.Compact(s))
}

// estate is one party's keys, each sorted.
type estate struct {
	devices, mpxn, pcs []uint64
}

// estate reads the key files of party index pi.
func (ix *Index) estate(pi int) (*estate, error) {
	var es estate
	files, err := filepath.Glob(filepath.Join(ix.dir, fmt.Sprintf("%d.*.keys", pi)))
	if err != nil {
		return nil, err
	}
	var rec [9]byte
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		br := bufio.NewReaderSize(f, 64<<10)
		for {
			if _, err := io.ReadFull(br, rec[:]); err != nil {
				f.Close()
				if err == io.EOF {
					break
				}
				return nil, err
			}
			k := binary.LittleEndian.Uint64(rec[1:])
			switch rec[0] {
			case recDevice:
				es.devices = append(es.devices, k)
			case recMPxN:
				es.mpxn = append(es.mpxn, k)
			case recPC:
				es.pcs = append(es.pcs, k)
			}
		}
	}
	es.devices, es.mpxn, es.pcs = sortUnique(es.devices), sortUnique(es.mpxn), sortUnique(es.pcs)
	return &es, nil
}

func has(s []uint64, k uint64) bool {
	_, ok := slices.BinarySearch(s, k)
	return ok
}
