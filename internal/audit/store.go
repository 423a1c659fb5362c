package audit

// A build checks its parties in worker processes, which must not read
// devices.csv again: the parent builds the Index once and Saves it into
// its folder on the private stage, beside the per-party key files, and
// each worker Opens it. The month's sets (a sorted uint64 per distinct
// MPxN and postcode: 8 bytes each, 400 MB for 50 million MPxNs) are
// mapped from the file where the platform allows, so every worker shares
// one copy in the page cache instead of holding its own.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"unsafe"

	"github.com/dcc/carport/internal/extract"
)

const (
	setsName  = "sets.bin"
	indexName = "index.json"
	setsMagic = "CPAUDIT1"
	// headerSize is the sets file's header: magic, order, MPxN count,
	// postcode count
	headerSize = 32
)

// setsOrder is written in the machine's byte order: a file from another
// machine is refused rather than misread.
const setsOrder uint64 = 0x0102030405060708

type savedIndex struct {
	Parties []extract.Party `json:"parties"`
	Public  []savedPublic   `json:"public"`
}

type savedPublic struct {
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Save writes the index's month sets and parties into its folder, for
// Open, and from then on reads its sets from there too (as Open does), so
// that the copy in memory can go: Close releases them.
func (ix *Index) Save() error {
	var si savedIndex
	for _, p := range ix.parties {
		si.Parties = append(si.Parties, *p)
	}
	for size, sums := range ix.public {
		for _, s := range sums {
			si.Public = append(si.Public, savedPublic{size, hex.EncodeToString(s[:])})
		}
	}
	b, err := json.Marshal(si)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(ix.dir, indexName), b, 0o600); err != nil {
		return fmt.Errorf("leak audit: saving the index: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(ix.dir, setsName), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("leak audit: saving the index: %w", err)
	}
	head := []uint64{setsOrder, uint64(len(ix.mpxn)), uint64(len(ix.pcs))}
	_, err = f.Write([]byte(setsMagic))
	for _, s := range [][]uint64{head, ix.mpxn, ix.pcs} {
		if err == nil && len(s) > 0 {
			_, err = f.Write(unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*8))
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("leak audit: saving the index: %w", err)
	}
	words, release, err := mapWords(filepath.Join(ix.dir, setsName))
	if err != nil {
		return fmt.Errorf("leak audit: saving the index: %w", err)
	}
	if err := ix.setsFrom(words); err != nil {
		release()
		return fmt.Errorf("leak audit: saving the index: %s: %w", setsName, err)
	}
	ix.release = release
	return nil
}

// Open opens the index Saved in dir (the folder an Index keeps on the
// stage). Close releases it.
func Open(dir string) (*Index, error) {
	b, err := os.ReadFile(filepath.Join(dir, indexName))
	if err != nil {
		return nil, fmt.Errorf("leak audit: opening the index: %w", err)
	}
	var si savedIndex
	if err := json.Unmarshal(b, &si); err != nil {
		return nil, fmt.Errorf("leak audit: opening the index: %s: %w", indexName, err)
	}
	ps := make([]*extract.Party, len(si.Parties))
	for i := range si.Parties {
		ps[i] = &si.Parties[i]
	}
	ix := newIndex(ps, dir)
	for _, p := range si.Public {
		s, err := hex.DecodeString(p.SHA256)
		if err != nil || len(s) != sha256.Size {
			return nil, fmt.Errorf("leak audit: opening the index: %s: bad sha256 %q", indexName, p.SHA256)
		}
		ix.public[p.Size] = append(ix.public[p.Size], [32]byte(s))
	}
	words, release, err := mapWords(filepath.Join(dir, setsName))
	if err != nil {
		return nil, fmt.Errorf("leak audit: opening the index: %w", err)
	}
	ix.release = release
	if err := ix.setsFrom(words); err != nil {
		ix.Close()
		return nil, fmt.Errorf("leak audit: opening the index: %s: %w", setsName, err)
	}
	return ix, nil
}

// setsFrom points the month's sets into the words of a sets file.
func (ix *Index) setsFrom(words []uint64) error {
	if len(words) < headerSize/8 || string(unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), 8)) != setsMagic {
		return errors.New("not a saved index")
	}
	if words[1] != setsOrder {
		return errors.New("saved on a machine of another byte order")
	}
	n, m := words[2], words[3]
	if uint64(len(words)) != headerSize/8+n+m {
		return fmt.Errorf("%d words, want %d", len(words), headerSize/8+n+m)
	}
	body := words[headerSize/8:]
	ix.mpxn, ix.pcs = body[:n:n], body[n:n+m:n+m]
	return nil
}

// Close releases the mapping of an index Opened or Saved; the index must
// not be used after. It does nothing for an index only built.
func (ix *Index) Close() error {
	if ix.release == nil {
		return nil
	}
	err := ix.release()
	ix.release, ix.mpxn, ix.pcs = nil, nil, nil
	return err
}
