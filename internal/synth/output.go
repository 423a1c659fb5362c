package synth

// Every extract is written atomically (internal/atomicfile), so a failed
// run never leaves a half-written extract under the real name.

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/dcc/carport/internal/atomicfile"
)

// fileOut is one extract being written.
type fileOut struct {
	name  string // contract name, e.g. "devices.csv"
	final string // path it will have
	other string // path of the other variant (.csv vs .csv.gz), removed on commit
	f     *atomicfile.File
	gz    *gzip.Writer
	bw    *bufio.Writer
	rows  int64
	start time.Time
}

// create starts writing extract name in dir.
func create(dir, name string, gz bool) (*fileOut, error) {
	final := filepath.Join(dir, name)
	other := final + ".gz"
	if gz {
		final, other = other, final
	}
	f, err := atomicfile.Create(final, 0o644)
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", final, err)
	}
	out := &fileOut{name: name, final: final, other: other, f: f, start: time.Now()}
	if gz {
		out.gz, _ = gzip.NewWriterLevel(f, gzip.BestSpeed) // the level is valid
		out.bw = bufio.NewWriterSize(out.gz, 1<<20)
	} else {
		out.bw = bufio.NewWriterSize(f, 1<<20)
	}
	return out, nil
}

// header writes the header row.
func (o *fileOut) header(cols []string) {
	for i, c := range cols {
		if i > 0 {
			o.bw.WriteByte(',')
		}
		o.bw.WriteString(c)
	}
	o.bw.WriteByte('\n')
}

// commit flushes the file and moves it into place; it returns the bytes
// on disk.
func (o *fileOut) commit() (int64, error) {
	err := o.bw.Flush()
	if o.gz != nil {
		if cerr := o.gz.Close(); err == nil {
			err = cerr
		}
	}
	var size int64
	if err == nil {
		var st os.FileInfo
		if st, err = o.f.Stat(); err == nil {
			size = st.Size()
		}
	}
	if err != nil {
		o.f.Abort()
	} else {
		err = o.f.Commit(nil)
	}
	if err != nil {
		return 0, err
	}
	// The reader refuses a folder holding both x.csv and x.csv.gz.
	if err := os.Remove(o.other); err != nil && !os.IsNotExist(err) {
		return 0, fmt.Errorf("removing stale %s: %w", o.other, err)
	}
	return size, nil
}
