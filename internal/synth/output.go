package synth

// Every extract is written to a temporary file in the output folder and
// renamed into place only when complete, so a failed run never leaves a
// half-written extract under the real name.

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// fileOut is one extract being written.
type fileOut struct {
	name  string // contract name, e.g. "devices.csv"
	final string // path it will have
	other string // path of the other variant (.csv vs .csv.gz), removed on commit
	f     *os.File
	gz    *gzip.Writer
	bw    *bufio.Writer
	rows  int64
	start time.Time
}

// create opens a temporary file for extract name in dir.
func create(dir, name string, gz bool) (*fileOut, error) {
	final := filepath.Join(dir, name)
	other := final + ".gz"
	if gz {
		final, other = other, final
	}
	f, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", final, err)
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(f.Name())
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

// commit flushes and closes the file and renames it into place; it returns
// the bytes on disk.
func (o *fileOut) commit() (int64, error) {
	err := o.bw.Flush()
	if o.gz != nil {
		if cerr := o.gz.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = o.f.Sync()
	}
	if cerr := o.f.Close(); err == nil {
		err = cerr
	}
	var size int64
	if err == nil {
		var st os.FileInfo
		if st, err = os.Stat(o.f.Name()); err == nil {
			size = st.Size()
		}
	}
	if err == nil {
		err = os.Rename(o.f.Name(), o.final)
	}
	if err != nil {
		os.Remove(o.f.Name())
		return 0, fmt.Errorf("writing %s: %w", o.final, err)
	}
	// The reader refuses a folder holding both x.csv and x.csv.gz.
	if err := os.Remove(o.other); err != nil && !os.IsNotExist(err) {
		return 0, fmt.Errorf("removing stale %s: %w", o.other, err)
	}
	return size, nil
}

// writeFileAtomic writes data to path with mode perm via a temporary file.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir, base := filepath.Split(path)
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return fmt.Errorf("creating %s: %w", path, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
